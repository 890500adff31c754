"""The `delivery:` section: who may assume the CI roles, and every error's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from environments.loader import ConfigError, parse_environment


def _errors(text: str, env: str = "dev") -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_environment(env, text, Path(f"environments/{env}.yaml"))
    return raised.value.messages


def test_the_defaults_name_the_repository_main_and_the_environment() -> None:
    config = parse_environment("prod", "{}\n", Path("environments/prod.yaml")).delivery
    assert (config.repository, config.branch, config.github_environment, config.oidc_provider_arn) == (
        "matbakh/autoscale-infra",
        "main",
        None,
        None,
    )


def test_fails_when_the_repository_is_not_owner_slash_name() -> None:
    (message,) = _errors("delivery: {repository: autoscale-infra}\n")
    assert message.startswith("environments/dev.yaml: delivery.repository: String should match pattern")
    assert message.endswith("(got 'autoscale-infra')")


def test_fails_when_the_provider_is_not_githubs() -> None:
    (message,) = _errors("delivery: {oidc_provider_arn: 'arn:aws:iam::123456789012:oidc-provider/example.com'}\n")
    assert message.startswith("environments/dev.yaml: delivery.oidc_provider_arn: String should match pattern")


def test_fails_on_an_unknown_delivery_setting() -> None:
    (message,) = _errors("delivery: {environment: prod}\n")
    assert message.startswith("environments/dev.yaml: delivery.environment: unknown setting")


def test_by_default_no_pull_request_plans_and_the_shipped_workflow_files() -> None:
    config = parse_environment("prod", "{}\n", Path("environments/prod.yaml")).delivery
    assert config.plan_pull_requests is False
    workflows = config.workflows
    assert (workflows.deliver, workflows.drift, workflows.pull_request_plan) == (
        ".github/workflows/deliver-environment.yml",
        ".github/workflows/drift.yml",
        ".github/workflows/plan-pull-request.yml",
    )
    for path in (workflows.deliver, workflows.drift, workflows.pull_request_plan):
        assert (Path(__file__).resolve().parents[2] / path).is_file(), path


def test_only_dev_plans_pull_requests() -> None:
    from cli.config_files import load_environment

    assert {env: load_environment(env).delivery.plan_pull_requests for env in ("dev", "staging", "prod")} == {
        "dev": True,
        "staging": False,
        "prod": False,
    }


def test_a_subject_names_the_repository_the_context_and_the_workflow_at_the_branch() -> None:
    config = parse_environment("dev", "delivery: {branch: release}\n", Path("environments/dev.yaml")).delivery
    assert config.subject("environment:dev", config.workflows.deliver) == (
        "repo:matbakh/autoscale-infra:environment:dev:job_workflow_ref:"
        "matbakh/autoscale-infra/.github/workflows/deliver-environment.yml@refs/heads/release"
    )


def test_fails_when_a_workflow_is_not_a_file_of_github_workflows() -> None:
    (message,) = _errors("delivery: {workflows: {drift: scripts/drift.yml}}\n")
    assert message.startswith("environments/dev.yaml: delivery.workflows.drift: String should match pattern")
    assert message.endswith("(got 'scripts/drift.yml')")
    (message,) = _errors("delivery: {workflows: {deploy: .github/workflows/x.yml}}\n")
    assert message.startswith("environments/dev.yaml: delivery.workflows.deploy: unknown setting")


def test_fails_when_plan_pull_requests_is_not_a_boolean() -> None:
    (message,) = _errors("delivery: {plan_pull_requests: sometimes}\n")
    assert message.startswith("environments/dev.yaml: delivery.plan_pull_requests:")


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_staging_and_prod_refuse_pull_request_plans(env: str) -> None:
    (message,) = _errors("delivery: {plan_pull_requests: true}\n", env)
    assert message.startswith(f"environments/{env}.yaml: delivery: ")
    assert f"plan_pull_requests must be false in {env}" in message and "(allowed: dev;" in message
