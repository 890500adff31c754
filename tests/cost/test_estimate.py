"""The estimate of a fixture stack is the hand computation from the price table's figures."""

from __future__ import annotations

from typing import Any

import pytest

from cli.config_files import load_environment
from cli.cost.command import cost_of, table
from cli.cost.estimate import Estimate, average_minimum, estimate
from cli.cost.prices import load_price_table
from environments.names import ENVIRONMENT_NAMES
from environments.usage import UsageAssumptions
from tests.cost.fixtures import PRICES, RATE, USAGE, bootstrap_stack, fixture_stack

HOURS = PRICES.hours_per_month
SECONDS = HOURS * 3600
# Monday to Friday 08:00–18:00: 50 of the week's 168 hours.
WINDOW_SHARE = 50 / 168


def _estimate(stack: dict[str, Any]) -> Estimate:
    return estimate(stack, PRICES, USAGE, environment="dev", usd_per_eur=RATE, usd_per_eur_date="2026-11-01")


def _item(result: Estimate, address: str) -> tuple[float, float]:
    (item,) = [i for i in result.items if i.address == address]
    return item.floor_usd, item.ceiling_usd


def test_the_fixture_estimate_equals_the_hand_computation() -> None:
    result = _estimate(fixture_stack())
    pc = PRICES.lambda_.provisioned_concurrency_gb_second.arm64.usd * 1.0 * SECONDS  # one 1 GB instance a month
    node = PRICES.elasticache.node_hour["cache.t4g.small"].usd * HOURS
    database = PRICES.rds.instance_hour["db.t4g.small"].multi_az * HOURS
    gb = PRICES.rds.gp3_gb_month.multi_az.usd
    key = PRICES.kms.key_month.usd
    expected = {
        # base minimum 1, raised to 3 for 50 h a week; maximum 4 around the clock
        "aws_lambda_alias.api_live": ((1 + 2 * WINDOW_SHARE) * pc, 4 * pc),
        "aws_elasticache_replication_group.cache": (2 * node, 2 * node),
        "aws_db_instance.database": (database, database),
        "aws_db_instance.database#storage": (20 * gb, 50 * gb),
        "aws_db_instance.database#performance_insights": (2 * PRICES.rds.performance_insights_paid_vcpu_month.usd,) * 2,
        # manage_master_user_password: RDS keeps the master password as a secret of its own
        "aws_db_instance.database#master_user_secret": (PRICES.secretsmanager.secret_month.usd,) * 2,
        "aws_db_proxy.proxy": (2 * PRICES.rds.proxy_vcpu_hour.usd * HOURS,) * 2,
        "aws_cloudfront_distribution.cdn": (0.0, 0.0),
        "aws_cloudfront_monitoring_subscription.cdn_metrics": (
            PRICES.cloudfront.additional_metrics_distribution_month.usd,
        )
        * 2,
        "aws_wafv2_web_acl.acl": (PRICES.wafv2.web_acl_month.usd + 2 * PRICES.wafv2.rule_month.usd,) * 2,
        "aws_cloudwatch_dashboard.board": (PRICES.cloudwatch.dashboard_month.usd,) * 2,
        "aws_cloudwatch_metric_alarm.math": (2 * PRICES.cloudwatch.alarm_metric_month.standard.usd,) * 2,
        "aws_cloudwatch_metric_alarm.fast": (PRICES.cloudwatch.alarm_metric_month.high_resolution.usd,) * 2,
        "aws_kms_key.key": (key, key),
        "aws_kms_key.rotating": (key, key),
        # +1 USD after each of the first two rotations, none after: 2 USD from the second rotation on
        "aws_kms_key.rotating#rotation": (2 * PRICES.kms.rotation_month.usd,) * 2,
        "aws_secretsmanager_secret.secret": (PRICES.secretsmanager.secret_month.usd,) * 2,
        # a budget without actions costs nothing; one with an action 0.10 a day (before the account's free two)
        "aws_budgets_budget.soft": (0.0, 0.0),
        "aws_budgets_budget.acting": (PRICES.budgets.action_enabled_budget_day.usd * HOURS / 24,) * 2,
        "aws_s3_bucket.assets": (0.0, 0.0),
        "aws_s3_bucket.uploads": (0.0, 0.0),
    }
    assert {item.address for item in result.items} == set(expected)
    for address, (floor, ceiling) in expected.items():
        assert _item(result, address) == pytest.approx((floor, ceiling)), address
    assert result.floor_usd == pytest.approx(sum(f for f, _ in expected.values()))
    assert result.ceiling_usd == pytest.approx(sum(c for _, c in expected.values()))

    edge_requests = 1_000_000 / 0.5
    usage = {
        "aws_lambda_function.api": 1.0 * PRICES.lambda_.requests_per_million.usd
        + 1_000_000 * 0.1 * 1.0 * PRICES.lambda_.duration_with_provisioned_concurrency_gb_second.arm64.usd,
        # 1 million requests a month is 0.38 a second: the 1-a-second reservoir traces every one
        "aws_lambda_function.api#xray": 1.0 * PRICES.xray.traces_recorded_per_million.usd,
        "aws_cloudfront_distribution.cdn": edge_requests / 10_000 * PRICES.cloudfront.https_requests_per_10k.usd,
        "aws_cloudfront_distribution.cdn#transfer": 10 * PRICES.cloudfront.data_transfer_out_gb.usd,
        "aws_cloudfront_distribution.cdn#origin_shield": 100 * PRICES.cloudfront.origin_shield_requests_per_10k.usd,
        "aws_wafv2_web_acl.acl": edge_requests / 1e6 * PRICES.wafv2.requests_per_million.usd,
        # 8 GB over two buckets
        "aws_s3_bucket.assets": 4 * PRICES.s3.storage_gb_month.usd,
        "aws_s3_bucket.uploads": 4 * PRICES.s3.storage_gb_month.usd,
        # 2 GB a month kept 30 days: 2 × 30 / (730 / 24) GB stored
        "aws_cloudwatch_log_group.logs": 2 * PRICES.cloudwatch.logs_ingestion_gb.usd
        + 2 * 30 / (HOURS / 24) * PRICES.cloudwatch.logs_storage_gb_month.usd,
    }
    assert {item.address: item.floor_usd for item in result.usage} == pytest.approx(usage)
    assert result.total_ceiling_usd == pytest.approx(result.ceiling_usd + sum(usage.values()))
    gate = result.gate_json()
    assert gate["floor_eur"] == round(result.total_floor_usd / RATE, 2)
    assert gate["ceiling_eur"] == round(result.total_ceiling_usd / RATE, 2)
    assert gate["free_tiers"].startswith("not applied")
    assert ("aws_budgets_budget_action.stop", "priced on its budget (an action-enabled budget)") in result.free


def test_the_bootstrap_stack_is_priced_with_its_environment() -> None:
    alone = _estimate(fixture_stack())
    both = estimate(
        fixture_stack(),
        PRICES,
        USAGE,
        environment="dev",
        usd_per_eur=RATE,
        usd_per_eur_date="2026-07",
        others={"dev-bootstrap": bootstrap_stack()},
    )
    added = {i.address: i.floor_usd for i in both.items}.items() - {i.address: i.floor_usd for i in alone.items}.items()
    assert dict(added) == pytest.approx(
        {
            "dev-bootstrap/aws_kms_key.state_key": PRICES.kms.key_month.usd,
            "dev-bootstrap/aws_kms_key.state_key#rotation": 2 * PRICES.kms.rotation_month.usd,
            "dev-bootstrap/aws_s3_bucket.state_bucket": 0.0,
        }
    )
    assert both.total_ceiling_usd - alone.total_ceiling_usd == pytest.approx(3 * PRICES.kms.key_month.usd)
    assert both.usage == alone.usage  # no usage flows through a bootstrap stack
    assert both.stacks == ("dev", "dev-bootstrap")
    assert ("dev-bootstrap/aws_iam_openid_connect_provider.github", "IAM is free") in both.free
    assert both.not_priced == alone.not_priced


def test_the_scheduled_window_is_linked_to_the_alias_it_scales() -> None:
    (bound,) = _estimate(fixture_stack()).scaling
    assert (bound.target, bound.scales, bound.min, bound.max) == (
        "aws_appautoscaling_target.api_target",
        "aws_lambda_alias.api_live",
        1,
        4,
    )
    assert bound.average_min == pytest.approx(1 + 2 * WINDOW_SHARE)


def test_average_minimum_over_a_week() -> None:
    assert average_minimum(2, []) == 2
    # every day 00:00 → 4, 12:00 → 0: half of the week at 4
    events = [(day * 1440, 4) for day in range(7)] + [(day * 1440 + 720, 0) for day in range(7)]
    assert average_minimum(0, events) == pytest.approx(2)


@pytest.mark.parametrize("more", [1, 5])
def test_raising_the_maximum_moves_the_ceiling_by_exactly_its_price(more: int) -> None:
    """`provisioned_concurrency.max` is the target's maximum and each window action's."""
    stack = fixture_stack()
    before = _estimate(stack)
    stack["resource"]["aws_appautoscaling_target"]["api_target"]["max_capacity"] += more
    for action in stack["resource"]["aws_appautoscaling_scheduled_action"].values():
        scheduled = action["scalable_target_action"]
        scheduled["max_capacity"] = str(int(scheduled["max_capacity"]) + more)
    after = _estimate(stack)
    per_instance = PRICES.lambda_.provisioned_concurrency_gb_second.arm64.usd * 1.0 * SECONDS
    assert after.ceiling_usd - before.ceiling_usd == pytest.approx(more * per_instance)
    assert after.floor_usd == pytest.approx(before.floor_usd)


def test_no_provisioned_concurrency_outside_the_windows_counts_only_their_hours_in_the_ceiling() -> None:
    """`lambda.schedule.max_outside_windows: 0`: the end of each window sets the maximum to 0."""
    stack = fixture_stack()
    before = _estimate(stack)
    stack["resource"]["aws_appautoscaling_scheduled_action"]["api_end"]["scalable_target_action"] = {
        "min_capacity": "0",
        "max_capacity": "0",
    }
    stack["resource"]["aws_appautoscaling_target"]["api_target"]["min_capacity"] = 0
    after = _estimate(stack)
    per_instance = PRICES.lambda_.provisioned_concurrency_gb_second.arm64.usd * 1.0 * SECONDS
    (line,) = [item for item in after.items if item.address == "aws_lambda_alias.api_live"]
    assert (line.floor_usd, line.ceiling_usd) == pytest.approx(
        (3 * WINDOW_SHARE * per_instance, 4 * WINDOW_SHARE * per_instance)
    )
    assert before.ceiling_usd - after.ceiling_usd == pytest.approx(4 * (1 - WINDOW_SHARE) * per_instance)


def _start_stop(action: str, hour: int, identifier: str = "matbakh-dev-api-db") -> dict[str, Any]:
    return {
        "schedule_expression": f"cron(0 {hour} ? * MON-FRI *)",
        "schedule_expression_timezone": "Europe/Berlin",
        "target": {
            "arn": f"arn:${{data.aws_partition.p.partition}}:scheduler:::aws-sdk:rds:{action}DBInstance",
            "input": f'{{"DbInstanceIdentifier": "{identifier}"}}',
        },
    }


def test_a_database_stopped_outside_its_running_hours_is_billed_for_those_hours_only() -> None:
    """`rds.running_hours` weekdays 07:00–19:00: 60 of 168 hours; storage is billed whole."""
    stack = fixture_stack()
    stack["resource"]["aws_db_instance"]["database"]["identifier"] = "matbakh-dev-api-db"
    before = _estimate(stack)
    stack["resource"]["aws_scheduler_schedule"] = {
        "start": _start_stop("start", 7),
        "stop": _start_stop("stop", 19),
        "other_instance": _start_stop("stop", 8, identifier="another-db"),
    }
    after = _estimate(stack)
    monthly = PRICES.monthly_instance_price_usd("db.t4g.small", multi_az=True)
    address = "aws_db_instance.database"
    assert _item(before, address) == pytest.approx((monthly, monthly))
    assert _item(after, address) == pytest.approx((monthly * 60 / 168, monthly * 60 / 168))
    assert _item(after, f"{address}#storage") == _item(before, f"{address}#storage")
    (line,) = [i for i in after.items if i.address == address]
    assert line.basis.endswith("running 35.7 % of the week (rds.running_hours)")


def test_cache_replica_bounds_move_floor_and_ceiling_by_node_prices() -> None:
    stack = fixture_stack()
    stack["resource"]["aws_appautoscaling_target"]["cache_target"] = {
        "min_capacity": 1,
        "max_capacity": 3,
        "resource_id": "replication-group/${aws_elasticache_replication_group.cache.replication_group_id}",
        "scalable_dimension": "elasticache:replication-group:Replicas",
        "service_namespace": "elasticache",
    }
    node = PRICES.elasticache.node_hour["cache.t4g.small"].usd * HOURS
    assert _item(_estimate(stack), "aws_elasticache_replication_group.cache") == pytest.approx((2 * node, 4 * node))


def _serverless(max_gb: float | None, max_ecpu: float | None) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    if max_gb is not None:
        limits["data_storage"] = [{"maximum": max_gb, "unit": "GB"}]
    if max_ecpu is not None:
        limits["ecpu_per_second"] = [{"maximum": max_ecpu}]
    return {"name": "matbakh-dev-api-cache", "engine": "valkey", "cache_usage_limits": [limits]}


def test_a_serverless_cache_costs_its_metered_minimum_up_to_both_limits_around_the_clock() -> None:
    stack = fixture_stack()
    del stack["resource"]["aws_elasticache_replication_group"]
    stack["resource"]["aws_elasticache_serverless_cache"] = {"cache": _serverless(2, 5000)}
    floor = 0.1 * HOURS * 0.092  # Valkey meters at least 100 MB; 0.092 USD per GB-hour in eu-central-1
    ceiling = 2 * HOURS * 0.092 + 5000 * HOURS * 3600 / 1e6 * 0.00253  # 0.00253 USD per million ECPUs
    assert _item(_estimate(stack), "aws_elasticache_serverless_cache.cache") == pytest.approx((floor, ceiling))


def test_a_serverless_cache_without_limits_is_not_priced() -> None:
    stack = fixture_stack()
    stack["resource"]["aws_elasticache_serverless_cache"] = {"cache": _serverless(2, None)}
    result = _estimate(stack)
    assert ("aws_elasticache_serverless_cache.cache", "aws_elasticache_serverless_cache (without usage limits)") in (
        result.not_priced
    )
    assert not [i for i in result.items if i.address == "aws_elasticache_serverless_cache.cache"]


def test_an_unpriced_resource_type_is_listed_never_zero() -> None:
    result = _estimate(fixture_stack())
    assert result.not_priced == (("aws_mystery_widget.widget", "aws_mystery_widget"),)
    assert "aws_mystery_widget.widget" not in {i.address for i in result.items}
    assert result.gate_json()["not_priced"] == [{"address": "aws_mystery_widget.widget", "type": "aws_mystery_widget"}]
    assert ("aws_iam_role.role", PRICES.free["aws_iam_role"]) in result.free


def test_an_unknown_instance_class_is_not_priced() -> None:
    stack = fixture_stack()
    stack["resource"]["aws_db_instance"]["database"]["instance_class"] = "db.x2iedn.32xlarge"
    result = _estimate(stack)
    assert ("aws_db_instance.database", "aws_db_instance (db.x2iedn.32xlarge)") in result.not_priced
    assert ("aws_db_proxy.proxy", "aws_db_proxy (its target instance is unknown)") in result.not_priced


def test_the_monthly_instance_price() -> None:
    assert PRICES.monthly_instance_price_usd("db.t4g.micro", multi_az=False) == pytest.approx(
        PRICES.rds.instance_hour["db.t4g.micro"].single_az * HOURS
    )
    assert PRICES.monthly_instance_price_usd("db.t4g.micro", True) == pytest.approx(
        2 * PRICES.monthly_instance_price_usd("db.t4g.micro", False)
    )
    assert load_price_table("eu-central-1").monthly_instance_price_usd("db.m7g.large", True) == pytest.approx(
        PRICES.rds.instance_hour["db.m7g.large"].multi_az * HOURS
    )
    with pytest.raises(KeyError, match=r"no price for RDS instance class db\.z9\.huge in eu-central-1"):
        PRICES.monthly_instance_price_usd("db.z9.huge", False)


@pytest.mark.parametrize("env", ENVIRONMENT_NAMES)
def test_shipped_stacks_are_fully_priced_and_floor_is_at_most_ceiling(stacks: dict[str, Any], env: str) -> None:
    cost = cost_of(load_environment(env), stacks[env], stacks[f"{env}-bootstrap"])
    assert cost.estimate.not_priced == ()
    assert cost.estimate.stacks == (env, f"{env}-bootstrap")
    assert cost.estimate.floor_usd <= cost.estimate.ceiling_usd
    for item in cost.estimate.items:
        assert item.floor_usd <= item.ceiling_usd, item.address
    printed = table(cost)
    assert f"cost: {env} (eu-central-1" in printed and "total EUR: floor" in printed
    assert "before free tiers" in printed.splitlines()[0]
    assert f"unverified prices: {len(cost.unverified)} of the figures used" in printed
    assert set(cost.unverified) <= set(PRICES.unverified()) and set(cost.unverified) <= cost.estimate.prices_used()


class _NetworkUsage(UsageAssumptions):
    """The usage model once it carries the traffic through endpoints and NAT (the lead adds them)."""

    vpc_endpoint_gb_per_month: float = 30
    nat_gateway_gb_per_month: float = 12


def _network_stack() -> dict[str, Any]:
    subnets = ["${aws_subnet.a.id}", "${aws_subnet.b.id}"]
    return {
        "resource": {
            "aws_subnet": {"a": {}, "b": {}},
            "aws_vpc_endpoint": {
                "secrets": {"vpc_endpoint_type": "Interface", "subnet_ids": subnets},
                "sqs": {"vpc_endpoint_type": "Interface", "subnet_ids": subnets[:1]},
                "s3": {"vpc_endpoint_type": "Gateway"},
                "dynamodb": {},  # the provider's default type: Gateway
                "inspection": {"vpc_endpoint_type": "GatewayLoadBalancer"},
            },
            "aws_nat_gateway": {"nat": {"subnet_id": "${aws_subnet.a.id}"}},
        }
    }


def test_interface_endpoints_cost_per_zone_hour_and_gb_gateway_endpoints_nothing() -> None:
    result = estimate(
        _network_stack(), PRICES, _NetworkUsage(), environment="dev", usd_per_eur=RATE, usd_per_eur_date="2026-07"
    )
    per_zone = PRICES.vpc.interface_endpoint_hour_per_az.usd * HOURS
    assert {i.address: (i.floor_usd, i.ceiling_usd) for i in result.items} == pytest.approx(
        {
            "aws_vpc_endpoint.secrets": (2 * per_zone,) * 2,  # two subnets: a network interface in each zone
            "aws_vpc_endpoint.sqs": (per_zone,) * 2,
            "aws_vpc_endpoint.s3": (0.0, 0.0),
            "aws_vpc_endpoint.dynamodb": (0.0, 0.0),
            "aws_nat_gateway.nat": (PRICES.vpc.nat_gateway_hour.usd * HOURS,) * 2,
        }
    )
    # 30 GB through the two interface endpoints, 12 GB through the one NAT gateway
    assert {i.address: i.floor_usd for i in result.usage} == pytest.approx(
        {
            "aws_vpc_endpoint.secrets#data": 15 * PRICES.vpc.interface_endpoint_gb.usd,
            "aws_vpc_endpoint.sqs#data": 15 * PRICES.vpc.interface_endpoint_gb.usd,
            "aws_nat_gateway.nat#data": 12 * PRICES.vpc.nat_gateway_gb.usd,
        }
    )
    assert result.not_priced == (("aws_vpc_endpoint.inspection", "aws_vpc_endpoint (GatewayLoadBalancer)"),)
    assert PRICES.vpc.interface_endpoint_hour_per_az.usd == 0.012 and PRICES.vpc.interface_endpoint_gb.usd == 0.01
    assert PRICES.vpc.nat_gateway_hour.usd == 0.052 and PRICES.vpc.nat_gateway_gb.usd == 0.052


def test_without_a_traffic_assumption_the_data_processed_is_shown_as_zero() -> None:
    result = estimate(_network_stack(), PRICES, USAGE, environment="dev", usd_per_eur=RATE, usd_per_eur_date="2026-07")
    data = {i.address: i for i in result.usage}
    assert {address: item.floor_usd for address, item in data.items()} == {
        "aws_vpc_endpoint.secrets#data": 0.0,
        "aws_vpc_endpoint.sqs#data": 0.0,
        "aws_nat_gateway.nat#data": 0.0,
    }
    assert "usage vpc_endpoint_gb_per_month" in data["aws_vpc_endpoint.sqs#data"].basis
