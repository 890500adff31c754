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
GRAPH_CHECK = "CKV2_MBK_1"
# Policies of CKV_MBK_17's red-team fixtures: the other IAM checks pass them all.
ROLE_WRITERS = {
    "pass_bounded_role_writes",
    "fail_role_without_boundary",
    "fail_put_role_policy_without_condition",
    "fail_iam_put_prefix_wildcard",
    "fail_removes_the_boundary",
}
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    # check id: (resources that pass, resources that fail); `unknown_*` ones must be in neither
    "CKV_MBK_1": (
        {"pass_reserved_within_cap", "pass_prod_repository_package", "pass_prod_s3_package", "fail_prod_placeholder"},
        {"fail_reserved_above_cap", "fail_unreserved", "fail_no_environment_tag"},
    ),
    "CKV_MBK_2": (
        {"pass_pc_max_within_cap", "pass_replicas_max_within_cap", "fail_replicas_max_above_cap"},
        {"fail_pc_max_above_cap"},
    ),
    "CKV_MBK_3": (
        {"pass_replicas_max_within_cap", "pass_pc_max_within_cap", "fail_pc_max_above_cap", "unknown_pc_max_reference"},
        {"fail_replicas_max_above_cap"},
    ),
    "CKV_MBK_4": ({"pass_small_instance"}, {"fail_large_instance_and_storage"}),
    "CKV_MBK_5": ({"pass_small_node"}, {"fail_large_node"}),
    "CKV_MBK_6": ({"pass_small_instance"}, {"fail_large_instance_and_storage"}),
    "CKV_MBK_7": (
        {
            "pass_cheapest_price_class",
            "pass_prod_certificate",
            "pass_prod_domain_waiver",
            "fail_prod_default_certificate",
            "fail_prod_old_tls_policy",
            "unknown_prod_certificate_reference",
        },
        {"fail_all_edge_locations"},
    ),
    "CKV_MBK_8": ({"pass_budget_within_burst"}, {"fail_budget_above_burst", "fail_budget_without_notification"}),
    "CKV_MBK_9": (
        {"pass_scoped_policy", "pass_inline_scoped", "fail_star_resource", "fail_pass_any_role", *ROLE_WRITERS},
        {"fail_service_wildcard", "fail_inline_admin"},
    ),
    "CKV_MBK_10": (
        {"pass_scoped_policy", "pass_inline_scoped", "fail_service_wildcard", *ROLE_WRITERS},
        {"fail_star_resource", "fail_pass_any_role", "fail_inline_admin"},
    ),
    "CKV_MBK_11": (
        {"pass_scoped_policy", "pass_inline_scoped", "fail_service_wildcard", "fail_star_resource", *ROLE_WRITERS},
        {"fail_pass_any_role", "fail_inline_admin"},
    ),
    "CKV_MBK_12": (
        {
            "pass_managed_readonly",
            "pass_service_trust",
            "pass_oidc_subject_trust",
            "fail_anyone_trust",
            "fail_oidc_without_subject",
            "fail_oidc_without_audience",
            "fail_oidc_wildcard_subject",
            "fail_oidc_wildcard_in_equals",
            "unknown_trust_reference",
        },
        {"fail_admin_attached"},
    ),
    "CKV_MBK_13": (
        {"pass_service_trust", "pass_oidc_subject_trust"},
        {
            "fail_anyone_trust",
            "fail_oidc_without_subject",
            "fail_oidc_without_audience",
            "fail_oidc_wildcard_subject",
            "fail_oidc_wildcard_in_equals",
        },
    ),
    "CKV_MBK_17": (
        {
            "pass_bounded_role_writes",
            "pass_scoped_policy",
            "pass_inline_scoped",
            "fail_service_wildcard",
            "fail_star_resource",
            "fail_pass_any_role",
        },
        {
            "fail_role_without_boundary",
            "fail_put_role_policy_without_condition",
            "fail_iam_put_prefix_wildcard",
            "fail_removes_the_boundary",
            "fail_inline_admin",
        },
    ),
    "CKV_MBK_14": ({"pass_root_administers"}, {"fail_service_administers", "fail_role_administers"}),
    "CKV_MBK_15": (
        {
            "pass_prod_certificate",
            "pass_prod_domain_waiver",
            "pass_cheapest_price_class",
            "fail_all_edge_locations",
            "unknown_price_class_reference",
        },
        {"fail_prod_default_certificate", "fail_prod_old_tls_policy"},
    ),
    "CKV_MBK_16": (
        {
            "pass_prod_repository_package",
            "pass_prod_s3_package",
            "pass_reserved_within_cap",
            "fail_reserved_above_cap",
            "fail_unreserved",
            "unknown_reserved_reference",
        },
        {"fail_prod_placeholder", "fail_no_environment_tag"},
    ),
}


def _run_checkov(target: Path, checks: list[str], report_dir: Path) -> dict[str, dict[str, set[str]]]:
    """One checkov run of `checks` over `target`: check id → outcome → resource names."""
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
            outcomes[result["check_id"]][outcome].add(result["resource"].split(".", 1)[1])
    return dict(outcomes)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, set[str]]]:
    """Our resource checks over the fixture, in one checkov run."""
    return _run_checkov(FIXTURES, list(EXPECTED), tmp_path_factory.mktemp("policy-report"))


@pytest.mark.parametrize("check_id", EXPECTED)
def test_check_passes_and_fails_exactly_the_expected_resources(
    results: dict[str, dict[str, set[str]]], check_id: str
) -> None:
    passed, failed = EXPECTED[check_id]
    assert results[check_id] == {"passed": passed, "failed": failed}
    assert not any(name.startswith("unknown_") for name in results[check_id]["failed"])


@pytest.mark.parametrize(("stack", "passed", "failed"), [
    ("pass", {"pass_topic_with_budget", "pass_budget_notifying_topic"}, set()),
    ("fail", set(), {"fail_topic_without_budget"}),
])  # fmt: skip
def test_a_stack_without_a_budget_fails_on_its_alert_topic(
    stack: str, passed: set[str], failed: set[str], tmp_path: Path
) -> None:
    outcomes = _run_checkov(FIXTURES.with_name("fixtures_budget_exists") / stack, [GRAPH_CHECK], tmp_path)
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
    assert set(ids) == {*EXPECTED, GRAPH_CHECK}


def test_every_check_has_a_row_in_the_readme() -> None:
    readme = (CHECKS_DIR.parent.parent / "docs" / "policies.md").read_text()
    for check_id in _declared_ids():
        assert f"| {check_id} |" in readme
