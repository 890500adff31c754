"""The CI roles of each environment's bootstrap stack, asserted on the synthesized JSON:
who may assume them (the OIDC trust) and what they may do (least privilege)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import only, resources, synthesize

ENVIRONMENTS = ("dev", "staging", "prod")
REPOSITORY = "matbakh/autoscale-infra"
OIDC = "token.actions.githubusercontent.com"
UNSCOPED = {a.lower() for a in yaml.safe_load(Path("policies/unscoped_actions.yaml").read_text())["actions"]}


def _ref(kind: str, name: str, attribute: str) -> str:
    return f"${{{kind}.{name}.{attribute}}}"


def _role(stack: dict[str, Any], which: str) -> tuple[str, dict[str, Any]]:
    (found,) = [(n, r) for n, r in resources(stack, "aws_iam_role").items() if r["name"].endswith(f"-ci-{which}")]
    return found


def _policies_of(stack: dict[str, Any], role_name: str) -> dict[str, list[dict[str, Any]]]:
    """Attached managed policy name → its statements."""
    policies = resources(stack, "aws_iam_policy")
    attached = {}
    for attachment in resources(stack, "aws_iam_role_policy_attachment").values():
        if attachment["role"] != _ref("aws_iam_role", role_name, "name"):
            continue
        (policy,) = [p for n, p in policies.items() if attachment["policy_arn"] == _ref("aws_iam_policy", n, "arn")]
        attached[policy["name"]] = json.loads(policy["policy"])["Statement"]
    return attached


def _trust(role: dict[str, Any]) -> dict[str, Any]:
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    return dict(statement)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_one_oidc_provider_for_github_with_the_sts_audience(stacks: dict[str, dict[str, Any]], env: str) -> None:
    provider = only(stacks[f"{env}-bootstrap"], "aws_iam_openid_connect_provider")
    assert provider["url"] == f"https://{OIDC}"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]
    assert provider["tags"]["Environment"] == env
    assert "aws_iam_openid_connect_provider" not in stacks[env].get("resource", {})


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_plan_role_trusts_pull_requests_and_the_branch_only(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[f"{env}-bootstrap"]
    (provider_name,) = resources(stack, "aws_iam_openid_connect_provider")
    name, role = _role(stack, "plan")
    assert role["name"] == f"matbakh-{env}-api-ci-plan"
    assert _trust(role) == {
        "Sid": "GitHubActionsOidc",
        "Effect": "Allow",
        "Principal": {"Federated": _ref("aws_iam_openid_connect_provider", provider_name, "arn")},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {
                f"{OIDC}:aud": "sts.amazonaws.com",
                f"{OIDC}:sub": [f"repo:{REPOSITORY}:pull_request", f"repo:{REPOSITORY}:ref:refs/heads/main"],
            }
        },
    }
    assert set(_policies_of(stack, name)) == {f"matbakh-{env}-api-ci-read", f"matbakh-{env}-api-ci-plan-state"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_apply_role_trusts_only_the_github_environment(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[f"{env}-bootstrap"]
    name, role = _role(stack, "apply")
    condition = _trust(role)["Condition"]["StringEquals"]
    assert condition == {f"{OIDC}:aud": "sts.amazonaws.com", f"{OIDC}:sub": [f"repo:{REPOSITORY}:environment:{env}"]}
    assert set(_policies_of(stack, name)) == {
        f"matbakh-{env}-api-ci-{suffix}" for suffix in ("read", "write-named", "write-tagged", "apply-state")
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_plan_role_reads_and_writes_only_the_lock(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[f"{env}-bootstrap"]
    name, _ = _role(stack, "plan")
    for policy, statements in _policies_of(stack, name).items():
        for statement in statements:
            for action in statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]:
                verb = action.split(":", 1)[1]
                if policy.endswith("plan-state") and action in {"s3:PutObject", "s3:DeleteObject"}:
                    assert statement["Resource"][0].endswith(f"/{env}/matbakh-api.tfstate.tflock")
                    continue
                assert verb.startswith(("Get", "List", "Describe", "View", "Decrypt", "Encrypt", "GenerateDataKey")), (
                    policy,
                    action,
                )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_apply_role_writes_the_state_prefix_with_the_state_key(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[f"{env}-bootstrap"]
    statements = {
        s["Sid"]: s for s in _policies_of(stack, _role(stack, "apply")[0])[f"matbakh-{env}-api-ci-apply-state"]
    }
    (bucket_name,) = resources(stack, "aws_s3_bucket")
    (key_name,) = resources(stack, "aws_kms_key")
    bucket_arn = _ref("aws_s3_bucket", bucket_name, "arn")
    assert statements["WriteStateOrLock"]["Resource"] == [f"{bucket_arn}/{env}/*"]
    assert statements["ReadState"]["Resource"] == [f"{bucket_arn}/{env}/*"]
    assert statements["StateKey"]["Resource"] == [_ref("aws_kms_key", key_name, "arn")]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_permission_is_scoped_to_the_environment(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[f"{env}-bootstrap"]
    for policy in resources(stack, "aws_iam_policy").values():
        for statement in json.loads(policy["policy"])["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not any(a == "*" or a.endswith(":*") for a in actions if statement["Effect"] == "Allow")
            if statement["Resource"] == "*":
                assert {a.lower() for a in actions} <= UNSCOPED, statement["Sid"]
                continue
            condition = json.dumps(statement.get("Condition", {}))
            for arn in statement["Resource"]:
                scoped = f"matbakh-{env}-api-" in arn or f'"aws:ResourceTag/Environment": "{env}"' in condition
                scoped = scoped or f'"aws:RequestTag/Environment": "{env}"' in condition or "aws-service-role" in arn
                scoped = scoped or "aws_s3_bucket" in arn or "aws_kms_key" in arn
                assert scoped, (policy["name"], statement["Sid"], arn)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_apply_role_can_never_change_the_ci_roles(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[f"{env}-bootstrap"]
    statements = _policies_of(stack, _role(stack, "apply")[0])[f"matbakh-{env}-api-ci-write-named"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Action"] == ["iam:*"] and deny["Resource"][0].endswith(f":role/matbakh-{env}-api-ci-*")
    (pass_role,) = [s for s in statements if s["Action"] == ["iam:PassRole"]]
    assert pass_role["Resource"][0].endswith(f":role/matbakh-{env}-api-*")
    assert pass_role["Condition"]["StringEquals"]["iam:PassedToService"] == [
        "lambda.amazonaws.com",
        "scheduler.amazonaws.com",
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_role_arns_are_outputs(stacks: dict[str, dict[str, Any]], env: str) -> None:
    outputs = stacks[f"{env}-bootstrap"]["output"]
    assert {"ci_plan_role_arn", "ci_apply_role_arn", "ci_oidc_provider_arn"} <= set(outputs)
    plan_name, _ = _role(stacks[f"{env}-bootstrap"], "plan")
    assert outputs["ci_plan_role_arn"]["value"] == _ref("aws_iam_role", plan_name, "arn")


def test_an_existing_provider_and_another_github_environment(repo_copy: Path, tmp_path: Path) -> None:
    existing = f"arn:aws:iam::123456789012:oidc-provider/{OIDC}"
    staging = repo_copy / "environments" / "staging.yaml"
    staging.write_text(
        staging.read_text()
        + f"delivery:\n  oidc_provider_arn: {existing}\n  github_environment: staging-eu\n  branch: release\n"
    )
    stack = synthesize(tmp_path / "out", "--env", "staging", cwd=repo_copy)["staging-bootstrap"]
    assert "aws_iam_openid_connect_provider" not in stack["resource"]
    assert stack["output"]["ci_oidc_provider_arn"]["value"] == existing
    plan_trust, apply_trust = _trust(_role(stack, "plan")[1]), _trust(_role(stack, "apply")[1])
    assert plan_trust["Principal"] == {"Federated": existing}
    assert plan_trust["Condition"]["StringEquals"][f"{OIDC}:sub"][1] == f"repo:{REPOSITORY}:ref:refs/heads/release"
    assert apply_trust["Condition"]["StringEquals"][f"{OIDC}:sub"] == [f"repo:{REPOSITORY}:environment:staging-eu"]
