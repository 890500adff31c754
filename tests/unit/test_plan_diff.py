"""The reviewer's diff of a plan (cli/plan_diff.py, issue 18): destructive changes first, updates with
their attributes, secrets never shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli import plan_diff, secret_scan
from cli.terraform import _summary

GATE_FIXTURES = Path(__file__).resolve().parent.parent / "gate" / "fixtures"
OWN_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "plan_updates_with_sensitive_values.json"
DATABASE = "aws_db_instance.database_instance_D7FC2283"
CACHE = "aws_elasticache_replication_group.cache_group_D050DA10"


def _plan(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _gate_plan(name: str) -> dict[str, Any]:
    return _plan(GATE_FIXTURES / name)


def test_replacements_come_first_then_updates_with_old_and_new_values() -> None:
    assert plan_diff.render(_gate_plan("plan_prod_replaces_database.json")) == [
        f"!! REPLACE {DATABASE} (cannot be updated in place)",
        '     engine: "postgres" → "aurora-postgresql"',
        "!! REPLACE aws_lambda_function.lambda_api_function_5A3F0C11 (cannot be updated in place; "
        "the new one is created first)",
        '     function_name: "matbakh-prod-api" → "matbakh-prod-api-v2"',
        f"~  update  {CACHE}",
        '     node_type: "cache.m7g.large" → "cache.m7g.xlarge"',
        "0 to create, 1 to update, 0 to delete, 2 to replace",
    ]  # the unchanged bucket and the data source read are not listed


def test_deletions_name_their_reason() -> None:
    assert plan_diff.render(_gate_plan("plan_prod_deletes_key_and_bucket.json")) == [
        "!! DELETE  aws_kms_key.state_key_5FD9E39E (removed from the configuration)",
        "!! DELETE  aws_s3_bucket.cdn_log_bucket_0B7D2E91",
        "!! DELETE  aws_sns_topic.alerts_topic_1A2B3C4D",
        "0 to create, 0 to update, 3 to delete, 0 to replace",
    ]


def test_creations_are_listed_by_address_and_their_secrets_stay_out() -> None:
    plan = _gate_plan("plan_dev_with_auth_token.json")
    lines = plan_diff.render(plan)
    assert lines == [
        f"+  create  {CACHE}",
        "+  create  aws_secretsmanager_secret_version.cache_auth_token_version_9E1D",
        "2 to create, 0 to update, 0 to delete, 0 to replace",
    ]
    assert "fake-auth-token" not in "\n".join(lines)


def test_a_plan_without_changes_says_so() -> None:
    plan = _gate_plan("plan_dev_without_secrets.json")
    for change in plan["resource_changes"]:
        change["change"]["actions"] = ["no-op"]
    assert plan_diff.render(plan) == ["no changes"]


def test_updates_show_changed_attributes_redacted_unknown_and_capped() -> None:
    assert plan_diff.render(_plan(OWN_FIXTURE)) == [
        f"!! REPLACE {DATABASE} (cannot be updated in place; the new one is created first)",
        '     engine: "postgres" → "aurora-postgresql" (forces replacement)',
        "     password: (sensitive) → (sensitive)",
        "     endpoint: null → (known after apply)",
        f"~  update  {CACHE}",
        "     auth_token: (sensitive) → (sensitive)",
        '     description: "cache" → "the cache of the api service, in front of the database, fo…',
        '     tags.Owner: "platform" → "payments"',
        '     engine_version_actual: "8.0.1" → (known after apply)',
        "~  update  aws_lambda_function.lambda_api_function_5A3F0C11",
        # Not marked sensitive, but it holds the cache's new token: hidden as well.
        '     environment[0].variables.CACHE_URL: "rediss://cache:6379" → (sensitive)',
        "     environment[0].variables.DB_PASSWORD: (sensitive) → (sensitive)",
        "     memory_size: 512 → 1024",
        "     last_modified: null → (known after apply)",
        "~  update  aws_secretsmanager_secret_version.cache_auth_token_version_9E1D",
        "     secret_string: (sensitive) → (sensitive)",  # a secret attribute, though Terraform did not mark it
        "~  update  aws_iam_role_policy.lambda_api_policy_1B2C3D4E",
        '     policy.Statement[0].Action: "sqs:SendMessage" → ["sqs:SendMessage", "sqs:DeleteMessage"]',
        "<= import  aws_s3_bucket_policy.cdn_assets_policy_7A8B9C0D (import id matbakh-dev-api-assets)",
        "-> move    aws_sns_topic.alerts_topic_5E6F7A8B (moved from aws_sns_topic.alerts_topic_1A2B3C4D)",
        "0 to create, 4 to update, 0 to delete, 1 to replace, 1 to import, 1 to move",
    ]


def test_the_number_of_attribute_lines_and_their_length_are_capped() -> None:
    lines = plan_diff.render(_plan(OWN_FIXTURE), attribute_lines=2, value_chars=20)
    cache = lines.index(f"~  update  {CACHE}")
    assert lines[cache + 1 : cache + 4] == [
        "     auth_token: (sensitive) → (sensitive)",
        '     description: "cache" → "the cache of the a…',
        "     … and 2 more changed attributes",
    ]
    assert lines[1:4] == [
        '     engine: "postgres" → "aurora-postgresql" (forces replacement)',  # what forces it is never cut
        "     password: (sensitive) → (sensitive)",
        "     … and 1 more changed attribute",
    ]


def _secret_values(plan: dict[str, Any]) -> set[str]:
    """Every value the fixture holds under a secret attribute or marked sensitive."""
    values = {value for _, value in secret_scan.find_secrets(plan)}
    for change in plan["resource_changes"]:
        for side in ("before", "after"):
            values.update(
                plan_diff._marked_strings(change["change"][side], change["change"][f"{side}_sensitive"], marked=False)
            )
    return values


@pytest.mark.parametrize(
    "path", [OWN_FIXTURE, *sorted(GATE_FIXTURES.glob("plan_*.json"))], ids=lambda path: Path(path).stem
)
def test_no_secret_value_appears(path: Path) -> None:
    plan = _plan(path)
    secrets = _secret_values(plan)
    text = "\n".join(plan_diff.render(plan, value_chars=1000))
    if path == OWN_FIXTURE:
        assert len(secrets) >= 6  # the fixture holds what this test is about
    assert not [secret for secret in secrets if secret in text or secret[:12] in text]


@pytest.mark.parametrize("path", [OWN_FIXTURE, *sorted(GATE_FIXTURES.glob("plan_*.json"))], ids=lambda p: Path(p).stem)
def test_the_count_line_agrees_with_the_plan_summary(path: Path) -> None:
    plan = _plan(path)
    counts = _summary(plan)
    assert plan_diff.render(plan)[-1].startswith(
        f"{counts['create']} to create, {counts['update']} to update, {counts['delete']} to delete, "
        f"{counts['replace']} to replace"
    )
