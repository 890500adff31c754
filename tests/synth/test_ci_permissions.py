"""The CI roles' table (modules/delivery/permissions/) covers exactly what the environment stacks contain:
a resource or data-source type added to a stack without CI's permission to manage it fails here, and so does
a table entry for a type no stack creates."""

from __future__ import annotations

import json
from typing import Any

import pytest

from modules.delivery.permissions import BY_ID_REASONS, PERMISSIONS, Grant
from modules.elasticache.config import ElastiCacheConfig, ServerlessCache
from tests.conftest import copy_repository, synthesize
from tests.synth.test_elasticache import synthesize_cache_stack
from tests.synth.test_lambda import RICH_DEV

ENVIRONMENTS = ("dev", "staging", "prod")


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
DATA_SOURCES = {*NEEDS_NO_PERMISSION, "aws_canonical_user_id"}


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
        assert grant.on or grant.actions == ("kms:CreateKey",), resource_type
