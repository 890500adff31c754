"""The price table's corrected figures, its free tiers and the exchange rate, each against its entry
and its source; and what a broken table or rate file says."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest
import yaml

from cli.cost import prices as prices_module
from cli.cost.prices import load_exchange_rate, load_price_table
from cli.errors import UserError
from tests.cost.fixtures import EXCHANGE_RATE, PRICES

LAMBDA_PRICE_LIST = "https://github.com/remotion-dev/remotion/blob/046e45a4f63b969222351c3768bf7fcd3cf4d1f3/"
BUDGETS_PRICE_LIST = "https://huggingface.co/datasets/labofsahil/aws-pricing-dataset/raw/"
RATE_CODE = re.compile(r"\b[A-Z0-9]{16}\b")
# The ECB's daily USD reference rates of July 2026 (eurofxref-daily.xml, in the copy the rate file names).
JULY_2026_DAILY_RATES = (
    1.1383, 1.1399, 1.1448, 1.1415, 1.1433, 1.1404, 1.1435, 1.1430, 1.1424, 1.1405, 1.1406, 1.1467,
    1.1435, 1.1426, 1.1418, 1.1408, 1.1392, 1.1377, 1.1389, 1.1367, 1.1380, 1.1476, 1.1485,
)  # fmt: skip


def test_lambda_provisioned_concurrency_x86_is_the_price_list_figure() -> None:
    lam = PRICES.lambda_
    for price, usd, code in (
        (lam.provisioned_concurrency_gb_second.x86_64, 0.0000050147, "SADU4Z93G2F3QPA2"),
        (lam.duration_with_provisioned_concurrency_gb_second.x86_64, 0.0000117011, "6963ZK4U22NHS35G"),
        (lam.duration_gb_second.x86_64, 0.0000166667, "S4ZKFHQ6B28FBYVW"),
        (lam.duration_gb_second.arm64, 0.0000133334, "6PPNGCBXY95TENXZ"),
        (lam.requests_per_million, 0.20, "CKZQ3D25MV9ET243"),
    ):
        assert price.usd == usd
        assert price.verified and price.source.startswith(LAMBDA_PRICE_LIST) and code in price.note


def test_lambda_arm64_provisioned_rates_are_derived_at_aws_arm_ratio_and_say_so() -> None:
    lam = PRICES.lambda_
    for arm, x86 in (
        (lam.provisioned_concurrency_gb_second.arm64, lam.provisioned_concurrency_gb_second.x86_64),
        (
            lam.duration_with_provisioned_concurrency_gb_second.arm64,
            lam.duration_with_provisioned_concurrency_gb_second.x86_64,
        ),
    ):
        assert arm.usd == round(x86.usd * 0.8, 10)
        assert not arm.verified and arm.note.startswith("derived, not read")
    assert (
        lam.provisioned_concurrency_gb_second.arm64.usd,
        lam.duration_with_provisioned_concurrency_gb_second.arm64.usd,
    ) == (
        0.0000040118,
        0.0000093609,
    )


def test_budgets_without_actions_are_free_and_two_action_enabled_budgets_too() -> None:
    budgets = PRICES.budgets
    assert budgets.budget_day.usd == 0.0 and budgets.budget_day.verified
    assert budgets.action_enabled_budget_day.usd == 0.10 and budgets.action_enabled_budget_day.verified
    tier = PRICES.free_tiers.budgets_action_enabled
    assert (tier.quantity, tier.verified) == (2, True)
    for figure in (budgets.budget_day, budgets.action_enabled_budget_day, tier):
        assert figure.source.startswith(BUDGETS_PRICE_LIST)


def test_kms_rotation_and_secrets_manager_entries() -> None:
    assert (PRICES.kms.key_month.usd, PRICES.kms.rotation_month.usd, PRICES.kms.rotations_charged) == (1.0, 1.0, 2)
    assert (PRICES.secretsmanager.secret_month.usd, PRICES.secretsmanager.api_calls_per_10k.usd) == (0.40, 0.05)
    assert PRICES.xray.traces_recorded_per_million.usd == 5.0


def test_valkey_serverless_rates_and_metered_minimum() -> None:
    cache = PRICES.elasticache
    assert (cache.serverless_storage_gb_hour.usd, cache.serverless_ecpu_per_million.usd) == (0.092, 0.00253)
    assert (cache.serverless_minimum_storage.quantity, cache.serverless_minimum_storage.unit) == (0.1, "GB")
    assert "aws-samples/amazon-elasticache-samples" in cache.serverless_storage_gb_hour.source
    assert not cache.serverless_storage_gb_hour.verified and not cache.serverless_ecpu_per_million.verified


@pytest.mark.parametrize(
    ("tier", "quantity"),
    [
        ("cloudwatch_alarm_metrics", 10),
        ("cloudwatch_dashboards", 3),
        ("cloudwatch_logs_gb", 5),
        ("cloudfront_data_transfer_gb", 1024),
        ("cloudfront_requests", 10_000_000),
        ("lambda_requests", 1_000_000),
        ("lambda_gb_seconds", 400_000),
        ("xray_traces_recorded", 100_000),
        ("budgets_action_enabled", 2),
        ("scheduler_invocations", 14_000_000),
    ],
)
def test_each_free_tier_is_its_table_entry(tier: str, quantity: float) -> None:
    entry = PRICES.free_tiers.of(tier)
    assert entry.quantity == quantity
    assert entry.source.startswith("https://") and entry.date <= PRICES.date


def test_a_dashboard_counts_towards_its_free_tier_only_up_to_50_metrics() -> None:
    assert PRICES.free_tiers.cloudwatch_dashboards.limit == 50


def test_every_figure_has_a_source_and_a_date_and_every_verified_one_names_its_price_list_code() -> None:
    figures = PRICES.figures()
    assert len(figures) > 50
    for name, figure in figures.items():
        assert figure.source.startswith("https://"), name
        assert figure.date <= PRICES.date, name
        if figure.verified:
            assert RATE_CODE.search(figure.note), f"{name}: verified, but its note names no rate code"
    assert set(PRICES.unverified()) == {name for name, figure in figures.items() if not figure.verified}
    assert "rds.instance_hour.db.m7g.large" in PRICES.unverified()
    assert "lambda.requests_per_million" not in PRICES.unverified()


def test_the_exchange_rate_is_the_ecb_july_2026_average_of_its_daily_rates() -> None:
    assert len(JULY_2026_DAILY_RATES) == 23  # the TARGET working days of July 2026
    assert round(statistics.mean(JULY_2026_DAILY_RATES), 4) == EXCHANGE_RATE.usd_per_eur == 1.1417
    assert (EXCHANGE_RATE.period, EXCHANGE_RATE.date.isoformat()) == ("2026-07", "2026-07-31")
    assert EXCHANGE_RATE.source.startswith("https://www.ecb.europa.eu/")
    assert "2026-07-01" in EXCHANGE_RATE.note and EXCHANGE_RATE.copy_.startswith("https://github.com/")


def test_a_price_without_a_source_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = yaml.safe_load((prices_module.PRICES_DIR / "eu-central-1.yaml").read_text())
    del table["kms"]["key_month"]["source"]
    (tmp_path / "xx-test-1.yaml").write_text(yaml.safe_dump(table))
    monkeypatch.setattr(prices_module, "PRICES_DIR", tmp_path)
    with pytest.raises(
        UserError, match=r"(?s)xx-test-1\.yaml: invalid price table: .*kms\.key_month\.source\s+Field required"
    ):
        load_price_table("xx-test-1")


def test_a_malformed_exchange_rate_names_the_file_and_the_field(tmp_path: Path) -> None:
    broken = tmp_path / "exchange-rate.yaml"
    text = (prices_module.EXCHANGE_RATE_FILE).read_text().replace("period: 2026-07", "period: July")
    broken.write_text(text)
    with pytest.raises(UserError, match=r"(?s)exchange-rate\.yaml: invalid exchange rate: .*period"):
        load_exchange_rate(broken)


def test_the_budgets_and_the_gate_convert_at_the_estimates_sourced_rate() -> None:
    """AWS Budgets take USD: the environments' budgets, the account's and the gate's caps convert EUR
    at the same dated ECB figure the estimate uses, not at a rate of their own."""
    from cli.config_files import load_account, load_environment
    from tests.conftest import REPO

    caps = yaml.safe_load((REPO / "policies" / "caps.yaml").read_text())["eur_to_usd"]
    assert (caps["rate"], caps["date"].isoformat()) == (EXCHANGE_RATE.usd_per_eur, EXCHANGE_RATE.date.isoformat())
    for budget in [load_environment(env).budget for env in ("dev", "staging", "prod")] + [load_account().budget]:
        assert (budget.usd_per_eur, budget.usd_per_eur_date) == (EXCHANGE_RATE.usd_per_eur, EXCHANGE_RATE.date)
