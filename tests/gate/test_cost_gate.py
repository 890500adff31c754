"""The cost gate: ceiling ≤ burst budget, floor ≤ soft budget, and the largest items named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cli import cost_gate
from cli.config_files import load_environment
from cli.errors import UserError
from cli.settings import Settings
from tests.conftest import PYTHON, run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OVER = FIXTURES / "estimate_dev_over_budget.json"
WITHIN = FIXTURES / "estimate_dev_within_budget.json"


def test_an_estimate_within_both_budgets_passes() -> None:
    estimate = cost_gate.load_estimate(WITHIN)
    assert cost_gate.judge(estimate, soft_limit_eur=15, burst_limit_eur=30) == []


def test_an_estimate_over_the_budgets_fails_naming_the_largest_items() -> None:
    problems = cost_gate.judge(cost_gate.load_estimate(OVER), soft_limit_eur=15, burst_limit_eur=30)
    assert problems == [
        "estimated ceiling 96.25 EUR/month exceeds dev's burst budget 30 EUR; largest items: "
        "aws_lambda_provisioned_concurrency_config.auth 42.00, aws_elasticache_replication_group.cache 23.36, "
        "aws_db_proxy.proxy 16.75",
        "estimated floor 41.50 EUR/month exceeds dev's soft budget 15 EUR; largest items: "
        "aws_db_proxy.proxy 15.68, aws_db_instance.database_instance 13.14, aws_elasticache_replication_group.cache 11.68",
    ]


def test_an_estimate_of_another_environment_is_refused() -> None:
    with pytest.raises(UserError, match="estimates dev, not prod"):
        cost_gate.gate(OVER, environment="prod", soft_limit_eur=60, burst_limit_eur=120)


def test_a_file_that_is_not_an_estimate_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "estimate.json"
    broken.write_text('{"environment": "dev"}')
    with pytest.raises(UserError, match=r"estimate.json: not a cost estimate \(KeyError"):
        cost_gate.load_estimate(broken)


def test_the_gate_command_fails_on_an_over_budget_estimate(repo_copy: Path, synthesized_outdir: Path) -> None:
    shutil.copytree(synthesized_outdir, repo_copy / "cdktf.out")  # the run's synthesis of the same sources
    checkov = {"AUTOSCALE_CHECKOV": str(Settings.from_environment().checkov)}
    failed = run(
        [PYTHON, "-m", "cli", "gate", "--env", "dev", "--cost-estimate", str(OVER)], cwd=repo_copy, env=checkov
    )
    assert failed.returncode == 1
    assert "cost gate failed:" in failed.stderr
    assert "largest items: aws_lambda_provisioned_concurrency_config.auth 42.00" in failed.stderr
    passed = run(
        [PYTHON, "-m", "cli", "gate", "--env", "dev", "--cost-estimate", str(WITHIN)], cwd=repo_copy, env=checkov
    )
    assert passed.returncode == 0, passed.stderr
    budget = load_environment("dev").budget
    assert (
        f"cost gate: dev floor 9.50 / ceiling 27.00 EUR/month against soft {budget.soft_limit_eur:g} / "
        f"burst {budget.burst_limit_eur:g} EUR"
    ) in passed.stdout
