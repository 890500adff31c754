"""The gate never passes by scanning nothing, and never lets an unlisted failure through."""

from __future__ import annotations

import json
import shutil
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
        "CKV2_AWS_5",
        "CKV2_AWS_11",
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
        # The permissions boundary (a ceiling, not a grant): its `Allow *` under the denies.
        "CKV_AWS_62",
        "CKV_AWS_63",
        "CKV2_AWS_40",
        "CKV_MBK_9",
        "CKV_MBK_10",
        "CKV_MBK_11",
        "CKV_MBK_17",
    }
    boundaries = [
        n for s in stacks.values() for n in s.get("resource", {}).get("aws_iam_policy", {}) if "boundary" in n
    ]
    accepted_17 = [finding.resource for finding, _ in result.accepted if finding.check_id == "CKV_MBK_17"]
    assert len(boundaries) == len(accepted_17) == 3  # one boundary per environment, the only role writer accepted
    assert {resource.removeprefix("aws_iam_policy.") for resource in accepted_17} == set(boundaries)
    # Our checks judged the real documents: every key policy, trust policy and inline policy
    # was readable JSON (an unreadable one would be UNKNOWN and missing from these counts).
    count = {kind: sum(len(s.get("resource", {}).get(kind, {})) for s in stacks.values()) for kind in KINDS}
    assert result.passed_by_check["CKV_MBK_14"] == count["aws_kms_key"] > 0
    assert result.passed_by_check["CKV_MBK_13"] == count["aws_iam_role"] > 0
    assert result.passed_by_check["CKV_MBK_9"] == count["aws_iam_role_policy"] + count["aws_iam_policy"] - 3 > 0
    assert result.passed_by_check["CKV_MBK_17"] == count["aws_iam_role_policy"] + count["aws_iam_policy"] - 3
    # The CI roles' managed policies, 8 per environment (read 2, write 4, state 2), and the boundary;
    # dev's pull-request plan role has its state policy too (the only environment that plans pull requests).
    assert count["aws_iam_policy"] == 3 * 9 + 1
    assert result.passed_by_check["CKV_MBK_1"] == count["aws_lambda_function"] > 0
    # Every function deploys a real package in every environment (the placeholder: dev only).
    assert result.passed_by_check["CKV_MBK_16"] == count["aws_lambda_function"]
    # Every function is in the VPC (CKV_AWS_117): they all use a store.
    assert result.passed_by_check["CKV_AWS_117"] == count["aws_lambda_function"]
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


# Issue 18: the gate is exact.

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _in(environment: str, *failed: tuple[str, str]) -> dict[str, Any]:
    report = _report(*failed)
    for check in report["results"]["failed_checks"]:
        check["file_abs_path"] = f"cdktf.out/stacks/{environment}/cdk.tf.json"
    return report


def test_a_skip_naming_environments_accepts_nowhere_else() -> None:
    skips = [gate.Skip("CKV_AWS_68", "aws_cloudfront_distribution.*", "no WAF", ("dev", "staging"))]
    finding = ("CKV_AWS_68", "aws_cloudfront_distribution.cdn")
    accepted = gate.evaluate(_in("dev", finding), skips, environment_of=gate.stack_environment)
    assert accepted.failed == [] and [f.environment for f, _ in accepted.accepted] == ["dev"]
    refused = gate.evaluate(_in("prod", finding), skips, environment_of=gate.stack_environment)
    assert [str(f) for f in refused.failed] == ["CKV_AWS_68 aws_cloudfront_distribution.cdn (prod: s/cdk.tf.json): n"]
    # Without the environment of its file, an environment-limited skip accepts nothing.
    assert len(gate.evaluate(_in("dev", finding), skips).failed) == 1


def test_a_bootstrap_stack_belongs_to_its_environment() -> None:
    assert gate.stack_environment(Path("cdktf.out/stacks/prod-bootstrap/cdk.tf.json")) == "prod"
    assert gate.stack_environment(Path(".work/emulator/dev/plan.json")) == "dev"


def test_a_skip_naming_environments_goes_stale_in_each_of_them() -> None:
    skips = [
        gate.Skip("CKV_AWS_157", "aws_db_instance.*", "single-AZ", ("dev", "staging")),
        gate.Skip("CKV_AWS_293", "aws_db_instance.*", "throwaway", ("dev",)),
    ]
    result = gate.evaluate(
        _in("dev", ("CKV_AWS_157", "aws_db_instance.db")), skips, environment_of=gate.stack_environment
    )
    assert result.stale_skips({"dev", "staging", "prod"}) == [
        "stale skip in policies/skips.yaml: CKV_AWS_293 aws_db_instance.* in dev matches nothing",
        "stale skip in policies/skips.yaml: CKV_AWS_157 aws_db_instance.* matches nothing in staging",
    ]
    assert result.stale_skips({"dev"}) == [result.stale_skips({"dev", "staging"})[0]]  # staging was not scanned


def test_skip_environments_and_keys_are_checked(tmp_path: Path) -> None:
    skips_file = tmp_path / "skips.yaml"
    skips_file.write_text(
        "skips:\n"
        "  - {check: CKV_AWS_68, reason: no WAF in test environments, environments: [dev, qa]}\n"
        "  - {check: CKV_AWS_68, reason: no WAF in test environments, environment: dev}\n"
        "  - {check: CKV_AWS_68, reason: no WAF in test environments, environments: dev}\n"
    )
    with pytest.raises(UserError) as raised:
        gate.load_skips(skips_file)
    assert str(raised.value).splitlines() == [
        "skips.yaml: skips[0] (CKV_AWS_68): environments: qa unknown; known: dev, staging, prod, account",
        "skips.yaml: skips[1] (CKV_AWS_68): unknown key environment; allowed: check, resource, reason, environments",
        "skips.yaml: skips[2] (CKV_AWS_68): environments must be a non-empty list (got 'dev')",
    ]


def test_the_shipped_skips_meant_for_some_environments_name_them() -> None:
    limited = {(s.check, s.environments) for s in gate.load_skips() if s.environments is not None}
    assert limited == {
        ("CKV_AWS_293", ("dev",)),  # deletion protection: on in staging, required in prod
        ("CKV_AWS_157", ("dev", "staging")),  # Multi-AZ: required in prod
        # the default certificate: prod too while it has no domain (its reason: CKV_MBK_15)
        ("CKV_AWS_174", ("dev", "staging", "prod")),
        ("CKV2_AWS_42", ("dev", "staging", "prod")),
        ("CKV_AWS_68", ("dev", "staging")),  # WAF: on in prod
    }


def test_a_custom_check_missing_from_the_report_did_not_run() -> None:
    stack = {"resource": {"aws_budgets_budget": {"soft": {"name": "b"}}, "aws_s3_bucket": {"b": {"bucket": "b"}}}}
    log = "2026-01-01 ERROR [base_check_registry] Cannot load external check 'budget_within_burst_limit' from x"
    problems, _ = gate.coverage(_report(), {Path("s/cdk.tf.json"): stack}, framework="terraform_json", checkov_log=log)
    assert problems == [
        "checkov: 2026-01-01 ERROR [base_check_registry] Cannot load external check 'budget_within_burst_limit' "
        "from x (the check is missing from this scan)",
        "custom check CKV_MBK_8 (policies/checks/budget_within_burst_limit.py) did not run although the scan holds "
        "aws_budgets_budget: checkov drops a check that fails to import",
    ]
    ran = _report()
    ran["results"]["passed_checks"] = [{"check_id": "CKV_MBK_8", "resource": "resource.soft", "file_path": "/x"}]
    assert gate.coverage(ran, {Path("s/cdk.tf.json"): stack}, framework="terraform_json") == ([], [])


def test_an_iam_document_without_a_result_is_unknown() -> None:
    file = Path("stacks/prod/cdk.tf.json")
    stack = {
        "resource": {
            "aws_iam_policy": {"readable": {"policy": "{}"}, "unreadable": {"policy": "not json"}},
            "aws_iam_role": {"bare": {"assume_role_policy": "{}"}, "empty_inline": {"inline_policy": [{}]}},
        }
    }
    _, expected = gate.coverage(_report(), {file: stack}, framework="terraform_json")
    assert sorted((check, r.address) for check, r in expected) == [
        ("CKV_MBK_10", "aws_iam_policy.readable"),
        ("CKV_MBK_10", "aws_iam_policy.unreadable"),
        ("CKV_MBK_11", "aws_iam_policy.readable"),
        ("CKV_MBK_11", "aws_iam_policy.unreadable"),
        ("CKV_MBK_13", "aws_iam_role.bare"),
        ("CKV_MBK_17", "aws_iam_policy.readable"),
        ("CKV_MBK_17", "aws_iam_policy.unreadable"),
        ("CKV_MBK_18", "aws_iam_role.bare"),
        ("CKV_MBK_9", "aws_iam_policy.readable"),
        ("CKV_MBK_9", "aws_iam_policy.unreadable"),
    ]
    report = _report()
    report["results"]["passed_checks"] = [
        {"check_id": check, "resource": f"resource.{name}", "file_path": "/cdk.tf.json", "file_abs_path": str(file)}
        for check, name in [(c, "readable") for c in ("CKV_MBK_9", "CKV_MBK_10", "CKV_MBK_11", "CKV_MBK_17")]
        + [("CKV_MBK_13", "bare"), ("CKV_MBK_18", "bare")]
    ]
    types = {"readable": "aws_iam_policy", "unreadable": "aws_iam_policy", "bare": "aws_iam_role"}
    result = gate.evaluate(report, [], types, gate.stack_environment, expected)
    assert sorted(f.check_id for f in result.unknown) == ["CKV_MBK_10", "CKV_MBK_11", "CKV_MBK_17", "CKV_MBK_9"]
    assert {(f.resource, f.environment) for f in result.unknown} == {("aws_iam_policy.unreadable", "prod")}
    assert [p for p in result.problems if p.startswith("UNKNOWN")] == [
        f"UNKNOWN {finding} (not in policies/skips.yaml)" for finding in result.unknown
    ]
    assert "cannot read its policy document" in result.problems[-1]


def test_the_report_folder_is_emptied_before_checkov_runs(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    (reports / "old").mkdir(parents=True)
    (reports / "results_json.json").write_text(json.dumps(_report()))  # a passing report of an earlier run
    (reports / "old" / "results_sarif.sarif").write_text("{}")
    silent = tmp_path / "checkov"
    silent.write_text("#!/bin/sh\nexit 0\n")  # a checkov that writes no report
    silent.chmod(0o755)
    with pytest.raises(UserError, match=r"checkov failed \(exit 0\)"):
        gate.run_checkov(silent, framework="terraform_json", targets=[tmp_path], report_dir=reports)
    assert list(reports.iterdir()) == []


BUDGET = {
    "provider": {"aws": [{"region": "eu-central-1"}]},
    "resource": {
        "aws_budgets_budget": {
            "soft": {
                "name": "soft",
                "budget_type": "COST",
                "limit_amount": "10",
                "limit_unit": "USD",
                "time_unit": "MONTHLY",
                "tags": {"Environment": "dev"},
            }
        }
    },
}


def test_a_custom_check_that_fails_to_import_fails_the_gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(gate.POLICIES_DIR, policies, ignore=shutil.ignore_patterns("__pycache__"))
    broken = policies / "checks" / "budget_within_burst_limit.py"
    broken.write_text("import a_module_nobody_installed  # noqa\n" + broken.read_text())
    monkeypatch.setattr(gate, "CHECKS_DIR", policies / "checks")
    with pytest.raises(UserError) as raised:
        _run(_stack(tmp_path / "dev", BUDGET), tmp_path)
    message = str(raised.value)
    assert "Cannot load external check 'budget_within_burst_limit'" in message
    assert (
        "custom check CKV_MBK_8 (policies/checks/budget_within_burst_limit.py) did not run although the scan "
        "holds aws_budgets_budget: checkov drops a check that fails to import"
    ) in message


UNREADABLE = {
    "provider": {"aws": [{"region": "eu-central-1"}]},
    "resource": {
        "aws_iam_policy": {
            "readable": {
                "name": "readable",
                "policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:::q"}],
                    }
                ),
            },
            "unreadable": {"name": "unreadable", "policy": '{"Version": "2012-10-17", "Statement": [{"Effect": '},
        },
        "aws_iam_role": {
            "referenced_trust": {"name": "r", "assume_role_policy": "${data.aws_iam_policy_document.t.json}"}
        },
    },
}


def test_a_policy_document_the_checks_cannot_read_fails_the_gate(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    stale = reports / "results_sarif.sarif"
    stale.write_text('{"runs": []}')
    with pytest.raises(UserError) as raised:
        _run(_stack(tmp_path / "prod", UNREADABLE), tmp_path)
    unknown = sorted(line.strip().split(" (")[0] for line in str(raised.value).splitlines() if "UNKNOWN" in line)
    assert unknown == [
        "UNKNOWN CKV_MBK_10 aws_iam_policy.unreadable",
        "UNKNOWN CKV_MBK_11 aws_iam_policy.unreadable",
        "UNKNOWN CKV_MBK_13 aws_iam_role.referenced_trust",
        "UNKNOWN CKV_MBK_17 aws_iam_policy.unreadable",
        "UNKNOWN CKV_MBK_18 aws_iam_role.referenced_trust",
        "UNKNOWN CKV_MBK_9 aws_iam_policy.unreadable",
    ]
    assert json.loads(stale.read_text())["version"] == "2.1.0"  # this run's SARIF, not the stale one


def test_a_report_holding_a_secret_fails_the_gate_and_is_deleted(tmp_path: Path) -> None:
    plan = Path(shutil.copy(FIXTURES / "plan_dev_with_auth_token.json", tmp_path / "plan.json"))
    with pytest.raises(UserError) as raised:
        _run(plan, tmp_path, framework="terraform_plan")
    message = str(raised.value)
    assert message.startswith(f"the gate's reports in {tmp_path / 'reports'} held secret values")
    assert f"{tmp_path / 'reports' / 'results_json.json'}: $.results.failed_checks[" in message
    assert "fake-auth-token" not in message
    assert not (tmp_path / "reports" / "results_json.json").exists()
