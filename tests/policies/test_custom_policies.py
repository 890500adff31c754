"""Each of our checks passes, fails and leaves unknown exactly the fixture resources it should."""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from cli.gate import CHECKS_DIR
from cli.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
"""One folder per check, named by its id: `pass_*` resources the check passes, `fail_*` ones it
fails, `unknown_*` ones whose value is a reference it cannot judge (neither)."""
GRAPH_CHECK = "CKV2_MBK_1"
RESOURCE_CHECKS = sorted(path.name for path in FIXTURES.iterdir() if path.is_dir() and path.name != GRAPH_CHECK)


def _fixture_names(check_id: str) -> dict[str, set[str]]:
    """The resources of a check's fixture by their prefix: pass, fail, unknown."""
    stack = json.loads((FIXTURES / check_id / "cdk.tf.json").read_text())
    names = {name for of_type in stack["resource"].values() for name in of_type}
    by_prefix = {prefix: {n for n in names if n.startswith(f"{prefix}_")} for prefix in ("pass", "fail", "unknown")}
    return {**by_prefix, "all": names}


def _run_checkov(
    target: Path, checks: list[str], report_dir: Path, *, own_folders: bool = False
) -> dict[str, dict[str, set[str]]]:
    """One checkov run of `checks` over `target`: check id → outcome → resource names (with
    `own_folders`, only those of the folder named by the check's id)."""
    completed = subprocess.run(
        [
            str(Settings.from_environment().checkov),
            "-d",
            str(target),
            "--framework",
            "terraform_json",
            "--external-checks-dir",
            str(CHECKS_DIR),
            "--check",
            ",".join(checks),
            "--skip-download",
            "-o",
            "json",
            "--output-file-path",
            str(report_dir),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    assert "Cannot load external check" not in completed.stderr, completed.stderr
    report = json.loads((report_dir / "results_json.json").read_text())
    assert report["summary"]["parsing_errors"] == 0
    outcomes: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"passed": set(), "failed": set()})
    for outcome in ("passed", "failed"):
        for result in report["results"][f"{outcome}_checks"]:
            if own_folders and Path(result["file_path"]).parent.name != result["check_id"]:
                continue
            outcomes[result["check_id"]][outcome].add(result["resource"].split(".", 1)[1])
    return dict(outcomes)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, set[str]]]:
    """Each resource check over its own fixture folder, in one checkov run over all of them."""
    return _run_checkov(FIXTURES, RESOURCE_CHECKS, tmp_path_factory.mktemp("policy-report"), own_folders=True)


@pytest.mark.parametrize("check_id", RESOURCE_CHECKS)
def test_check_passes_and_fails_exactly_the_expected_resources(
    results: dict[str, dict[str, set[str]]], check_id: str
) -> None:
    names = _fixture_names(check_id)
    assert names["pass"] and names["fail"], f"{check_id}'s fixture needs a resource of each outcome"
    assert names["pass"] | names["fail"] | names["unknown"] == names["all"], "a name says its outcome"
    assert results[check_id] == {"passed": names["pass"], "failed": names["fail"]}


@pytest.mark.parametrize(("stack", "passed", "failed"), [
    ("pass", {"pass_topic_with_budget", "pass_budget_notifying_topic"}, set()),
    ("fail", set(), {"fail_topic_without_budget"}),
])  # fmt: skip
def test_a_stack_without_a_budget_fails_on_its_alert_topic(
    stack: str, passed: set[str], failed: set[str], tmp_path: Path
) -> None:
    outcomes = _run_checkov(FIXTURES / GRAPH_CHECK / stack, [GRAPH_CHECK], tmp_path)
    assert outcomes.get(GRAPH_CHECK, {"passed": set(), "failed": set()}) == {"passed": passed, "failed": failed}


def _declared_ids() -> list[str]:
    ids = []
    for path in sorted(CHECKS_DIR.glob("*.py")) + sorted(CHECKS_DIR.glob("*.yaml")):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith('id="'):
                ids.append(stripped.split('"')[1])
            elif stripped.startswith("id: "):
                ids.append(stripped.removeprefix("id: "))
    return ids


def test_every_check_file_defines_one_check_with_a_unique_id() -> None:
    ids = _declared_ids()
    assert len(ids) == len(set(ids))
    assert set(ids) == {*RESOURCE_CHECKS, GRAPH_CHECK}, "each check has a fixture folder named by its id"


def test_every_check_has_a_row_in_the_readme() -> None:
    readme = (CHECKS_DIR.parent.parent / "docs" / "policies.md").read_text()
    for check_id in _declared_ids():
        assert f"| {check_id} |" in readme


def test_a_retag_by_the_request_tag_alone_fails_and_says_why(tmp_path: Path) -> None:
    """Issue 18's red-team case: `ec2:CreateTags` on every EC2 resource, conditioned only on the
    request's `Environment` tag, lets one environment re-tag another's VPC as its own (CKV_MBK_10)."""
    completed = subprocess.run(
        [
            str(Settings.from_environment().checkov),
            "-f",
            str(FIXTURES / "CKV_MBK_10" / "cdk.tf.json"),
            "--framework",
            "terraform_json",
            "--external-checks-dir",
            str(CHECKS_DIR),
            "--check",
            "CKV_MBK_10",
            "--skip-download",
            "-o",
            "json",
            "--output-file-path",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    report = json.loads((tmp_path / "results_json.json").read_text())
    details = {
        r["resource"].split(".", 1)[1]: " ".join(r.get("details") or []) for r in report["results"]["failed_checks"]
    }
    assert "re-tag another environment's resource" in details["fail_retag_by_request_tag_only"]
    assert "ec2:CreateTags on arn:aws:ec2:eu-central-1:123456789012:*" in details["fail_retag_by_request_tag_only"]
    assert "ec2:CreateVpc" not in details["fail_retag_by_request_tag_only"]  # not a tag write
