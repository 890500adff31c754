"""A planted violation in an environment file stops `make plan` before Terraform runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run
from tests.integration.conftest import make_ready_repository

pytestmark = pytest.mark.integration


def test_a_budget_above_the_cap_fails_make_plan_before_terraform(tmp_path: Path) -> None:
    bench = make_ready_repository(tmp_path)
    dev_yaml = bench.root / "environments" / "dev.yaml"
    dev_yaml.write_text(dev_yaml.read_text().replace("burst_limit_eur: 30", "burst_limit_eur: 500"))

    result = run(["make", "plan", "ENV=dev"], cwd=bench.root, env=bench.env, inherit=False)

    assert result.returncode != 0
    assert "policy gate failed" in result.stderr
    assert (
        "FAILED CKV_MBK_8 aws_budgets_budget.budgets_burst_DBC15A29 (cdk.tf.json): Ensure every AWS Budget stays "
        "within its environment's burst limit and notifies someone — budget limit (EUR) 500 exceeds dev's cap "
        "budget_limit_eur_max = 30 (policies/caps.yaml)"
    ) in result.stderr
    assert "LOCAL AWS EMULATOR" not in result.stdout, "the target was never resolved"
    assert not (bench.root / ".work").exists(), "terraform never ran"
    assert not (bench.root / ".emulator").exists()
