"""The account total: the environments before free tiers, the account stack set, and each free tier
credited once, equal to the hand computation from the price table."""

from __future__ import annotations

from typing import Any

import pytest

from cli.cost.account import AccountEstimate, account_estimate, free_tier_credits
from cli.cost.command import account_table
from cli.cost.estimate import Estimate, Meter, estimate
from tests.cost.fixtures import (
    PRICES,
    RATE,
    USAGE,
    account_stacks,
    bootstrap_stack,
    fixture_stack,
    without_provisioned_concurrency,
)

HOURS = PRICES.hours_per_month


def _environment(name: str, stack: dict[str, Any]) -> Estimate:
    return estimate(
        stack,
        PRICES,
        USAGE,
        environment=name,
        usd_per_eur=RATE,
        usd_per_eur_date="2026-07",
        others={f"{name}-bootstrap": bootstrap_stack()},
    )


def _account() -> AccountEstimate:
    dev = _environment("dev", without_provisioned_concurrency(fixture_stack()))
    staging = _environment("staging", fixture_stack())
    return account_estimate([dev, staging], account_stacks(), PRICES, usd_per_eur=RATE, usd_per_eur_date="2026-07")


def test_the_account_total_is_the_hand_computation_with_every_free_tier_credited_once() -> None:
    account = _account()
    dev, staging = account.environments
    key, rotation = PRICES.kms.key_month.usd, 2 * PRICES.kms.rotation_month.usd
    # account: the total budget (no actions: free) and the alert key; account-bootstrap: the state key and bucket
    assert {i.address: i.floor_usd for i in account.own.items} == pytest.approx(
        {
            "aws_budgets_budget.total": 0.0,
            "aws_kms_key.alerts_key": key,
            "aws_kms_key.alerts_key#rotation": rotation,
            "account-bootstrap/aws_kms_key.state_key": key,
            "account-bootstrap/aws_kms_key.state_key#rotation": rotation,
            "account-bootstrap/aws_s3_bucket.state_bucket": 0.0,
        }
    )
    assert account.own.total_ceiling_usd == pytest.approx(2 * (key + rotation))

    # Both environments use USAGE: 1 M requests, 100 ms, 1 GB Arm function, 10 GB out, half the edge
    # requests cached, 2 GB of logs; each has two standard alarm metrics (one high-resolution alarm
    # besides), one dashboard of two metrics, one action-enabled budget; only dev has no provisioned
    # concurrency, so only dev's function counts towards the Lambda free tier.
    expected_credits = {
        "cloudwatch_alarm_metrics": (4, 4 * PRICES.cloudwatch.alarm_metric_month.standard.usd),
        "cloudwatch_dashboards": (2, 2 * PRICES.cloudwatch.dashboard_month.usd),
        "cloudwatch_logs_gb": (4, 4 * PRICES.cloudwatch.logs_ingestion_gb.usd),
        "cloudfront_data_transfer_gb": (20, 20 * PRICES.cloudfront.data_transfer_out_gb.usd),
        "cloudfront_requests": (4_000_000, 400 * PRICES.cloudfront.https_requests_per_10k.usd),
        "lambda_requests": (1_000_000, 1 * PRICES.lambda_.requests_per_million.usd),
        "lambda_gb_seconds": (100_000, 100_000 * PRICES.lambda_.duration_gb_second.arm64.usd),
        # every request is traced (0.38 a second, under the 1-a-second reservoir): 2 M, of which 100,000 are free
        "xray_traces_recorded": (2_000_000, 0.1 * PRICES.xray.traces_recorded_per_million.usd),
        "budgets_action_enabled": (2, 2 * PRICES.budgets.action_enabled_budget_day.usd * HOURS / 24),
        "scheduler_invocations": (0, 0.0),
    }
    assert [c.tier for c in account.credits] == list(expected_credits)
    for credit_of in account.credits:
        assert (credit_of.used, credit_of.usd) == pytest.approx(expected_credits[credit_of.tier]), credit_of.tier
    credit = sum(usd for _, usd in expected_credits.values())
    assert account.credit_usd == pytest.approx(credit)
    before_floor = dev.total_floor_usd + staging.total_floor_usd + 2 * (key + rotation)
    before_ceiling = dev.total_ceiling_usd + staging.total_ceiling_usd + 2 * (key + rotation)
    assert (account.total_floor_usd, account.total_ceiling_usd) == pytest.approx(
        (before_floor - credit, before_ceiling - credit)
    )
    summary = account.summary_json()
    assert summary["free_tiers_credit_eur"] == round(credit / RATE, 2)
    assert summary["total_eur"]["ceiling"] == round((before_ceiling - credit) / RATE, 2)


def test_an_environment_figure_is_before_free_tiers() -> None:
    alone = _environment("dev", without_provisioned_concurrency(fixture_stack()))
    account = _account()
    assert account.environments[0].total_ceiling_usd == pytest.approx(alone.total_ceiling_usd)
    assert account.credit_usd > 0 and alone.gate_json()["free_tiers"].startswith("not applied")


def test_a_free_tier_takes_the_cheapest_uses_first_and_never_more_than_is_free() -> None:
    x86, arm = PRICES.lambda_.duration_gb_second.x86_64.usd, PRICES.lambda_.duration_gb_second.arm64.usd
    meters = [
        Meter("lambda_gb_seconds", "x86", 300_000, x86),
        Meter("lambda_gb_seconds", "arm", 300_000, arm),
        Meter("cloudwatch_dashboards", "board", 5, 3.0),
    ]
    credits = {c.tier: c for c in free_tier_credits(meters, PRICES.free_tiers)}
    assert credits["lambda_gb_seconds"].usd == pytest.approx(300_000 * arm + 100_000 * x86)
    assert credits["lambda_gb_seconds"].credited == 400_000 and credits["lambda_gb_seconds"].used == 600_000
    assert credits["cloudwatch_dashboards"].usd == pytest.approx(3 * 3.0)
    assert credits["xray_traces_recorded"].usd == 0.0


def test_a_dashboard_of_more_than_50_metrics_is_not_in_the_free_tier() -> None:
    import json

    stack = fixture_stack()
    body = {"widgets": [{"type": "metric", "properties": {"metrics": [["AWS/Lambda", f"M{i}"] for i in range(51)]}}]}
    stack["resource"]["aws_cloudwatch_dashboard"]["board"]["dashboard_body"] = json.dumps(body)
    result = _environment("dev", stack)
    assert not [m for m in result.meters if m.tier == "cloudwatch_dashboards"]
    (board,) = [i for i in result.items if i.address == "aws_cloudwatch_dashboard.board"]
    assert board.basis == "1 dashboard, 51 metrics" and board.floor_usd == PRICES.cloudwatch.dashboard_month.usd


def test_the_printed_account_total_says_what_the_free_tiers_take_off() -> None:
    account = _account()
    printed = account_table(account, 100, PRICES.unverified())
    assert f"the free tiers take off {account.credit_usd / RATE:.2f} EUR" in printed
    assert f"account total: floor {account.total_floor_usd / RATE:.2f}" in printed
    assert "cloudfront_requests" in printed and "dev " in printed and "before free tiers" in printed
