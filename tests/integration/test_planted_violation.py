"""A planted violation in an environment file stops `make plan` before Terraform runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.config_files import load_environment
from tests.conftest import run
from tests.integration.conftest import make_ready_repository

pytestmark = pytest.mark.integration

PLANTS: dict[str, tuple[tuple[str, str], list[str]]] = {
    "budget above the burst cap": (
        (f"burst_limit_eur: {load_environment('dev').budget.burst_limit_eur:g}\n", "burst_limit_eur: 500\n"),
        [
            "FAILED CKV_MBK_8 aws_budgets_budget.budgets_burst_DBC15A29 (dev: cdk.tf.json): Ensure every AWS Budget stays "
            "within its environment's burst limit and notifies someone — budget limit (EUR) 500 exceeds dev's cap "
            "budget_limit_eur_max = 90 (policies/caps.yaml)"
        ],
    ),
    # 150: above dev's cap, within the account's quota shared with staging and prod (a synth-time rule)
    "reserved concurrency above the cap": (
        ("  schedule: null\n", "  schedule: null\n  functions:\n    auth: {reserved_concurrency: 150}\n"),
        [
            "FAILED CKV_MBK_1 aws_lambda_function.lambda_auth_",
            "reserved concurrency 150 exceeds dev's cap lambda_reserved_concurrency_max = 50 (policies/caps.yaml)",
        ],
    ),
}


@pytest.mark.parametrize("plant", PLANTS, ids=list(PLANTS))
def test_a_planted_violation_fails_make_plan_before_terraform(plant: str, tmp_path: Path) -> None:
    (old, new), expected = PLANTS[plant]
    bench = make_ready_repository(tmp_path)
    dev_yaml = bench.root / "environments" / "dev.yaml"
    assert old in dev_yaml.read_text()
    dev_yaml.write_text(dev_yaml.read_text().replace(old, new))

    result = run(["make", "plan", "ENV=dev"], cwd=bench.root, env=bench.env, inherit=False)

    assert result.returncode != 0
    assert "policy gate failed" in result.stderr
    for fragment in expected:
        assert fragment in result.stderr
    assert "LOCAL AWS EMULATOR" not in result.stdout, "the target was never resolved"
    # Only the scanners' answer was kept (cli/scan_cache.py): no stack's Terraform folder, no plan.
    work = bench.root / ".work"
    assert [p.name for p in work.iterdir()] == ["scan-cache"], "terraform never ran"
    assert not list(work.rglob("*.tfplan")) and not list(work.rglob(".terraform"))
    assert not (bench.root / ".emulator").exists()
