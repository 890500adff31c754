"""A prod plan never deletes or replaces a stateful resource unless ALLOW_REPLACE names it (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli import plan_guard
from cli.errors import UserError
from cli.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATABASE = "aws_db_instance.database_instance_D7FC2283"


def _plan(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def test_a_prod_replacement_of_the_database_fails_naming_it_and_how_to_allow_it() -> None:
    with pytest.raises(UserError) as raised:
        plan_guard.refuse_stateful_replacements(_plan("plan_prod_replaces_database.json"), "prod")
    assert str(raised.value) == (
        "the plan of prod would replace stateful resources (their data goes with them):\n"
        f"  replace: {DATABASE}\n"
        f"if that is intended, run `make plan ENV=prod ALLOW_REPLACE={DATABASE}`"
    )  # the replaced Lambda function, the updated cache and the unchanged bucket are not named


def test_allow_replace_lets_the_named_address_through(capsys: pytest.CaptureFixture[str]) -> None:
    plan_guard.refuse_stateful_replacements(_plan("plan_prod_replaces_database.json"), "prod", [DATABASE])
    assert f"replace of {DATABASE} allowed by ALLOW_REPLACE" in capsys.readouterr().out


def test_allow_replace_must_name_the_exact_address() -> None:
    with pytest.raises(UserError, match=DATABASE):
        plan_guard.refuse_stateful_replacements(
            _plan("plan_prod_replaces_database.json"), "prod", ["aws_db_instance.*", "aws_db_instance"]
        )


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_the_same_plan_passes_outside_prod(env: str) -> None:
    plan_guard.refuse_stateful_replacements(_plan("plan_prod_replaces_database.json"), env)


def test_deletions_of_a_key_and_a_bucket_are_refused_too() -> None:
    with pytest.raises(UserError) as raised:
        plan_guard.refuse_stateful_replacements(
            _plan("plan_prod_deletes_key_and_bucket.json"), "prod", ["aws_kms_key.state_key_5FD9E39E"]
        )
    message = str(raised.value)
    assert message.startswith("the plan of prod would delete stateful resources")
    assert "delete: aws_s3_bucket.cdn_log_bucket_0B7D2E91" in message
    assert "state_key" not in message and "aws_sns_topic" not in message
    assert message.endswith("ALLOW_REPLACE=aws_s3_bucket.cdn_log_bucket_0B7D2E91`")


def test_allow_replace_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOW_REPLACE", f"{DATABASE}, aws_s3_bucket.b")
    assert Settings.from_environment().allow_replace == (DATABASE, "aws_s3_bucket.b")
    monkeypatch.delenv("ALLOW_REPLACE")
    assert Settings.from_environment().allow_replace == ()
