"""The gate never passes by scanning nothing, and never lets an unlisted failure through."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli import gate
from cli.errors import UserError
from cli.settings import Settings

CHECKOV = Settings.from_environment().checkov
KINDS = (
    "aws_kms_key",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_lambda_function",
    "aws_budgets_budget",
    "aws_iam_policy",
)

UNENCRYPTED_BUCKET = {
    "provider": {"aws": [{"region": "eu-central-1"}]},
    "resource": {"aws_s3_bucket": {"planted": {"bucket": "planted-unencrypted-bucket"}}},
}


def _stack(directory: Path, content: str | dict[str, Any]) -> Path:
    directory.mkdir(parents=True)
    text = content if isinstance(content, str) else json.dumps(content)
    (directory / "cdk.tf.json").write_text(text)
    return directory


def _run(target: Path, tmp_path: Path, framework: str = "terraform_json") -> gate.GateResult:
    return gate.gate(
        CHECKOV, framework=framework, targets=[target], report_dir=tmp_path / "reports", require_all_skips_used=False
    )


def test_shipped_stacks_pass_with_every_skip_used(
    stacks: dict[str, Any], synthesized_outdir: Path, tmp_path: Path
) -> None:
    # The synthesized files as `make gate` scans them: indented JSON. (Written on one line, checkov
    # quotes the whole file as the code of every finding: a 270 MB report and minutes of work.)
    targets = sorted(path.parent for path in synthesized_outdir.glob("stacks/*/cdk.tf.json"))
    assert [target.name for target in targets] == sorted(stacks)
    result = gate.gate(
        CHECKOV,
        framework="terraform_json",
        targets=targets,
        report_dir=tmp_path / "reports",
        require_all_skips_used=True,
    )
    assert result.passed > 50
    assert result.failed == [] and result.parsing_errors == []
    assert {finding.check_id for finding, _ in result.accepted} == {
        "CKV_AWS_18",
        "CKV_AWS_144",
        "CKV2_AWS_62",
        "CKV2_AWS_57",
        "CKV2_AWS_5",
        "CKV2_AWS_11",
        "CKV_AWS_117",
        "CKV_AWS_272",
        "CKV_AWS_293",
        "CKV_AWS_157",
        "CKV2_AWS_65",
        "CKV_AWS_174",
        "CKV2_AWS_42",
        "CKV_AWS_68",
        "CKV2_AWS_47",
        "CKV_AWS_310",
        "CKV_AWS_374",
        "CKV2_MBK_1",
    }
    # Our checks judged the real documents: every key policy, trust policy and inline policy
    # was readable JSON (an unreadable one would be UNKNOWN and missing from these counts).
    count = {kind: sum(len(s.get("resource", {}).get(kind, {})) for s in stacks.values()) for kind in KINDS}
    assert result.passed_by_check["CKV_MBK_14"] == count["aws_kms_key"] > 0
    assert result.passed_by_check["CKV_MBK_13"] == count["aws_iam_role"] > 0
    assert result.passed_by_check["CKV_MBK_9"] == count["aws_iam_role_policy"] + count["aws_iam_policy"] > 0
    assert count["aws_iam_policy"] == 21  # the CI roles' managed policies: 7 per environment (read 2, write 3, state 2)
    assert result.passed_by_check["CKV_MBK_1"] == count["aws_lambda_function"] > 0
    assert result.passed_by_check["CKV_MBK_8"] == count["aws_budgets_budget"] == 7  # 2 per environment + the total
    assert (tmp_path / "reports" / "results_junitxml.xml").exists()
    sarif = json.loads((tmp_path / "reports" / "results_sarif.sarif").read_text())
    assert sarif["version"] == "2.1.0"


def test_a_planted_parsing_error_fails_the_gate(tmp_path: Path) -> None:
    broken = _stack(tmp_path / "broken", '{"resource": {"aws_s3_bucket": {"x": {"bucket": ')
    with pytest.raises(UserError, match="checkov could not parse"):
        _run(broken, tmp_path)


def test_an_unlisted_failed_check_fails_the_gate(tmp_path: Path) -> None:
    planted = _stack(tmp_path / "planted", UNENCRYPTED_BUCKET)
    with pytest.raises(UserError) as raised:
        _run(planted, tmp_path)
    assert "FAILED CKV_AWS_145 aws_s3_bucket.planted" in str(raised.value)
    assert "(not in policies/skips.yaml)" in str(raised.value)


def test_a_scan_of_nothing_fails_the_gate(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UserError, match="checkov ran no check"):
        _run(empty, tmp_path)


def _report(*failed: tuple[str, str], passed: int = 3) -> dict[str, Any]:
    return {
        "check_type": "terraform_json",
        "results": {
            "failed_checks": [
                {"check_id": check, "check_name": "n", "resource": resource, "file_path": "/s/cdk.tf.json"}
                for check, resource in failed
            ],
            "parsing_errors": [],
        },
        "summary": {"passed": passed, "failed": len(failed), "parsing_errors": 0},
    }


def test_skips_accept_only_the_listed_check_on_matching_resources() -> None:
    skips = [gate.Skip("CKV_AWS_18", "aws_s3_bucket.state_*", "reason")]
    result = gate.evaluate(
        _report(("CKV_AWS_18", "aws_s3_bucket.state_bucket_1"), ("CKV_AWS_18", "aws_s3_bucket.assets")), skips
    )
    assert [f.resource for f in result.failed] == ["aws_s3_bucket.assets"]
    assert [f.resource for f, _ in result.accepted] == ["aws_s3_bucket.state_bucket_1"]
    assert result.unused_skips == []


def test_a_skip_that_matches_nothing_is_reported_as_unused() -> None:
    skips = [gate.Skip("CKV_AWS_999", "*", "gone")]
    assert gate.evaluate(_report(), skips).unused_skips == skips


def test_a_skip_without_a_reason_is_refused(tmp_path: Path) -> None:
    skips_file = tmp_path / "skips.yaml"
    skips_file.write_text("skips:\n  - check: CKV_AWS_18\n    resource: '*'\n")
    with pytest.raises(UserError, match=r"skips\[0\] \(CKV_AWS_18\): a skip must carry a reason"):
        gate.load_skips(skips_file)


def test_every_shipped_skip_has_a_reason() -> None:
    assert all(len(skip.reason) > 20 for skip in gate.load_skips())


def test_the_plan_json_is_scanned_with_the_plan_framework(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_s3_bucket.planted",
                        "mode": "managed",
                        "type": "aws_s3_bucket",
                        "name": "planted",
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "values": {"bucket": "planted"},
                    }
                ]
            }
        },
        "resource_changes": [
            {
                "address": "aws_s3_bucket.planted",
                "mode": "managed",
                "type": "aws_s3_bucket",
                "name": "planted",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": ["create"], "before": None, "after": {"bucket": "planted"}},
            }
        ],
        "configuration": {"root_module": {"resources": []}},
    }
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan))
    with pytest.raises(UserError, match=r"FAILED CKV_AWS_145 aws_s3_bucket\.planted"):
        _run(plan_file, tmp_path, framework="terraform_plan")
