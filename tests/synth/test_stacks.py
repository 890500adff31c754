"""Per-stack assertions on the synthesized JSON of the shipped environments."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from cli.config_files import load_environment
from tests.conftest import only, resources

ENVIRONMENTS = ("dev", "staging", "prod")
REQUIRED_TAGS = {"Environment", "Service", "ManagedBy", "CostCenter"}


def test_every_environment_and_the_account_have_a_bootstrap_and_a_main_stack(
    stacks: dict[str, dict[str, Any]],
) -> None:
    sets = (*ENVIRONMENTS, "account")
    assert sorted(stacks) == sorted([*sets, *(f"{name}-bootstrap" for name in sets)])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_main_stack_state_is_remote_encrypted_locked_and_per_environment(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    backend = stacks[env]["terraform"]["backend"]
    assert backend == {
        "s3": {
            "bucket": f"matbakh-{env}-api-tfstate",
            "key": f"{env}/matbakh-api.tfstate",
            "region": "eu-central-1",
            "encrypt": True,
            "use_lockfile": True,
        }
    }


def test_state_keys_and_buckets_differ_per_environment(stacks: dict[str, dict[str, Any]]) -> None:
    keys = {stacks[env]["terraform"]["backend"]["s3"]["key"] for env in ENVIRONMENTS}
    buckets = {stacks[env]["terraform"]["backend"]["s3"]["bucket"] for env in ENVIRONMENTS}
    assert len(keys) == len(buckets) == len(ENVIRONMENTS)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_bootstrap_state_is_local_and_relative(stacks: dict[str, dict[str, Any]], env: str) -> None:
    assert stacks[f"{env}-bootstrap"]["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_state_bucket_is_versioned_kms_encrypted_private_tls_only_and_expires_old_versions(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[f"{env}-bootstrap"]
    bucket = only(stack, "aws_s3_bucket")
    assert bucket["bucket"] == f"matbakh-{env}-api-tfstate"
    assert "force_destroy" not in bucket or bucket["force_destroy"] is False

    key_name = next(iter(resources(stack, "aws_kms_key")))
    key = only(stack, "aws_kms_key")
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 30

    assert only(stack, "aws_s3_bucket_versioning")["versioning_configuration"] == {"status": "Enabled"}
    (rule,) = only(stack, "aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": f"${{aws_kms_key.{key_name}.arn}}",
    }
    block = only(stack, "aws_s3_bucket_public_access_block")
    assert all(
        block[flag] is True
        for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )

    policy = json.loads(only(stack, "aws_s3_bucket_policy")["policy"])
    # TLS only, and the saved plans for the apply role alone (tests/synth/test_delivery.py)
    tls, plans = policy["Statement"]
    assert tls["Effect"] == "Deny" and tls["Sid"] == "DenyInsecureTransport"
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert plans["Effect"] == "Deny" and plans["Sid"] == "SavedPlansOnlyForTheirReader"

    lifecycle, saved_plans = only(stack, "aws_s3_bucket_lifecycle_configuration")["rule"]
    assert lifecycle["status"] == "Enabled" == saved_plans["status"]
    assert lifecycle["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
    assert saved_plans["id"] == "expire-saved-plans"


def _taggable(stack: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{kind}.{name}", body)
        for kind, instances in stack.get("resource", {}).items()
        for name, body in instances.items()
        if kind in {"aws_s3_bucket", "aws_kms_key", "aws_sns_topic"}
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_names_and_tags_come_from_the_environment(stacks: dict[str, dict[str, Any]], env: str) -> None:
    tagged = _taggable(stacks[env]) + _taggable(stacks[f"{env}-bootstrap"])
    assert tagged
    for address, body in tagged:
        assert body["tags"] == {
            "Environment": env,
            "Service": "api",
            "ManagedBy": "autoscale-infra",
            "CostCenter": "matbakh-platform",
        }, address
    topics = {body["name"]: body.get("provider") for body in resources(stacks[env], "aws_sns_topic").values()}
    # The environment's topic, its ticket topic (the SLO alarms' ticket tiers), and the CDN's us-east-1
    # topic for the edge alarms (none in dev: cdn.alarms: null).
    edge = {f"matbakh-{env}-api-alerts-edge": "aws.edge"} if load_environment(env).cdn.alarms is not None else {}
    assert topics == {f"matbakh-{env}-api-alerts": None, f"matbakh-{env}-api-tickets": None, **edge}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_kms_key_policies_are_plain_json_granting_kms_star_only_to_the_account_root(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    for stack in (stacks[env], stacks[f"{env}-bootstrap"]):
        for key in resources(stack, "aws_kms_key").values():
            for statement in json.loads(key["policy"])["Statement"]:
                if statement["Action"] == "kms:*":
                    assert statement["Principal"]["AWS"].endswith(":root")


def test_main_stack_exports_the_alert_topic(stacks: dict[str, dict[str, Any]]) -> None:
    topic_name = next(iter(resources(stacks["dev"], "aws_sns_topic")))
    assert stacks["dev"]["output"]["alert_topic_arn"] == {"value": f"${{aws_sns_topic.{topic_name}.arn}}"}
    assert set(stacks["dev-bootstrap"]["output"]) == {
        "state_bucket_name",
        "state_bucket_arn",
        "state_kms_key_arn",
        "ci_oidc_provider_arn",
        "ci_plan_role_arn",
        "ci_apply_role_arn",
        "ci_pr_plan_role_arn",  # dev alone plans pull requests
    }
    assert "ci_pr_plan_role_arn" not in stacks["staging-bootstrap"]["output"]
    assert "ci_pr_plan_role_arn" not in stacks["prod-bootstrap"]["output"]
    (pull_request_role,) = [
        name
        for name, role in resources(stacks["dev-bootstrap"], "aws_iam_role").items()
        if role["name"].endswith("-ci-pr-plan")
    ]
    assert stacks["dev-bootstrap"]["output"]["ci_pr_plan_role_arn"] == {
        "value": f"${{aws_iam_role.{pull_request_role}.arn}}"
    }


def _key_references(value: Any) -> Iterator[str]:
    """Every `aws_kms_key` a resource's arguments reference, however deeply nested."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _key_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _key_references(item)
    elif isinstance(value, str):
        yield from re.findall(r"\$\{aws_kms_key\.([A-Za-z0-9_]+)\.", value)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_keys_follow_the_environments_encryption_profile(stacks: dict[str, dict[str, Any]], env: str) -> None:
    """`encryption.keys`: per-environment (dev, staging) puts everything of the stack's region under
    one key and leaves only the edge's us-east-1 key apart; per-service (prod) gives each module its own."""
    stack = stacks[env]
    keys = resources(stack, "aws_kms_key")
    regional = sorted(name for name, key in keys.items() if "provider" not in key)
    users: dict[str, set[str]] = {}
    for kind, bodies in stack["resource"].items():
        if kind in ("aws_kms_key", "aws_kms_alias"):
            continue
        for body in bodies.values():
            for key in _key_references(body):
                users.setdefault(key, set()).add(kind)
    assert set(users) == set(keys), "every key is used, and only keys of the stack"
    aliases = {
        alias["name"].removeprefix(f"alias/matbakh-{env}-api-")
        for alias in resources(stack, "aws_kms_alias").values()
        if "provider" not in alias
    }
    if load_environment(env).encryption.keys == "per-environment":
        (key,) = regional
        assert keys[key]["description"] == f"every service of {env}" and aliases == {"environment"}
        # The database, the cache, the functions, the buckets and the alerts all use it.
        assert users[key] >= {
            "aws_db_instance",
            "aws_elasticache_replication_group",
            "aws_lambda_function",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_sns_topic",
            "aws_cloudwatch_log_group",
            "aws_sqs_queue",
        }
        assert all(keys[name]["provider"] == "aws.edge" for name in keys if name != key)
    else:
        assert aliases == {"alerts", "cache", "cdn-assets", "cdn-logs", "database", "lambda"}
        assert len(regional) == len(aliases)
        assert users[next(k for k in regional if "database" in k)] >= {"aws_db_instance", "aws_cloudwatch_log_group"}
