"""The CI roles of each environment's bootstrap stack, asserted on the synthesized JSON:
who may assume them (the OIDC trust) and what they may do (least privilege)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from modules.delivery.permissions import BY_ID_REASONS
from tests.conftest import PYTHON, only, resources, run, synthesize

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


def _subject(context: str, workflow: str, branch: str = "main") -> str:
    """The `sub` of the repository's customised template (repo, context, job_workflow_ref)."""
    return f"repo:{REPOSITORY}:{context}:job_workflow_ref:{REPOSITORY}/.github/workflows/{workflow}@refs/heads/{branch}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_plan_role_trusts_the_delivery_and_drift_workflows_on_main_only(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
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
                f"{OIDC}:sub": [
                    _subject("ref:refs/heads/main", "deliver-environment.yml"),
                    _subject("ref:refs/heads/main", "drift.yml"),
                ],
            }
        },
    }
    assert _kinds(_policies_of(stack, name), env) == {"read", "plan-state"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_apply_role_trusts_only_the_delivery_workflow_in_the_github_environment(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[f"{env}-bootstrap"]
    name, role = _role(stack, "apply")
    condition = _trust(role)["Condition"]["StringEquals"]
    assert condition == {
        f"{OIDC}:aud": "sts.amazonaws.com",
        f"{OIDC}:sub": [_subject(f"environment:{env}", "deliver-environment.yml")],
    }
    assert _kinds(_policies_of(stack, name), env) == {"read", "write", "apply-state"}
    plan_policies = set(_policies_of(stack, _role(stack, "plan")[0]))
    assert {p for p in _policies_of(stack, name) if "-ci-read-" in p} == {p for p in plan_policies if "-ci-read-" in p}


def _trusted_subjects(role: dict[str, Any]) -> list[str]:
    return [str(s) for s in _trust(role)["Condition"]["StringEquals"][f"{OIDC}:sub"]]


def test_only_dev_has_a_pull_request_plan_role_and_no_other_role_trusts_pull_requests(
    stacks: dict[str, dict[str, Any]],
) -> None:
    """`delivery.plan_pull_requests` is dev's alone: no role of staging or prod admits a pull request."""
    trusting = {
        role["name"]
        for name, stack in stacks.items()
        if name.endswith("-bootstrap")
        for role in resources(stack, "aws_iam_role").values()
        if "Federated" in _trust(role)["Principal"] and any(":pull_request:" in s for s in _trusted_subjects(role))
    }
    assert trusting == {"matbakh-dev-api-ci-pr-plan"}
    _, role = _role(stacks["dev-bootstrap"], "pr-plan")
    assert _trusted_subjects(role) == [_subject("pull_request", "plan-pull-request.yml")]
    assert role["max_session_duration"] == _role(stacks["dev-bootstrap"], "plan")[1]["max_session_duration"]


def _actions(statement: dict[str, Any]) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def test_the_pull_request_plan_role_reads_the_state_object_and_writes_nothing(
    stacks: dict[str, dict[str, Any]],
) -> None:
    stack = stacks["dev-bootstrap"]
    name, _ = _role(stack, "pr-plan")
    policies = _policies_of(stack, name)
    assert _kinds(policies, "dev") == {"read", "pr-plan-state"}
    (bucket_name,) = resources(stack, "aws_s3_bucket")
    (key_name,) = resources(stack, "aws_kms_key")
    bucket_arn = _ref("aws_s3_bucket", bucket_name, "arn")
    state = {s["Sid"]: s for s in policies["matbakh-dev-api-ci-pr-plan-state"]}
    assert state["ReadStateOnly"]["Resource"] == [f"{bucket_arn}/dev/matbakh-api.tfstate"]
    assert state["DecryptState"] == {
        "Sid": "DecryptState",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [_ref("aws_kms_key", key_name, "arn")],
    }
    for statement in (s for statements in policies.values() for s in statements):
        for action in _actions(statement):
            assert action.split(":", 1)[1].startswith(("Get", "List", "Describe", "View", "Decrypt")), action


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_plan_role_writes_only_the_lock_and_the_encrypted_saved_plan(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[f"{env}-bootstrap"]
    name, _ = _role(stack, "plan")
    (bucket_name,) = resources(stack, "aws_s3_bucket")
    (key_name,) = resources(stack, "aws_kms_key")
    bucket_arn = _ref("aws_s3_bucket", bucket_name, "arn")
    for policy, statements in _policies_of(stack, name).items():
        for statement in statements:
            for action in _actions(statement):
                verb = action.split(":", 1)[1]
                if policy.endswith("plan-state") and statement["Sid"] == "WriteLock":
                    assert statement["Resource"] == [f"{bucket_arn}/{env}/matbakh-api.tfstate.tflock"]
                    continue
                if policy.endswith("plan-state") and statement["Sid"] == "WriteSavedPlansEncrypted":
                    assert (action, statement["Resource"]) == ("s3:PutObject", [f"{bucket_arn}/plans/*"])
                    assert statement["Condition"] == {
                        "StringEquals": {
                            "s3:x-amz-server-side-encryption": "aws:kms",
                            "s3:x-amz-server-side-encryption-aws-kms-key-id": _ref("aws_kms_key", key_name, "arn"),
                        }
                    }
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
    assert statements["ReadAndRemoveSavedPlans"]["Action"] == ["s3:GetObject", "s3:DeleteObject"]
    assert statements["ReadAndRemoveSavedPlans"]["Resource"] == [f"{bucket_arn}/plans/*"]
    assert statements["StateKey"]["Resource"] == [_ref("aws_kms_key", key_name, "arn")]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_only_the_apply_role_reads_the_saved_plans(stacks: dict[str, dict[str, Any]], env: str) -> None:
    """A saved plan holds secret values: of the bootstrap's roles only the apply role may read `plans/`."""
    stack = stacks[f"{env}-bootstrap"]
    (bucket_name,) = resources(stack, "aws_s3_bucket")
    saved_plan = f"arn:aws:s3:::{stack['resource']['aws_s3_bucket'][bucket_name]['bucket']}/plans/0a1b/plan.tfplan"
    readers = set()
    for name, role in resources(stack, "aws_iam_role").items():
        for statement in (s for statements in _policies_of(stack, name).values() for s in statements):
            reads = statement["Effect"] == "Allow" and _allows_any(statement, ("s3:GetObject", "s3:GetObjectVersion"))
            if reads and any(_matches(pattern, saved_plan) for pattern in _resolved_resources(statement, stack)):
                readers.add(role["name"])
    assert readers == {f"matbakh-{env}-api-ci-apply"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_permission_is_scoped_to_the_environment(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[f"{env}-bootstrap"]
    for policy in resources(stack, "aws_iam_policy").values():
        if policy["name"] == f"matbakh-{env}-api-ci-boundary":
            continue  # a ceiling of the roles CI creates, not a grant: the test of the boundary below
        for statement in json.loads(policy["policy"])["Statement"]:
            if statement["Effect"] == "Deny":
                continue  # a Deny narrows what the grants allow; it needs no scope of its own
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not any(a == "*" or a.endswith(":*") for a in actions)
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
                # RDS's managed master secrets, by the instance their tag names
                scoped = scoped or (f':db:matbakh-{env}-api-*"' in condition and arn.endswith(":secret:rds!db-*"))
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
    """6,144 characters per managed policy, with the longest partition and each reference as long as what it names
    (the stack's own bucket and policy names, a key id's length)."""
    stack = stacks[f"{env}-bootstrap"]
    partition, account = "aws-us-gov", "123456789012"
    stand_ins = {"partition": partition, "account_id": account}
    arns: dict[str, Callable[[str], str]] = {
        "aws_kms_key": lambda _: f"arn:{partition}:kms:eu-central-1:{account}:key/00000000-0000-0000-0000-000000000000",
        "aws_s3_bucket": lambda name: f"arn:{partition}:s3:::{resources(stack, 'aws_s3_bucket')[name]['bucket']}",
        "aws_iam_policy": lambda name: (
            f"arn:{partition}:iam::{account}:policy/{resources(stack, 'aws_iam_policy')[name]['name']}"
        ),
    }

    def stand_in(reference: re.Match[str]) -> str:
        kind, name, attribute = reference.group(1), reference.group(2), reference.group(3)
        return arns[kind](name) if attribute == "arn" else stand_ins[attribute]

    for policy in resources(stack, "aws_iam_policy").values():
        resolved = re.sub(
            r"\$\{(?:data\.)?([a-z0-9_]+)\.([^.}]+)\.(partition|account_id|arn)\}", stand_in, policy["policy"]
        )
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
    assert plan_trust["Condition"]["StringEquals"][f"{OIDC}:sub"] == [
        _subject("ref:refs/heads/release", "deliver-environment.yml", branch="release"),
        _subject("ref:refs/heads/release", "drift.yml", branch="release"),
    ]
    assert apply_trust["Condition"]["StringEquals"][f"{OIDC}:sub"] == [
        _subject("environment:staging-eu", "deliver-environment.yml", branch="release")
    ]


def test_the_pull_request_plan_role_trusts_the_workflow_the_configuration_names(
    repo_copy: Path, tmp_path: Path
) -> None:
    dev = repo_copy / "environments" / "dev.yaml"
    dev.write_text(
        dev.read_text().replace(
            "  plan_pull_requests: true\n",
            "  plan_pull_requests: true\n  workflows: {pull_request_plan: .github/workflows/pr.yml}\n",
        )
    )
    stack = synthesize(tmp_path / "out", "--env", "dev", cwd=repo_copy)["dev-bootstrap"]
    name, role = _role(stack, "pr-plan")
    assert role["name"] == "matbakh-dev-api-ci-pr-plan"
    assert _trusted_subjects(role) == [_subject("pull_request", "pr.yml")]
    assert _kinds(_policies_of(stack, name), "dev") == {"read", "pr-plan-state"}
    # staging may not opt in at all (tests/unit/test_delivery_config.py has the message)
    staging = repo_copy / "environments" / "staging.yaml"
    staging.write_text(staging.read_text() + "delivery:\n  plan_pull_requests: true\n")
    refused = run([PYTHON, "main.py", "--env", "staging", "--outdir", str(tmp_path / "refused")], cwd=repo_copy)
    assert refused.returncode != 0 and "plan_pull_requests must be false in staging" in refused.stderr
    assert not (tmp_path / "refused" / "stacks").exists()


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


# --- Which roles a workflow's jobs assume, with which OIDC subject ---------------------------------

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
ACCOUNT = "123456789012"
_EXPRESSION = re.compile(r"^\$\{\{\s*(.+?)\s*\}\}$")
_ROLE_VARIABLE = re.compile(r"(DEV|STAGING|PROD)_([A-Z_]+)_ROLE_ARN")
_OUR_WORKFLOW = re.compile(rf"{re.escape(REPOSITORY)}/(\.github/workflows/[\w.-]+\.ya?ml)@([\w./-]+)")


@dataclass(frozen=True)
class Session:
    """A job's `configure-aws-credentials` step as GitHub runs it: the token's `sub`, the role's variable."""

    workflow: str
    job: str
    events: frozenset[str]
    subject: str
    variable: str


def _load(name: str) -> dict[Any, Any]:
    return dict(yaml.safe_load((WORKFLOWS / name).read_text()))


def _events(workflow: dict[Any, Any]) -> set[str]:
    on = workflow[True]  # YAML reads `on` as true
    return {on} if isinstance(on, str) else set(on)


def _context(events: set[str], environment: str | None) -> str:
    """The `context` claim: the job's environment, else `pull_request` on one, else the ref (main:
    pushes to main, the schedule and a dispatch run from the default branch)."""
    if environment:
        return f"environment:{environment}"
    if events & {"pull_request", "pull_request_target"}:
        return "pull_request"
    return "ref:refs/heads/main"


def _substitute(value: Any, names: dict[str, Any]) -> Any:
    """`${{ inputs.x }}` or `${{ matrix.x }}` replaced by its value; any other text unchanged."""
    match = _EXPRESSION.match(str(value))
    return names.get(match.group(1), value) if match else value


def _variable(expression: Any) -> str:
    match = _EXPRESSION.match(str(expression))
    assert match and match.group(1).startswith("vars."), f"a role comes from a repository variable: {expression!r}"
    return match.group(1).removeprefix("vars.")


def _sessions_of(
    name: str, workflow: dict[Any, Any], events: set[str], ref: str, inputs: dict[str, Any]
) -> list[Session]:
    """The role-assuming steps of `workflow` (its jobs, and the jobs of the workflows they call), run
    from `ref` on `events` with `inputs`; a job's matrix is expanded, each combination its own session."""
    found: list[Session] = []
    for job_id, job in workflow["jobs"].items():
        combinations = (job.get("strategy") or {}).get("matrix", {}).get("include") or [{}]
        for combination in combinations:
            names = {
                **{f"inputs.{k}": v for k, v in inputs.items()},
                **{f"matrix.{k}": v for k, v in combination.items()},
            }
            if "uses" in job:
                called = str(job["uses"])
                if called.startswith("./"):
                    path, called_ref = called.removeprefix("./"), ref
                else:
                    remote = _OUR_WORKFLOW.fullmatch(called)
                    assert remote, f"{name} {job_id}: calls {called}, not a workflow of {REPOSITORY}"
                    path, called_ref = remote.group(1), f"refs/heads/{remote.group(2)}"
                arguments = {k: _substitute(v, names) for k, v in (job.get("with") or {}).items()}
                found += _sessions_of(
                    path.rsplit("/", 1)[1], _load(path.rsplit("/", 1)[1]), events, called_ref, arguments
                )
                continue
            environment = _substitute(job.get("environment"), names) if job.get("environment") else None
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@"):
                    subject = (
                        f"repo:{REPOSITORY}:{_context(events, environment)}:job_workflow_ref:"
                        f"{REPOSITORY}/.github/workflows/{name}@{ref}"
                    )
                    role = _substitute(step["with"]["role-to-assume"], names)
                    found.append(Session(name, job_id, frozenset(events), subject, _variable(role)))
    return found


def _all_sessions(workflows: dict[str, dict[Any, Any]]) -> list[Session]:
    """Every session of the workflows GitHub starts by an event (not the reusable ones alone)."""
    return [
        session
        for name, workflow in workflows.items()
        if _events(workflow) - {"workflow_call"}
        for session in _sessions_of(name, workflow, _events(workflow) - {"workflow_call"}, "refs/heads/main", {})
    ]


def _shipped_workflows() -> dict[str, dict[Any, Any]]:
    return {path.name: _load(path.name) for path in sorted(WORKFLOWS.glob("*.yml"))}


def _role_of(variable: str, stacks: dict[str, dict[str, Any]]) -> tuple[str, str, dict[str, Any]]:
    """`<ENV>_<KIND>_ROLE_ARN` (a bootstrap output, docs/delivery.md) → (environment, resource name, role)."""
    match = _ROLE_VARIABLE.fullmatch(variable)
    assert match, f"{variable} names no CI role (<ENV>_<KIND>_ROLE_ARN)"
    env, kind = match.group(1).lower(), match.group(2).lower().replace("_", "-")
    (found,) = [
        (name, role)
        for name, role in resources(stacks[f"{env}-bootstrap"], "aws_iam_role").items()
        if role["name"] == f"matbakh-{env}-api-ci-{kind}"
    ]
    return env, *found


def test_every_job_assumes_a_role_that_trusts_the_subject_github_gives_it(stacks: dict[str, dict[str, Any]]) -> None:
    """The customised subject (repo, context, job_workflow_ref) of each job, derived from the workflows
    as GitHub runs them, is one its role pins: a renamed file or a moved job fails here, not in CI."""
    sessions = _all_sessions(_shipped_workflows())
    assert {(s.workflow, s.job) for s in sessions} == {
        ("deliver-environment.yml", "plan"),
        ("deliver-environment.yml", "apply"),
        ("drift.yml", "drift"),
        ("plan-pull-request.yml", "plan"),
    }
    for session in sessions:
        _, _, role = _role_of(session.variable, stacks)
        assert session.subject in _trusted_subjects(role), (session, _trusted_subjects(role))


# What reads a state or a secret, and staging's and prod's copies of them (one account for all).
_READS = ("s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt", "secretsmanager:GetSecretValue", "ssm:GetParameter*")
_REFERENCE = re.compile(r"\$\{([\w.]+)\.(\w+)\.(\w+)\}")


def _allows_any(statement: dict[str, Any], actions: tuple[str, ...]) -> bool:
    if "NotAction" in statement:
        return True
    return any(_matches(granted.lower(), wanted.lower()) or _matches(wanted.lower(), granted.lower())
               for granted in _actions(statement) for wanted in actions)  # fmt: skip


def _matches(pattern: str, value: str) -> bool:
    """IAM's matching: `*` any run of characters (`/` and `:` included), `?` one."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value) is not None


def _resolved_resources(statement: dict[str, Any], stack: dict[str, Any]) -> list[str]:
    """The statement's resources with the references of `stack` resolved to ARNs: its bucket's real
    name, a key of its own, the sample partition and account."""

    def resolve(match: re.Match[str]) -> str:
        kind, name, attribute = match.groups()
        if (kind, attribute) == ("data.aws_partition", "partition") or kind == "data.aws_partition":
            return "aws"
        if kind == "data.aws_caller_identity":
            return ACCOUNT
        if (kind, attribute) == ("aws_s3_bucket", "arn"):
            return f"arn:aws:s3:::{stack['resource']['aws_s3_bucket'][name]['bucket']}"
        if (kind, attribute) == ("aws_kms_key", "arn"):
            return f"arn:aws:kms:eu-central-1:{ACCOUNT}:key/{stack['resource']['aws_kms_key'][name]['tags']['Environment']}-{name}"
        raise AssertionError(f"a resource by an unexpected reference: {match.group(0)}")

    if "NotResource" in statement:
        return ["*"]
    listed = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    return [_REFERENCE.sub(resolve, str(resource)) for resource in listed]


def _secrets_and_state_of(env: str, stacks: dict[str, dict[str, Any]]) -> list[str]:
    """ARNs of what reads `env`'s state or secrets: the state, its errored copies and saved plans,
    the state key and the stack's keys, its secrets (RDS's own among them) and parameters."""
    bootstrap, stack = stacks[f"{env}-bootstrap"], stacks[env]
    bucket = only(bootstrap, "aws_s3_bucket")["bucket"]
    key = stack["terraform"]["backend"]["s3"]["key"]
    found = [
        f"arn:aws:s3:::{bucket}/{key}",
        f"arn:aws:s3:::{bucket}/{env}/errored/20250101T000000Z.tfstate",
        f"arn:aws:s3:::{bucket}/plans/0a1b/plan.tfplan",
        f"arn:aws:secretsmanager:eu-central-1:{ACCOUNT}:secret:rds!db-{env}-AbCdEf",
    ]
    for source in (bootstrap, stack):
        found += [f"arn:aws:kms:eu-central-1:{ACCOUNT}:key/{env}-{name}" for name in resources(source, "aws_kms_key")]
    found += [
        f"arn:aws:secretsmanager:eu-central-1:{ACCOUNT}:secret:{secret.get('name', name)}-AbCdEf"
        for name, secret in resources(stack, "aws_secretsmanager_secret").items()
    ]
    found += [
        f"arn:aws:ssm:eu-central-1:{ACCOUNT}:parameter/{str(parameter['name']).lstrip('/')}"
        for parameter in resources(stack, "aws_ssm_parameter").values()
    ]
    return found


def _reads_of_other_environments(
    env: str, role_name: str, stacks: dict[str, dict[str, Any]], others: tuple[str, ...] = ("staging", "prod")
) -> list[str]:
    """What `role_name` of `env`'s bootstrap may read of `others`' states and secrets."""
    stack = stacks[f"{env}-bootstrap"]
    found = []
    for statement in (s for statements in _policies_of(stack, role_name).values() for s in statements):
        if statement["Effect"] != "Allow" or not _allows_any(statement, _READS):
            continue
        tagged = statement.get("Condition", {}).get("StringEquals", {}).get("aws:ResourceTag/Environment")
        for other in others:
            if tagged is not None and other not in (tagged if isinstance(tagged, list) else [tagged]):
                continue  # only resources tagged for another environment
            targets = _secrets_and_state_of(other, stacks)
            found += [
                f"{statement.get('Sid')}: {target}"
                for pattern in _resolved_resources(statement, stack)
                for target in targets
                if _matches(pattern, target)
            ]
    return found


def _pull_request_roles(
    workflows: dict[str, dict[Any, Any]], stacks: dict[str, dict[str, Any]]
) -> dict[str, tuple[str, str]]:
    """Role name → (environment, resource name) of every role a pull request can assume: those its jobs
    name, and every role whose trust admits a pull request's subject (a pull request can edit its jobs)."""
    found = {}
    for session in _all_sessions(workflows):
        if session.events & {"pull_request", "pull_request_target"}:
            env, name, role = _role_of(session.variable, stacks)
            found[role["name"]] = (env, name)
    for stack_name, stack in stacks.items():
        if not stack_name.endswith("-bootstrap") or stack_name == "account-bootstrap":
            continue
        for name, role in resources(stack, "aws_iam_role").items():
            if "Federated" in _trust(role)["Principal"] and any(":pull_request:" in s for s in _trusted_subjects(role)):
                found[role["name"]] = (stack_name.removesuffix("-bootstrap"), name)
    return found


def test_no_job_on_pull_request_can_assume_a_role_that_reads_staging_or_prod(
    stacks: dict[str, dict[str, Any]],
) -> None:
    roles = _pull_request_roles(_shipped_workflows(), stacks)
    assert set(roles) == {"matbakh-dev-api-ci-pr-plan"}
    for role, (env, name) in roles.items():
        assert env not in ("staging", "prod"), role
        assert _reads_of_other_environments(env, name, stacks) == [], role


def test_the_pull_request_check_finds_a_job_that_plans_staging(stacks: dict[str, dict[str, Any]]) -> None:
    """The check above is real: a pull request's job with staging's plan role (as plan.yml had) fails it,
    and so does the dev apply role's read of every key, were it tag-free."""
    workflows = _shipped_workflows()
    workflows["plan.yml"]["jobs"]["plan"]["with"]["plan-role-arn"] = "${{ vars.STAGING_PLAN_ROLE_ARN }}"
    roles = _pull_request_roles(workflows, stacks)
    assert roles["matbakh-staging-api-ci-plan"][0] == "staging"
    reads = _reads_of_other_environments("staging", roles["matbakh-staging-api-ci-plan"][1], stacks, ("staging",))
    assert any(read.startswith("ReadState: arn:aws:s3:::matbakh-staging-api-tfstate/staging/") for read in reads), reads
    tag_free = {
        "Sid": "AnyKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": ["arn:${data.aws_partition.p.partition}:kms:*"],
    }
    assert _resolved_resources(tag_free, stacks["dev-bootstrap"]) == ["arn:aws:kms:*"]
    assert any(_matches("arn:aws:kms:*", target) for target in _secrets_and_state_of("prod", stacks))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_state_bucket_denies_saved_plans_to_all_but_the_apply_role_and_expires_them(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[f"{env}-bootstrap"]
    (bucket_name,) = resources(stack, "aws_s3_bucket")
    (apply_role,) = [
        n for n, r in resources(stack, "aws_iam_role").items() if r["name"] == f"matbakh-{env}-api-ci-apply"
    ]
    (policy,) = resources(stack, "aws_s3_bucket_policy").values()
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    assert statements["SavedPlansOnlyForTheirReader"] == {
        "Sid": "SavedPlansOnlyForTheirReader",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": [f"{_ref('aws_s3_bucket', bucket_name, 'arn')}/plans/*"],
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": _ref("aws_iam_role", apply_role, "arn")}},
    }
    assert "DenyInsecureTransport" in statements
    (lifecycle,) = resources(stack, "aws_s3_bucket_lifecycle_configuration").values()
    rules = {rule["id"]: rule for rule in lifecycle["rule"]}
    assert rules["expire-saved-plans"]["filter"] == [{"prefix": "plans/"}]
    assert rules["expire-saved-plans"]["expiration"] == [{"days": 1}]
    assert rules["expire-saved-plans"]["noncurrent_version_expiration"] == [{"noncurrent_days": 1}]
    assert rules["expire-old-state-versions"]["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]


def test_the_account_state_bucket_has_no_saved_plans(stacks: dict[str, dict[str, Any]]) -> None:
    (lifecycle,) = resources(stacks["account-bootstrap"], "aws_s3_bucket_lifecycle_configuration").values()
    assert [rule["id"] for rule in lifecycle["rule"]] == ["expire-old-state-versions"]
