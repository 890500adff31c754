"""Recommendations: ranked by saving, each saving exact, and applying them makes an over-budget fixture fit."""

from __future__ import annotations

from typing import Any

import pytest

from cli.cost.estimate import Estimate, estimate
from cli.cost.profiles import (
    EDGE,
    NO_DASHBOARD,
    NO_EDGE_ALARMS,
    NO_OPERATIONAL_ALARMS,
    NO_PROXY,
    NONE_BETWEEN_WINDOWS,
    ONE_KEY,
    PROFILES,
    RUNNING_HOURS,
    SERVERLESS,
)
from cli.cost.recommend import advise, apply
from tests.cost.fixtures import PRICES, RATE, USAGE, fixture_stack


def _estimate(stack: dict[str, Any], environment: str = "staging") -> Estimate:
    return estimate(stack, PRICES, USAGE, environment=environment, usd_per_eur=RATE, usd_per_eur_date="2026-11-01")


def _advise(stack: dict[str, Any], soft: float, burst: float, environment: str = "staging") -> Any:
    return advise(
        stack,
        PRICES,
        USAGE,
        environment=environment,
        usd_per_eur=RATE,
        usd_per_eur_date="2026-11-01",
        soft_limit_eur=soft,
        burst_limit_eur=burst,
    )


def _over_budget() -> dict[str, Any]:
    stack = fixture_stack()
    del stack["resource"]["aws_mystery_widget"]
    stack["resource"]["aws_appautoscaling_target"]["api_target"]["max_capacity"] = 20
    stack["resource"]["aws_db_instance"]["database"]["instance_class"] = "db.m7g.large"
    stack["resource"]["aws_cloudwatch_log_group"]["logs"]["retention_in_days"] = 365
    resources = stack["resource"]
    resources["aws_cloudwatch_dashboard"] = {"board": {"dashboard_body": "{}"}}
    alarms = resources.setdefault("aws_cloudwatch_metric_alarm", {})
    alarms["api_throttles"] = {"alarm_name": "matbakh-staging-api-api-throttles", "metric_name": "Throttles"}
    alarms["edge_5xx"] = {"alarm_name": "matbakh-staging-api-cdn-5xx", "metric_name": "5xxErrorRate", "provider": EDGE}
    resources.setdefault("aws_sns_topic", {})["edge_alerts"] = {"provider": EDGE}
    resources["aws_kms_key"]["edge_key"] = {"enable_key_rotation": True, "provider": EDGE}
    return stack


def test_recommendations_for_an_over_budget_fixture_bring_it_under_budget_when_applied() -> None:
    stack = _over_budget()
    before = _estimate(stack)
    soft, burst = 200.0, 250.0
    assert before.eur(before.total_ceiling_usd) > burst  # the premise
    advice = _advise(stack, soft, burst)
    assert not advice.fits and advice.fits_after is not None
    applied = _estimate(apply(stack, advice.recommendations[: advice.fits_after]))
    assert applied.eur(applied.total_ceiling_usd) <= burst and applied.eur(applied.total_floor_usd) <= soft
    fewer = _estimate(apply(stack, advice.recommendations[: advice.fits_after - 1]))
    assert fewer.eur(fewer.total_ceiling_usd) > burst or fewer.eur(fewer.total_floor_usd) > soft


def test_recommendations_are_ranked_by_saving_and_each_saving_is_exact() -> None:
    stack = _over_budget()
    advice = _advise(stack, 10, 20)
    savings = [(r.ceiling_saving_usd, r.floor_saving_usd) for r in advice.recommendations]
    assert savings == sorted(savings, reverse=True)
    before = _estimate(stack)
    for recommendation in advice.recommendations:
        after = _estimate(apply(stack, (recommendation,)))
        assert before.total_ceiling_usd - after.total_ceiling_usd == pytest.approx(recommendation.ceiling_saving_usd)
        assert before.total_floor_usd - after.total_floor_usd == pytest.approx(recommendation.floor_saving_usd)
    titles = [r.title for r in advice.recommendations]
    assert "lower the provisioned-concurrency maximum from 20 to 3" in titles
    assert "a smaller database instance class: db.t4g.large instead of db.m7g.large" in titles
    assert "Single-AZ database outside prod" in titles
    assert "a shorter log retention: 30 days" in titles
    assert "fewer cache replicas: at most 0 (from 1)" in titles
    assert "a smaller cache node type: cache.t4g.micro instead of cache.t4g.small" in titles
    assert "storage autoscaling only up to 26 GB (26 % above the allocated 20 GB)" in titles
    assert "Performance Insights on its free 7-day retention" in titles
    assert set(PROFILES) <= set(titles)


def test_the_no_proxy_profile_saves_exactly_the_proxys_line() -> None:
    stack = _over_budget()
    (proxy_line,) = [item for item in _estimate(stack).items if item.address == "aws_db_proxy.proxy"]
    (recommendation,) = [r for r in _advise(stack, 10, 20).recommendations if r.title == NO_PROXY]
    assert recommendation.setting == "rds.proxy: null"
    assert (recommendation.floor_saving_usd, recommendation.ceiling_saving_usd) == pytest.approx(
        (proxy_line.floor_usd, proxy_line.ceiling_usd)
    )
    assert proxy_line.floor_usd > 0


def test_one_key_for_the_environment_saves_exactly_the_other_keys_lines() -> None:
    stack = _over_budget()
    (other,) = [
        name for name, key in stack["resource"]["aws_kms_key"].items() if name != "key" and "provider" not in key
    ]
    other_lines = [item for item in _estimate(stack).items if item.address.startswith(f"aws_kms_key.{other}")]
    assert {item.address for item in other_lines} == {f"aws_kms_key.{other}", f"aws_kms_key.{other}#rotation"}
    (recommendation,) = [r for r in _advise(stack, 10, 20).recommendations if r.title == ONE_KEY]
    assert recommendation.setting == "encryption.keys: per-environment"
    saving = sum(item.floor_usd for item in other_lines)
    kms = PRICES.kms
    assert saving == pytest.approx(kms.key_month.usd + kms.rotation_month.usd * kms.rotations_charged)
    assert (recommendation.floor_saving_usd, recommendation.ceiling_saving_usd) == pytest.approx((saving, saving))


def _saving(stack: dict[str, Any], title: str) -> tuple[float, float]:
    (recommendation,) = [r for r in _advise(stack, 10, 20).recommendations if r.title == title]
    return recommendation.floor_saving_usd, recommendation.ceiling_saving_usd


def test_each_monitoring_profile_saves_exactly_its_priced_lines() -> None:
    stack = _over_budget()
    watch, kms = PRICES.cloudwatch, PRICES.kms
    dashboard = watch.dashboard_month.usd
    assert _saving(stack, NO_DASHBOARD) == pytest.approx((dashboard, dashboard))
    alarm = watch.alarm_metric_month.standard.usd
    assert _saving(stack, NO_OPERATIONAL_ALARMS) == pytest.approx((alarm, alarm))
    edge = alarm + kms.key_month.usd + kms.rotation_month.usd * kms.rotations_charged  # the topic itself is free
    assert _saving(stack, NO_EDGE_ALARMS) == pytest.approx((edge, edge))


def test_working_hours_bill_60_of_the_weeks_168_database_hours() -> None:
    stack = _over_budget()
    monthly = PRICES.monthly_instance_price_usd("db.m7g.large", multi_az=True)
    stopped = monthly * (168 - 60) / 168
    assert _saving(stack, RUNNING_HOURS) == pytest.approx((stopped, stopped))
    assert RUNNING_HOURS not in [r.title for r in _advise(apply_profile(stack, RUNNING_HOURS), 10, 20).recommendations]


def test_no_provisioned_concurrency_between_windows_saves_the_ceiling_of_those_hours() -> None:
    stack = _over_budget()  # the windows (weekdays 08:00–18:00) set min 3 / max 4, their ends min 1 / max 4
    per_instance = PRICES.lambda_.provisioned_concurrency_gb_second.arm64.usd * 1.0 * PRICES.hours_per_month * 3600
    between = (168 - 50) / 168
    floor, ceiling = _saving(stack, NONE_BETWEEN_WINDOWS)
    assert floor == pytest.approx(0)
    assert ceiling == pytest.approx((4 - 1) * between * per_instance)  # the maximum falls to the minimum, 1


def apply_profile(stack: dict[str, Any], title: str) -> dict[str, Any]:
    (recommendation,) = [r for r in _advise(stack, 10, 20).recommendations if r.title == title]
    return apply(stack, (recommendation,))


def test_prod_keeps_multi_az_and_a_replica() -> None:
    titles = [r.title for r in _advise(_over_budget(), 10, 20, environment="prod").recommendations]
    assert "Single-AZ database outside prod" not in titles and not set(PROFILES) & set(titles)
    assert not any(title.startswith("fewer cache replicas") for title in titles)


def test_a_fitting_environment_fits_without_changes() -> None:
    advice = _advise(_over_budget(), 10_000, 10_000)
    assert advice.fits and advice.fits_after == 0


def test_waste_a_minimum_held_around_the_clock_beside_windows() -> None:
    (flag,) = _advise(_over_budget(), 10, 20).waste
    assert flag.startswith("aws_lambda_alias.api_live: provisioned-concurrency minimum 1 is held around the clock")


def test_a_serverless_cache_instead_of_the_node_trades_the_node_hours_for_the_metered_minimum() -> None:
    stack = _over_budget()  # one cache.t4g.small shard with 1 replica
    nodes = 2 * PRICES.cache_node_monthly_usd("cache.t4g.small")
    storage, ecpu = (
        PRICES.elasticache.serverless_storage_gb_hour.usd,
        PRICES.elasticache.serverless_ecpu_per_million.usd,
    )
    hours = PRICES.hours_per_month
    floor = 0.1 * hours * storage
    ceiling = 1 * hours * storage + 1000 * hours * 3600 / 1e6 * ecpu
    assert _saving(stack, SERVERLESS) == pytest.approx((nodes - floor, nodes - ceiling))
    changed = apply_profile(stack, SERVERLESS)
    assert "aws_elasticache_replication_group" not in changed["resource"]
    assert [t["service_namespace"] for t in changed["resource"]["aws_appautoscaling_target"].values()] == ["lambda"]
    assert SERVERLESS not in [r.title for r in _advise(changed, 10, 20).recommendations]
