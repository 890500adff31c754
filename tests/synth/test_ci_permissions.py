"""The CI roles' table (modules/delivery/permissions/) covers exactly what the environment stacks contain:
a resource or data-source type added to a stack without CI's permission to manage it fails here, and so does
a table entry for a type no stack creates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from modules.delivery.permissions import BY_ID_REASONS, PERMISSIONS, Account, Grant, Tag, read_grants, statements
from modules.delivery.permissions import write_grants as table_write_grants
from modules.delivery.permissions.grants import is_tag_write
from modules.elasticache.config import ElastiCacheConfig, ServerlessCache
from tests.conftest import copy_repository, synthesize
from tests.synth.test_elasticache import synthesize_cache_stack
from tests.synth.test_lambda import RICH_DEV

ENVIRONMENTS = ("dev", "staging", "prod")
UNSCOPED = set(yaml.safe_load(Path("policies/unscoped_actions.yaml").read_text())["actions"])
ACCOUNT = Account("aws", "123456789012", "eu-central-1", "matbakh-dev-api", "dev", "Z0HOSTEDZONE", "boundary")


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """dev with every Lambda option (warmer schedules, min-0 windows) and alert e-mails."""
    root = copy_repository(tmp_path_factory.mktemp("rich-ci") / "repo")
    (root / "environments" / "dev.yaml").write_text(RICH_DEV + "alerts:\n  emails: [oncall@example.com]\n")
    return synthesize(root / "cdktf.out", "--env", "dev", "--force", cwd=root)["dev"]


def _types(stack: dict[str, Any]) -> set[str]:
    return set(stack.get("resource", {})) | set(stack.get("data", {}))


@pytest.fixture(scope="module")
def with_cache_clients(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """dev's cache with two clients: the IAM users no shipped stack has until functions are wired."""
    _, stack_dir = synthesize_cache_stack(tmp_path_factory.mktemp("cache-clients"), ("auth", "vc-start"))
    stack: dict[str, Any] = json.loads((stack_dir / "cdk.tf.json").read_text())
    return stack


@pytest.fixture(scope="module")
def serverless_cache(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A serverless cache (elasticache.serverless), which no shipped environment uses."""
    config = ElastiCacheConfig(serverless=ServerlessCache(max_data_storage_gb=1, max_ecpu_per_second=1000))
    _, stack_dir = synthesize_cache_stack(tmp_path_factory.mktemp("serverless-cache"), ("auth",), config=config)
    stack: dict[str, Any] = json.loads((stack_dir / "cdk.tf.json").read_text())
    return stack


@pytest.fixture(scope="module")
def stack_types(
    stacks: dict[str, dict[str, Any]],
    rich: dict[str, Any],
    with_cache_clients: dict[str, Any],
    serverless_cache: dict[str, Any],
) -> dict[str, set[str]]:
    return {
        **{env: _types(stacks[env]) for env in ENVIRONMENTS},
        "rich dev": _types(rich),
        "cache with clients": _types(with_cache_clients),
        "serverless cache": _types(serverless_cache),
    }


def test_the_rich_configuration_adds_the_optional_types(stack_types: dict[str, set[str]]) -> None:
    assert "aws_sns_topic_subscription" in stack_types["rich dev"] - stack_types["dev"]
    # dev's database runs in working hours only (rds.running_hours): EventBridge Scheduler starts and stops it.
    assert "aws_scheduler_schedule" in stack_types["dev"]


@pytest.mark.parametrize("stack", [*ENVIRONMENTS, "rich dev", "cache with clients", "serverless cache"])
def test_every_type_of_the_environment_stack_has_its_ci_permissions(
    stack_types: dict[str, set[str]], stack: str
) -> None:
    missing = stack_types[stack] - set(PERMISSIONS)
    assert not missing, (
        f"add {sorted(missing)} to modules/delivery/permissions/services/ (PERMISSIONS) (CI cannot manage it)"
    )


def test_the_table_lists_only_types_a_stack_creates(stack_types: dict[str, set[str]]) -> None:
    created = set().union(*stack_types.values())
    assert set(PERMISSIONS) - created == set()


def _grants() -> list[tuple[str, Grant]]:
    return [(t, g) for t, p in PERMISSIONS.items() for g in (*p.read, *p.write)]


NEEDS_NO_PERMISSION = {
    "aws_caller_identity",  # sts:GetCallerIdentity is always allowed
    "aws_partition",
    "aws_region",
    "aws_cloudfront_log_delivery_canonical_user_id",  # a documented constant: no call
}
DATA_SOURCES = {
    *NEEDS_NO_PERMISSION,
    "aws_canonical_user_id",
    # The account's CloudFront policies, found by name (account-bootstrap owns them).
    "aws_cloudfront_cache_policy",
    "aws_cloudfront_origin_request_policy",
    "aws_cloudfront_response_headers_policy",
}


def test_resources_are_read_and_written_data_sources_only_read() -> None:
    for resource_type, permissions in PERMISSIONS.items():
        assert bool(permissions.read) != (resource_type in NEEDS_NO_PERMISSION), resource_type
        assert bool(permissions.write) != (resource_type in DATA_SOURCES), resource_type
    for resource_type, grant in _grants():
        assert grant.service, resource_type  # one service per grant (raises otherwise)


def test_reads_only_read() -> None:
    for resource_type, permissions in PERMISSIONS.items():
        for grant in permissions.read:
            for action in grant.actions:
                verb = action.split(":", 1)[1]
                assert verb.startswith(("Get", "List", "Describe", "View")), (resource_type, action)


def test_every_by_id_scope_has_its_reason_and_is_used() -> None:
    used = {arn for _, grant in _grants() for arn in grant.on if arn in BY_ID_REASONS}
    assert used == set(BY_ID_REASONS)
    assert all(reason.strip() for reason in BY_ID_REASONS.values())


def test_a_tag_condition_is_only_on_arns_without_the_environments_name() -> None:
    """Named ARNs need no tag; a tag scopes what AWS names by id (otherwise the grant would be too wide)."""
    for resource_type, grant in _grants():
        if grant.tag is None:
            continue
        assert all("{prefix}" not in arn.resource for arn in grant.on), resource_type
        # Unscoped, a request tag binds creating what AWS authorises on `*` only (unscoped_actions.yaml).
        assert grant.on or (grant.tag is Tag.REQUEST and set(grant.actions) <= UNSCOPED), resource_type


def test_tag_writes_on_what_aws_names_by_id_need_the_resource_tag_or_creation() -> None:
    """Issue 18: a tag write scoped by the request's tag alone would let an environment re-tag
    another's resource as its own, then change it. So where the ARN holds no environment name, a
    tag write is granted on the resource's own tag, at creation, on an untagged default, or on the
    instance an RDS master secret belongs to."""
    for resource_type, grant in _grants():
        if not any(is_tag_write(a) for a in grant.actions):
            continue
        if grant.on and all("{prefix}" in arn.resource for arn in grant.on):
            continue  # named by the environment's prefix
        assert grant.tag is not None or grant.untagged or grant.of_databases, (resource_type, grant.actions)
        assert grant.on, (resource_type, grant.actions)  # never `*`


def _statements(types: list[str], verb: str) -> list[dict[str, Any]]:
    grants = read_grants(types) if verb == "Read" else table_write_grants(types)
    return [dict(statement) for statement in statements(grants, ACCOUNT, verb)]


def _granting(action: str, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in found if s["Effect"] == "Allow" and action in s["Action"]]


def test_an_unscoped_grant_names_only_actions_aws_authorises_on_star_alone() -> None:
    """Issue 18: unscoped_actions.yaml says why each takes only `*`; anything else is scoped."""
    for resource_type, grant in _grants():
        if not grant.on:
            assert set(grant.actions) <= UNSCOPED, (resource_type, sorted(set(grant.actions) - UNSCOPED))


@pytest.mark.parametrize(
    ("resource_type", "creating", "tagging", "tagged"),
    [
        ("aws_acm_certificate", "acm:RequestCertificate", "acm:AddTagsToCertificate", ":certificate/*"),
        ("aws_db_proxy", "rds:CreateDBProxy", "rds:AddTagsToResource", ":db-proxy:*"),
    ],
)
def test_creating_on_star_alone_stays_bound_to_the_environments_tag(
    resource_type: str, creating: str, tagging: str, tagged: str
) -> None:
    """ACM and RDS authorise these creations on `*` only: the request must carry dev's tag, and
    tagging at creation stays on the new resource's ARN."""
    found = _statements([resource_type], "Write")
    (create,) = _granting(creating, found)
    assert create["Resource"] == "*" and create["Action"] == [creating]
    assert create["Condition"]["StringEquals"] == {"aws:RequestTag/Environment": "dev"}
    tag_statements = _granting(tagging, found)
    assert tag_statements and all(s["Resource"] != "*" for s in tag_statements)
    assert all(arn.endswith(tagged) for s in tag_statements for arn in s["Resource"])


def test_the_monitoring_subscription_and_a_new_origin_access_control_are_unscoped_and_nothing_else() -> None:
    """CloudFront authorises them on `*` only and offers no condition key for them."""
    for resource_type, verb, actions in (
        ("aws_cloudfront_monitoring_subscription", "Read", ["cloudfront:GetMonitoringSubscription"]),
        (
            "aws_cloudfront_monitoring_subscription",
            "Write",
            ["cloudfront:CreateMonitoringSubscription", "cloudfront:DeleteMonitoringSubscription"],
        ),
        ("aws_cloudfront_origin_access_control", "Write", ["cloudfront:CreateOriginAccessControl"]),
    ):
        unscoped = [s for s in _statements([resource_type], verb) if s["Resource"] == "*"]
        assert [s["Action"] for s in unscoped] == [actions], resource_type
    (change,) = _granting(
        "cloudfront:DeleteOriginAccessControl", _statements(["aws_cloudfront_origin_access_control"], "Write")
    )
    assert change["Resource"] == ["arn:aws:cloudfront::123456789012:origin-access-control/*"]


def test_no_ci_role_may_write_a_cloudfront_policy_nor_update_an_access_control() -> None:
    """They take no tags and are named by a generated id, so a grant cannot tell one environment's
    from another's. The policies are the account's (account-bootstrap): the CI roles only find them by
    name. The access controls are each distribution's, immutable (modules/cdn/policies.py): created and
    deleted, never updated (CloudFront refuses to delete one a distribution uses)."""
    policies = (
        "aws_cloudfront_cache_policy",
        "aws_cloudfront_origin_request_policy",
        "aws_cloudfront_response_headers_policy",
    )
    assert not _statements(list(policies), "Write")
    read = sorted(action for s in _statements(list(policies), "Read") for action in s["Action"])
    assert read == [
        "cloudfront:GetCachePolicy",
        "cloudfront:GetOriginRequestPolicy",
        "cloudfront:GetResponseHeadersPolicy",
        "cloudfront:ListCachePolicies",
        "cloudfront:ListOriginRequestPolicies",
        "cloudfront:ListResponseHeadersPolicies",
    ]
    controls = [
        action
        for verb in ("Read", "Write")
        for s in _statements(["aws_cloudfront_origin_access_control"], verb)
        for action in s["Action"]
    ]
    assert sorted(controls) == [
        "cloudfront:CreateOriginAccessControl",
        "cloudfront:DeleteOriginAccessControl",
        "cloudfront:GetOriginAccessControl",
    ]


@pytest.mark.parametrize("verb", ["Read", "Write"])
def test_route53_get_change_reads_only_changes(verb: str) -> None:
    (change,) = _granting("route53:GetChange", _statements(["aws_route53_record"], verb))
    assert change["Resource"] == ["arn:aws:route53:::change/*"] and change["Action"] == ["route53:GetChange"]


def test_the_proxys_targets_are_read_on_the_proxy_by_its_tag_and_registered_on_its_target_group() -> None:
    reads = _statements(["aws_db_proxy_default_target_group", "aws_db_proxy_target"], "Read")
    (groups,) = _granting("rds:DescribeDBProxyTargetGroups", reads)
    assert groups["Resource"] == ["arn:aws:rds:eu-central-1:123456789012:db-proxy:*"]
    assert groups["Condition"] == {"StringEquals": {"aws:ResourceTag/Environment": "dev"}}
    targets = {arn for s in _granting("rds:DescribeDBProxyTargets", reads) for arn in s["Resource"]}
    assert targets == {
        "arn:aws:rds:eu-central-1:123456789012:db-proxy:*",
        "arn:aws:rds:eu-central-1:123456789012:target-group:*",
    }
    writes = _statements(["aws_db_proxy_target"], "Write")
    registering = {arn for s in _granting("rds:RegisterDBProxyTargets", writes) for arn in s["Resource"]}
    assert registering == {
        "arn:aws:rds:eu-central-1:123456789012:target-group:*",
        "arn:aws:rds:eu-central-1:123456789012:db:matbakh-dev-api-*",
    }


def test_the_instance_and_its_replicas_may_use_the_engines_default_option_group_and_never_tag_it() -> None:
    """RDS authorises creating an instance, a read replica (which takes its source's option group) and
    a major version upgrade on the option group the instance uses: the engine's default, as the stacks
    name none."""
    default = "arn:aws:rds:eu-central-1:123456789012:og:default:postgres-*"
    on_default = [s for s in _statements(["aws_db_instance"], "Write") if default in s["Resource"]]
    assert len(on_default) == 1 and "Condition" not in on_default[0]
    actions = set(on_default[0]["Action"])
    assert {"rds:CreateDBInstance", "rds:CreateDBInstanceReadReplica", "rds:ModifyDBInstance"} <= actions
    assert not any(is_tag_write(a) or a.startswith("rds:Delete") for a in actions)
    assert all(
        ":og:" not in arn or arn == default
        for s in _statements(["aws_db_instance"], "Write")
        if s["Resource"] != "*"
        for arn in s["Resource"]
    )
