"""No secret value reaches a plan JSON or a gate report unnoticed (issue 18)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli import secret_scan
from cli.errors import UserError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOKEN = "fake-auth-token-for-tests-0123456789abcdef"


def _copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copy(FIXTURES / name, tmp_path / name))


def test_every_secret_attribute_of_a_plan_is_found() -> None:
    plan = json.loads((FIXTURES / "plan_dev_with_auth_token.json").read_text())
    assert sorted(location for location, _ in secret_scan.find_secrets(plan)) == [
        "$.planned_values.root_module.resources[0].values.auth_token",
        "$.prior_state.values.root_module.resources[0].values.random_password",
        "$.resource_changes[0].change.after.auth_token",
        "$.resource_changes[1].change.after.secret_string",
    ]
    assert {value for _, value in secret_scan.find_secrets(plan)} == {TOKEN}


def test_nulls_flags_references_and_masked_values_are_not_secrets() -> None:
    clean = json.loads((FIXTURES / "plan_dev_without_secrets.json").read_text())
    assert list(secret_scan.find_secrets(clean)) == []  # password null, after_sensitive {"password": true}
    synthesized = {
        "resource": {
            "aws_elasticache_replication_group": {
                "cache": {"auth_token": "${data.aws_secretsmanager_random_password.token.random_password}"}
            },
            "aws_secretsmanager_secret_version": {"v": {"secret_string": "fake-a**********"}},
            "aws_db_instance": {"db": {"password": "", "manage_master_user_password": True}},
        }
    }
    assert list(secret_scan.find_secrets(synthesized)) == []


def test_the_result_of_a_random_password_resource_is_a_secret() -> None:
    state = {"resources": [{"type": "random_password", "values": {"length": 32, "result": "fake-result-0123"}}]}
    assert [location for location, _ in secret_scan.find_secrets(state)] == ["$.resources[0].values.result"]
    other = {"resources": [{"type": "aws_lambda_invocation", "values": {"result": "{}"}}]}
    assert list(secret_scan.find_secrets(other)) == []


def test_a_checkov_report_leaks_the_unmasked_auth_token_only() -> None:
    report = json.loads((FIXTURES / "gate_report_with_auth_token.json").read_text())
    assert [location for location, _ in secret_scan.find_secrets(report)] == [
        "$.results.failed_checks[0].check_result.entity.aws_elasticache_replication_group"
        ".cache_group_D050DA10.auth_token[0]"
    ]


def test_a_text_report_is_searched_for_the_values_found_in_the_json_ones(tmp_path: Path) -> None:
    report = _copy("gate_report_with_auth_token.json", tmp_path)
    junit = tmp_path / "results_junitxml.xml"
    junit.write_text(f'<testsuites><testcase name="CKV_AWS_31"><failure message="auth_token = {TOKEN}"/></testcase>')
    clean = tmp_path / "results_sarif.sarif"
    clean.write_text(json.dumps({"version": "2.1.0", "runs": []}))
    leaks = secret_scan.scan([report, junit, clean])
    assert {leak.file for leak in leaks} == {report, junit}
    # Values read from the scanned input count too, without a JSON report that holds them.
    assert [leak.file for leak in secret_scan.scan([junit], known={TOKEN})] == [junit]


def test_refusing_names_file_and_path_never_the_value_and_deletes_the_file(tmp_path: Path) -> None:
    plan = _copy("plan_dev_with_auth_token.json", tmp_path)
    with pytest.raises(UserError) as raised:
        secret_scan.refuse_secrets([plan], what="the plan JSON of dev")
    message = str(raised.value)
    assert message.startswith("the plan JSON of dev held secret values (deleted; the values are not shown):")
    assert f"{plan}: $.resource_changes[0].change.after.auth_token" in message
    assert TOKEN not in message
    assert not plan.exists()


def test_a_plan_without_secrets_passes_and_stays(tmp_path: Path) -> None:
    plan = _copy("plan_dev_without_secrets.json", tmp_path)
    secret_scan.refuse_secrets([plan], what="the plan JSON of dev")
    assert plan.exists()
