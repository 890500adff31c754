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
