"""`make plan` reuses the scanners' answer for an input they have seen, and only then
(cli/scan_cache.py); the gate judges the answer every time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli import gate, scan_cache
from cli.errors import UserError
from cli.scan_cache import ScanCache, input_digest
from cli.settings import Settings

CHECKOV = Settings.from_environment().checkov
ROLE = {
    "provider": {"aws": [{"region": "eu-central-1"}]},
    "resource": {
        "aws_iam_role": {
            "app": {
                "name": "app",
                "assume_role_policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                ),
                "tags": {"Environment": "dev", "Service": "api", "ManagedBy": "autoscale-infra", "CostCenter": "x"},
            }
        }
    },
}


def _gate(stack: Path, reports: Path, cache: ScanCache) -> tuple[str, list[str]]:
    """The gate's line and its problems (none when it passes)."""
    try:
        result = gate.gate(
            CHECKOV,
            framework="terraform_json",
            targets=[stack],
            report_dir=reports,
            require_all_skips_used=False,
            environment="dev",
            scan_cache=cache,
        )
    except UserError as error:
        return "", str(error).splitlines()[1:]
    return f"{result.passed} passed, {len(result.failed)} failed, {len(result.accepted)} accepted", []


def test_an_unchanged_stack_is_judged_from_the_stored_answer_and_a_changed_one_is_scanned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = tmp_path / "stacks" / "dev"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(json.dumps(ROLE))
    cache, reports = ScanCache(tmp_path / "scan-cache"), tmp_path / "reports"
    scans: list[list[Path]] = []
    run_checkov = gate.run_checkov

    def counted(checkov: Path, **arguments: Any) -> gate.CheckovRun:
        scans.append(arguments["targets"])
        return run_checkov(checkov, **arguments)

    monkeypatch.setattr(gate, "run_checkov", counted)
    first = _gate(stack, reports, cache)
    first_reports = {p.name: p.read_bytes() for p in reports.iterdir() if p.is_file()}
    assert "unchanged since its last scan" not in capsys.readouterr().out
    (reports / "results_sarif.sarif").unlink()  # a report the last run left is never what is read

    assert _gate(stack, reports, cache) == first and len(scans) == 1
    assert "unchanged since its last scan" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in reports.iterdir() if p.is_file()} == first_reports  # SARIF included

    changed = json.loads(json.dumps(ROLE))
    changed["resource"]["aws_iam_role"]["app"]["assume_role_policy"] = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:*"}]}
    )
    (stack / "cdk.tf.json").write_text(json.dumps(changed))
    line, problems = _gate(stack, reports, cache)
    assert len(scans) == 2 and line == ""
    assert any("CKV_MBK_13" in problem for problem in problems), problems


def test_the_digest_covers_what_the_scanners_read_and_only_a_plans_timestamp_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = tmp_path / "plan.json"
    relevant = [
        {"resource": "aws_sns_topic.alerts", "attribute": ["arn"]},
        {"resource": "aws_kms_key.key", "attribute": ["arn"]},
    ]
    document = {
        "format_version": "1.2",
        "timestamp": "2026-12-03T10:00:00Z",
        "relevant_attributes": relevant,
        "resource_changes": [],
    }
    plan.write_text(json.dumps(document))

    def digest(framework: str = "terraform_plan") -> str:
        return input_digest(framework, [plan], CHECKOV, analysed=False)

    before = digest()
    # the same plan, made an hour later: Terraform writes the set of relevant attributes in any order
    plan.write_text(
        json.dumps({**document, "timestamp": "2026-12-03T11:00:00Z", "relevant_attributes": relevant[::-1]})
    )
    assert digest() == before
    assert digest("terraform_json") != before
    plan.write_text(json.dumps({**document, "resource_changes": [{"address": "aws_sns_topic.alerts"}]}))
    assert digest() != before

    stack = tmp_path / "stacks" / "dev"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(json.dumps({"resource": {}}))
    synthesized = input_digest("terraform_json", [stack], CHECKOV, analysed=True)
    (stack / ".terraform.lock.hcl").write_text("# written by terraform init, read by no scanner\n")
    assert input_digest("terraform_json", [stack], CHECKOV, analysed=True) == synthesized
    (stack / "lambda-placeholder.zip").write_bytes(b"PK")
    assert input_digest("terraform_json", [stack], CHECKOV, analysed=True) != synthesized

    checks = tmp_path / "policies"
    checks.mkdir()
    (checks / "a_check.py").write_text("# one check\n")
    monkeypatch.setattr(scan_cache, "_READ_BY_THE_SCANNERS", (checks,))
    monkeypatch.setattr(scan_cache, "ROOT", tmp_path)
    with_check = digest()
    (checks / "a_check.py").write_text("# the check, edited\n")
    assert digest() != with_check
