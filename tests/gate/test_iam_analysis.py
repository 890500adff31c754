"""The IAM analysers (parliament, cloudsplaining) in the gate: every document of every stack judged,
nothing unaccepted shipped, a planted escalation or typo caught, the skips list as strict as checkov's
(issue 18)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cli import gate, iam_analysis
from cli.errors import UserError
from cli.settings import Settings

CHECKOV = Settings.from_environment().checkov
PYTHON = CHECKOV.parent / "python"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _analyse(*files: Path) -> iam_analysis.Analysis:
    return iam_analysis.finish(iam_analysis.start(PYTHON, list(files)))


def _planted(name: str, tmp_path: Path, environment: str = "dev") -> Path:
    """A fixture as the stack `environment`: `<tmp>/<environment>/cdk.tf.json`."""
    stack = tmp_path / environment / "cdk.tf.json"
    stack.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / name, stack)
    return stack


def _documents(stacks: dict[str, dict[str, Any]]) -> int:
    """Permission and resource policies as the analysers find them (trust policies: CKV_MBK_13's)."""
    count = 0
    for stack in stacks.values():
        for kind, instances in stack.get("resource", {}).items():
            for values in instances.values():
                if kind in ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"):
                    count += 1
                count += len(values.get("inline_policy") or []) if kind == "aws_iam_role" else 0
                attribute = iam_analysis.RESOURCE_POLICIES.get(kind)
                count += bool(attribute and values.get(attribute))
    return count


def test_every_document_of_every_shipped_stack_is_analysed_and_nothing_unaccepted_remains(
    stacks: dict[str, dict[str, Any]], synthesized_outdir: Path
) -> None:
    files = sorted(synthesized_outdir.glob("stacks/*/cdk.tf.json"))
    assert [file.parent.name for file in files] == sorted(stacks)  # the bootstrap stacks (CI roles) included
    analysis = _analyse(*files)
    assert analysis.documents == _documents(stacks) > 70
    # The CI roles' managed policies (bootstrap stacks) are among them, with findings the skips name.
    ci = {Path(f.file).parent.name for f in analysis.findings if f.address.startswith("aws_iam_policy.delivery_")}
    assert ci == {"dev-bootstrap", "staging-bootstrap", "prod-bootstrap"}
    result = gate.evaluate_iam(
        analysis, gate.load_skips(gate.IAM_SKIPS_FILE, gate.IAM_SKIP_KEYS), gate.stack_environment
    )
    assert [str(f) for f in result.failed] == []
    assert result.stale_skips({"dev", "staging", "prod", "account"}) == []
    # Issue 18's target: no privilege-escalation path, accepted or not; nor a document the tools could not read.
    assert [f for f in analysis.findings if f.id == "PrivilegeEscalation" or f.tool == iam_analysis.ANALYSIS] == []


def test_a_planted_escalation_fails_the_gate_naming_cloudsplaining(tmp_path: Path) -> None:
    stack = _planted("iam_planted_escalation.json", tmp_path)
    reports = tmp_path / "reports"
    with pytest.raises(UserError) as raised:
        gate.gate(
            CHECKOV,
            framework="terraform_json",
            targets=[stack.parent],
            report_dir=reports,
            require_all_skips_used=False,
        )
    failed = {
        line.strip().split(" (")[0]
        for line in str(raised.value).splitlines()
        if line.strip().startswith("FAILED cloudsplaining:PrivilegeEscalation")
    }
    assert failed == {
        f"FAILED cloudsplaining:PrivilegeEscalation aws_iam_policy.planted_escalation [{method}]"
        for method in ("PassExistingRoleToNewLambdaThenInvoke", "CreateAccessKey", "AttachUserPolicy")
    }
    assert "(not in policies/iam_skips.yaml)" in str(raised.value)
    assert "FAILED cloudsplaining:ResourceExposure aws_iam_policy.planted_escalation [iam:AttachUserPolicy]" in str(
        raised.value
    )
    # checkov ran too, in the same gate.
    assert "FAILED CKV_MBK_11 aws_iam_policy.planted_escalation" in str(raised.value)


def test_planted_invalid_actions_condition_keys_and_resources_are_caught_by_parliament(tmp_path: Path) -> None:
    analysis = _analyse(_planted("iam_planted_invalid.json", tmp_path))
    assert analysis.documents == 6  # the unreadable one is a finding, not a document
    assert sorted((f.check_id, f.address, f.subject) for f in analysis.findings) == [
        ("iam_analysis:UNREADABLE", "aws_iam_policy.unreadable", ""),
        ("iam_analysis:UNRESOLVED_REFERENCE", "aws_iam_role_policy.no_stand_in", "${aws_ssm_parameter.parameter.arn}"),
        ("parliament:RESOURCE_MISMATCH", "aws_iam_role_policy.wrong_type", "sns:Publish"),
        ("parliament:UNKNOWN_ACTION", "aws_iam_role_policy.typo", "sqs:SendMesage"),
        ("parliament:UNKNOWN_CONDITION_FOR_ACTION", "aws_iam_role_policy.wrong_key", "sqs:SendMessage"),
        # A literal principal is judged; one holding `${…}` (the account root) is left to our checks.
        ("parliament:UNKNOWN_PRINCIPAL", "aws_s3_bucket_policy.bucket", "NotAPrincipal"),
    ]
    # `aws_iam_role_policy.sound`: references stood in for by the shape of their values (queue,
    # bucket objects, a log group's streams) give no finding.
    result = gate.evaluate_iam(analysis, [], gate.stack_environment)
    assert (
        "FAILED parliament:UNKNOWN_CONDITION_FOR_ACTION aws_iam_role_policy.wrong_key [sqs:SendMessage] "
        "(dev: dev/cdk.tf.json): Unknown condition for action — Sid WrongKey; Unknown condition sqs:NoSuchKey for "
        "action sqs:SendMessage (not in policies/iam_skips.yaml)"
    ) in result.findings_problems


def _finding(check: str, address: str, subject: str = "") -> iam_analysis.IamFinding:
    tool, _, finding_id = check.partition(":")
    return iam_analysis.IamFinding("stacks/prod/cdk.tf.json", address, tool, finding_id, "title", subject)


def test_a_skip_accepts_only_its_check_resource_subject_and_environments() -> None:
    analysis = iam_analysis.Analysis(
        2,
        (
            _finding("parliament:RESOURCE_STAR", "aws_kms_key.key_1", "kms:Decrypt"),
            _finding("parliament:RESOURCE_STAR", "aws_iam_policy.p", "kms:Decrypt"),
            _finding("parliament:RESOURCE_MISMATCH", "aws_iam_policy.p", "sns:Publish"),
            _finding("parliament:RESOURCE_MISMATCH", "aws_iam_policy.p", "sqs:SendMessage"),
            _finding("cloudsplaining:DataExfiltration", "aws_iam_policy.p", "s3:GetObject"),
        ),
    )
    skips = [
        gate.Skip("parliament:RESOURCE_STAR", "aws_kms_key.*", "a key policy's * is the key"),
        gate.Skip("parliament:RESOURCE_MISMATCH", "aws_iam_policy.*", "narrower", subject="sns:*"),
        gate.Skip("cloudsplaining:DataExfiltration", "aws_iam_policy.p", "dev only", ("dev",)),
    ]
    result = gate.evaluate_iam(analysis, skips, gate.stack_environment)
    assert [(f.check_id, f.resource, f.subject) for f, _ in result.accepted] == [
        ("parliament:RESOURCE_STAR", "aws_kms_key.key_1", "kms:Decrypt"),
        ("parliament:RESOURCE_MISMATCH", "aws_iam_policy.p", "sns:Publish"),
    ]
    assert [(f.check_id, f.subject) for f in result.failed] == [
        ("parliament:RESOURCE_STAR", "kms:Decrypt"),
        ("parliament:RESOURCE_MISMATCH", "sqs:SendMessage"),
        ("cloudsplaining:DataExfiltration", "s3:GetObject"),  # prod: the entry names dev only
    ]
    assert result.stale_skips({"dev", "prod"}) == [
        "stale skip in policies/iam_skips.yaml: cloudsplaining:DataExfiltration aws_iam_policy.p in dev matches nothing"
    ]


def test_a_skip_that_matches_nothing_is_reported_and_fails_a_full_gate(tmp_path: Path) -> None:
    skips = [gate.Skip("parliament:UNKNOWN_ACTION", "aws_iam_role_policy.typo", "gone", subject="sqs:SendMesage")]
    analysis = _analyse(_planted("iam_planted_escalation.json", tmp_path))
    result = gate.evaluate_iam(analysis, skips, gate.stack_environment)
    assert result.unused_skips == skips
    assert result.stale_skips({"dev"}) == [
        "stale skip in policies/iam_skips.yaml: parliament:UNKNOWN_ACTION aws_iam_role_policy.typo [sqs:SendMesage] "
        "matches nothing"
    ]


def test_an_iam_skip_without_a_reason_or_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    skips_file = tmp_path / "iam_skips.yaml"
    skips_file.write_text(
        "skips:\n"
        "  - {check: 'parliament:RESOURCE_STAR', resource: 'aws_kms_key.*'}\n"
        "  - {check: 'parliament:RESOURCE_STAR', reason: the key itself, action: 'kms:*'}\n"
    )
    with pytest.raises(UserError) as raised:
        gate.load_skips(skips_file, gate.IAM_SKIP_KEYS)
    assert str(raised.value).splitlines() == [
        "iam_skips.yaml: skips[0] (parliament:RESOURCE_STAR): a skip must carry a reason",
        "iam_skips.yaml: skips[1] (parliament:RESOURCE_STAR): unknown key action; "
        "allowed: check, resource, reason, environments, subject",
    ]
    # checkov's skips take no `subject`: a finding of checkov names no action.
    skips_file.write_text("skips:\n  - {check: CKV_AWS_18, reason: state buckets log nothing, subject: x}\n")
    with pytest.raises(UserError, match=r"unknown key subject; allowed: check, resource, reason, environments$"):
        gate.load_skips(skips_file)


def test_every_shipped_iam_skip_has_a_reason_and_a_known_tool() -> None:
    skips = gate.load_skips(gate.IAM_SKIPS_FILE, gate.IAM_SKIP_KEYS)
    assert skips and all(len(skip.reason) > 40 for skip in skips)
    assert {skip.check.split(":")[0] for skip in skips} <= {iam_analysis.PARLIAMENT, iam_analysis.CLOUDSPLAINING}


def test_a_failed_analysis_is_an_error_never_an_empty_result(tmp_path: Path) -> None:
    broken = tmp_path / "dev" / "cdk.tf.json"
    broken.parent.mkdir()
    broken.write_text('{"resource": ')
    with pytest.raises(UserError) as raised:
        _analyse(broken)
    assert str(raised.value) == (
        f"the IAM analysis failed (exit 1): cannot analyse: {broken} is not JSON "
        "(Expecting value: line 1 column 14 (char 13))"
    )
    with pytest.raises(UserError, match="the IAM analysers' Python is not installed at"):
        iam_analysis.start(tmp_path / "no-python", [broken])


def test_every_stand_in_names_a_resource_type_of_the_iam_database() -> None:
    """A typo in ARN_OF would surface only when a stack first references that type."""
    script = (
        "import json; from cli import iam_analysis as a; "
        "print(json.dumps({k: a._arn_pattern(*t, region='eu-central-1') for k, t in a.ARN_OF.items()}))"
    )
    completed = subprocess.run(
        [str(PYTHON), "-c", script], cwd=iam_analysis.ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    patterns: dict[str, str] = json.loads(completed.stdout)
    assert patterns["aws_cloudwatch_log_group"] == "arn:aws:logs:eu-central-1:*:log-group:*"
    assert patterns["aws_s3_bucket"] == "arn:aws:s3:::*"
    for kind, pattern in patterns.items():
        service = iam_analysis.ARN_OF[kind][0]
        assert pattern.startswith(f"arn:aws:{service}:") and "${" not in pattern, kind
