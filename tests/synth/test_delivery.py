"""The CI roles of each environment's bootstrap stack, asserted on the synthesized JSON:
who may assume them (the OIDC trust) and what they may do (least privilege)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from modules.delivery.permissions import BY_ID_REASONS
from tests.conftest import only, resources, synthesize

ENVIRONMENTS = ("dev", "staging", "prod")
REPOSITORY = "matbakh/autoscale-infra"
OIDC = "token.actions.githubusercontent.com"
BY_ID = {arn.resource for arn in BY_ID_REASONS}
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


def _kinds(policies: dict[str, Any], env: str) -> set[str]:
    """`read`, `write` (numbered parts, `-1` … `-n`, contiguous) or the state policies' names."""
    kinds: dict[str, list[int]] = {}
    for name in policies:
        kind = re.sub(r"-[0-9]+$", "", name.removeprefix(f"matbakh-{env}-api-ci-"))
        kinds.setdefault(kind, []).append(int(name.rsplit("-", 1)[1]) if kind in {"read", "write"} else 0)
    assert all(sorted(n) == list(range(1, len(n) + 1)) for k, n in kinds.items() if k in {"read", "write"}), kinds
    return set(kinds)


def _trust(role: dict[str, Any]) -> dict[str, Any]:
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    return dict(statement)


def test_the_account_bootstrap_creates_the_one_github_oidc_provider(stacks: dict[str, dict[str, Any]]) -> None:
    """IAM holds one provider per URL and account: a second environment creating its own fails
    (EntityAlreadyExists), so only `account-bootstrap` creates it."""
    provider = only(stacks["account-bootstrap"], "aws_iam_openid_connect_provider")
    assert provider["url"] == f"https://{OIDC}"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]
    assert provider["tags"]["Environment"] == "account"
    (name,) = resources(stacks["account-bootstrap"], "aws_iam_openid_connect_provider")
    output = stacks["account-bootstrap"]["output"]["ci_oidc_provider_arn"]["value"]
    assert output == _ref("aws_iam_openid_connect_provider", name, "arn")
    creating = [name for name, stack in stacks.items() if resources(stack, "aws_iam_openid_connect_provider")]
    assert creating == ["account-bootstrap"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_trusts_the_accounts_provider_looked_up_by_url(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[f"{env}-bootstrap"]
    (name, lookup), *others = stack["data"]["aws_iam_openid_connect_provider"].items()
    assert not others
    assert {key: value for key, value in lookup.items() if key != "//"} == {"url": f"https://{OIDC}"}
    reference = _ref("data.aws_iam_openid_connect_provider", name, "arn")
    for which in ("plan", "apply"):
        assert _trust(_role(stack, which)[1])["Principal"] == {"Federated": reference}
    assert stack["output"]["ci_oidc_provider_arn"]["value"] == reference


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_plan_role_trusts_pull_requests_and_the_branch_only(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[f"{env}-bootstrap"]
    (provider_name,) = stack["data"]["aws_iam_openid_connect_provider"]
    name, role = _role(stack, "plan")
    assert role["name"] == f"matbakh-{env}-api-ci-plan"
    assert _trust(role) == {
        "Sid": "GitHubActionsOidc",
        "Effect": "Allow",
        "Principal": {"Federated": _ref("data.aws_iam_openid_connect_provider", provider_name, "arn")},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {
                f"{OIDC}:aud": "sts.amazonaws.com",
                f"{OIDC}:sub": [f"repo:{REPOSITORY}:pull_request", f"repo:{REPOSITORY}:ref:refs/heads/main"],
            }
        },
    }
    assert _kinds(_policies_of(stack, name), env) == {"read", "plan-state"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_apply_role_trusts_only_the_github_environment(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[f"{env}-bootstrap"]
    name, role = _role(stack, "apply")
    condition = _trust(role)["Condition"]["StringEquals"]
    assert condition == {f"{OIDC}:aud": "sts.amazonaws.com", f"{OIDC}:sub": [f"repo:{REPOSITORY}:environment:{env}"]}
    assert _kinds(_policies_of(stack, name), env) == {"read", "write", "apply-state"}
    plan_policies = set(_policies_of(stack, _role(stack, "plan")[0]))
    assert {p for p in _policies_of(stack, name) if "-ci-read-" in p} == {p for p in plan_policies if "-ci-read-" in p}


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
        if policy["name"] == f"matbakh-{env}-api-ci-boundary":
            continue  # a ceiling of the roles CI creates, not a grant: the test of the boundary below
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
                scoped = scoped or any(arn.endswith(f":{pattern}") for pattern in BY_ID)  # generated id, no tags
                scoped = scoped or arn.endswith(f":dashboard/matbakh-{env}-api")  # the dashboard is the prefix
                assert scoped, (policy["name"], statement["Sid"], arn)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_apply_role_can_never_change_the_ci_roles(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[f"{env}-bootstrap"]
    statements = [s for p in _policies_of(stack, _role(stack, "apply")[0]).values() for s in p]
    (deny,) = [s for s in statements if s["Sid"] == "NeverTheCiRolesThemselves"]
    assert deny["Effect"] == "Deny"
    assert deny["Action"] == ["iam:*"] and deny["Resource"][0].endswith(f":role/matbakh-{env}-api-ci-*")
    assert deny["Resource"][1].endswith(f":policy/matbakh-{env}-api-ci-*")  # the boundary among them
    (pass_role,) = [s for s in statements if s["Action"] == ["iam:PassRole"]]
    assert pass_role["Resource"] == [pass_role["Resource"][0]]
    assert pass_role["Resource"][0].endswith(f":role/matbakh-{env}-api-*")
    assert pass_role["Condition"]["StringEquals"]["iam:PassedToService"] == [
        "events.amazonaws.com",
        "lambda.amazonaws.com",
        "monitoring.rds.amazonaws.com",
        "rds.amazonaws.com",
        "scheduler.amazonaws.com",
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_apply_role_can_never_change_the_state_buckets_settings_or_its_key(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[f"{env}-bootstrap"]
    statements = {s["Sid"]: s for p in _policies_of(stack, _role(stack, "apply")[0]).values() for s in p}
    (bucket_name,) = resources(stack, "aws_s3_bucket")
    (key_name,) = resources(stack, "aws_kms_key")
    bucket, key = statements["NeverTheStateBucketsSettings"], statements["NeverTheStateKeysSettings"]
    assert (bucket["Effect"], bucket["Resource"]) == ("Deny", [_ref("aws_s3_bucket", bucket_name, "arn")])
    assert {"s3:DeleteBucket*", "s3:PutBucket*"} <= set(bucket["Action"])
    assert (key["Effect"], key["Resource"]) == ("Deny", [_ref("aws_kms_key", key_name, "arn")])
    assert {"kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey*"} <= set(key["Action"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_managed_policy_fits_iams_limit_once_references_resolve(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    """6,144 characters per managed policy, with the longest partition and real-length ids for the references."""
    stack = stacks[f"{env}-bootstrap"]
    stand_ins = {
        "partition": "aws-us-gov",
        "account_id": "123456789012",
        "arn": "arn:aws-us-gov:kms:eu-central-1:123456789012:key/00000000-0000-0000-0000-000000000000",
    }
    for policy in resources(stack, "aws_iam_policy").values():
        resolved = re.sub(r"\$\{[^}]*\.(partition|account_id|arn)\}", lambda m: stand_ins[m.group(1)], policy["policy"])
        assert "${" not in resolved, resolved
        assert len(resolved) <= 6144, (policy["name"], len(resolved))
    for which in ("plan", "apply"):
        assert len(_policies_of(stack, _role(stack, which)[0])) <= 10  # IAM's default quota per role


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
    assert "aws_iam_openid_connect_provider" not in stack["data"]  # named: neither created nor looked up
    assert stack["output"]["ci_oidc_provider_arn"]["value"] == existing
    plan_trust, apply_trust = _trust(_role(stack, "plan")[1]), _trust(_role(stack, "apply")[1])
    assert plan_trust["Principal"] == {"Federated": existing}
    assert plan_trust["Condition"]["StringEquals"][f"{OIDC}:sub"][1] == f"repo:{REPOSITORY}:ref:refs/heads/release"
    assert apply_trust["Condition"]["StringEquals"][f"{OIDC}:sub"] == [f"repo:{REPOSITORY}:environment:staging-eu"]


def _assumed_sessions() -> list[tuple[str, str, str, int, int]]:
    """(workflow, job, role input, session seconds, job timeout seconds) of every job that assumes a role."""
    found = []
    for path in sorted((Path(__file__).resolve().parents[2] / ".github" / "workflows").glob("*.yml")):
        for job_id, job in yaml.safe_load(path.read_text())["jobs"].items():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@"):
                    settings = step["with"]
                    session = int(settings.get("role-duration-seconds", 3600))  # the action's default
                    found.append((path.name, job_id, settings["role-to-assume"], session, job["timeout-minutes"] * 60))
    return found


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_credentials_outlast_every_job_and_the_roles_allow_them(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[f"{env}-bootstrap"]
    allowed = {which: _role(stack, which)[1]["max_session_duration"] for which in ("plan", "apply")}
    sessions = _assumed_sessions()
    assert {job for _, job, *_ in sessions} >= {"plan", "apply"}
    for workflow, job, role, session, timeout in sessions:
        assert session >= timeout, f"{workflow} {job}: credentials of {session} s expire before its {timeout} s timeout"
        which = "apply" if "apply" in role else "plan"
        assert session <= allowed[which], f"{workflow} {job}: {session} s exceeds the {which} role's {allowed[which]} s"
    assert allowed["apply"] > allowed["plan"] == 3600


ROLE_WRITES = {"iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_role_ci_creates_is_under_the_environments_boundary(stacks: dict[str, dict[str, Any]], env: str) -> None:
    bootstrap = stacks[f"{env}-bootstrap"]
    ((boundary_id, boundary),) = [
        (n, p)
        for n, p in resources(bootstrap, "aws_iam_policy").items()
        if p["name"] == f"matbakh-{env}-api-ci-boundary"
    ]
    statements = {s["Sid"]: s for s in json.loads(boundary["policy"])["Statement"]}
    assert statements["NeverIamStsOrTheAccount"] == {
        "Sid": "NeverIamStsOrTheAccount",
        "Effect": "Deny",
        "Action": ["account:*", "iam:*", "organizations:*", "sts:*"],
        "Resource": "*",
    }
    assert statements["NeverAnotherEnvironment"]["Condition"] == {
        "StringNotEquals": {"aws:ResourceTag/Environment": env},
        "Null": {"aws:ResourceTag/Environment": "false"},
    }
    roles = resources(stacks[env], "aws_iam_role")
    assert len(roles) >= 7  # five functions, the database proxy and its monitoring, the CDN's forwarder
    for name, role in roles.items():
        assert role["permissions_boundary"].endswith(f":policy/matbakh-{env}-api-ci-boundary"), name

    # The apply role writes roles and their policies only with that boundary, and never removes one.
    _, apply_role = _role(bootstrap, "apply")
    granted = [s for statements in _policies_of(bootstrap, _role(bootstrap, "apply")[0]).values() for s in statements]
    allowed = [s for s in granted if s["Effect"] == "Allow"]
    writing = [s for s in allowed if ROLE_WRITES & set(s["Action"])]
    assert {a for s in writing for a in s["Action"]} >= ROLE_WRITES
    for statement in writing:
        assert set(statement["Action"]) <= ROLE_WRITES, statement["Sid"]  # nothing unbounded rides along
        assert statement["Condition"] == {
            "StringEquals": {"iam:PermissionsBoundary": f"${{aws_iam_policy.{boundary_id}.arn}}"}
        }
    assert not any("iam:DeleteRolePermissionsBoundary" in s["Action"] or "iam:*" in s["Action"] for s in allowed)
    assert apply_role["name"] == f"matbakh-{env}-api-ci-apply"
