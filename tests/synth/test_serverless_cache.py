"""dev with `elasticache.serverless`: the whole stack synthesized, walked from each function to the
serverless cache (network, IAM, environment), its alarms and dashboard, and its price."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli import gate
from cli.cost.estimate import estimate
from cli.settings import Settings
from modules.core.label import Context
from modules.elasticache.alarms import SERVERLESS_DIMENSION, SERVERLESS_PANELS, CacheMetrics
from modules.observability.config import SloConfig
from modules.observability.dashboard import DatabaseMetrics, dashboard_body
from tests.conftest import copy_repository, only, resources, synthesize
from tests.cost.fixtures import PRICES, RATE, USAGE

LIMITS = {"max_data_storage_gb": 2, "max_ecpu_per_second": 5000}
NAME = "matbakh-dev-api-cache"


def _ref(kind: str, name: str, attribute: str) -> str:
    return f"${{{kind}.{name}.{attribute}}}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = copy_repository(tmp_path_factory.mktemp("serverless") / "repo")
    dev = root / "environments" / "dev.yaml"
    config = yaml.safe_load(dev.read_text())
    node = config["elasticache"]
    config["elasticache"] = {
        "serverless": LIMITS,
        "snapshot_retention_days": node["snapshot_retention_days"],
        "alarms": node["alarms"],
    }
    dev.write_text(yaml.safe_dump(config, sort_keys=False))
    return synthesize(root / "cdktf.out", "--env", "dev", "--force", cwd=root)["dev"]


def _cache(stack: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ((name, body),) = resources(stack, "aws_elasticache_serverless_cache").items()
    return name, body


def test_the_cache_is_serverless_encrypted_private_and_within_its_limits(stack: dict[str, Any]) -> None:
    name, cache = _cache(stack)
    assert (cache["name"], cache["engine"], cache["major_engine_version"]) == (NAME, "valkey", "8")
    assert cache["cache_usage_limits"] == [
        {"data_storage": [{"maximum": 2, "unit": "GB"}], "ecpu_per_second": [{"maximum": 5000}]}
    ]
    (key_name,) = [n for n, k in resources(stack, "aws_kms_key").items() if "provider" not in k]
    assert cache["kms_key_id"] == _ref("aws_kms_key", key_name, "arn")  # dev's one environment key
    private = {n for n, s in resources(stack, "aws_subnet").items() if "private" in n}
    assert {s.split(".")[1] for s in cache["subnet_ids"]} == private and len(private) == 3
    assert (cache["daily_snapshot_time"], cache["snapshot_retention_limit"]) == ("01:00", 1)
    for kind in (
        "aws_elasticache_replication_group",
        "aws_elasticache_parameter_group",
        "aws_elasticache_subnet_group",
    ):
        assert not resources(stack, kind), kind
    assert not [n for n in resources(stack, "aws_cloudwatch_log_group") if n.startswith("cache_")]
    assert [t["service_namespace"] for t in resources(stack, "aws_appautoscaling_target").values()] in ([], ["lambda"])
    assert name.startswith("cache_serverless")


def test_each_cache_function_reaches_the_serverless_cache_through_network_iam_and_environment(
    stack: dict[str, Any],
) -> None:
    """The request path: function → its security group → the cache's → the cache; its role may
    connect as its own user, in the cache's user group; its environment names what to presign."""
    cache_name, cache = _cache(stack)
    (cache_group,) = [s.split(".")[1] for s in cache["security_group_ids"]]
    (client_group,) = [n for n in resources(stack, "aws_security_group") if n.startswith("cache_client")]
    ingress = [
        r
        for r in resources(stack, "aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == _ref("aws_security_group", cache_group, "id")
    ]
    assert [(r["referenced_security_group_id"], r["from_port"], r["to_port"]) for r in ingress] == [
        (_ref("aws_security_group", client_group, "id"), 6379, 6380)
    ]
    (egress,) = [
        r
        for r in resources(stack, "aws_vpc_security_group_egress_rule").values()
        if r["security_group_id"] == _ref("aws_security_group", client_group, "id")
    ]
    assert (egress["referenced_security_group_id"], egress["from_port"], egress["to_port"]) == (
        _ref("aws_security_group", cache_group, "id"),
        6379,
        6380,
    )
    (user_group_name, user_group) = next(iter(resources(stack, "aws_elasticache_user_group").items()))
    assert cache["user_group_id"] == _ref("aws_elasticache_user_group", user_group_name, "user_group_id")
    users = {body["user_id"]: name for name, body in resources(stack, "aws_elasticache_user").items()}
    policies = {p["role"]: json.loads(p["policy"]) for p in resources(stack, "aws_iam_role_policy").values()}
    functions = resources(stack, "aws_lambda_function")
    assert functions
    for function in functions.values():
        variables = function["environment"]["variables"]
        assert function["vpc_config"]["security_group_ids"].count(_ref("aws_security_group", client_group, "id")) == 1
        assert variables["CACHE_ENDPOINT"] == f"${{aws_elasticache_serverless_cache.{cache_name}.endpoint[0].address}}"
        assert (variables["CACHE_PORT"], variables["CACHE_READER_PORT"]) == ("6379", "6380")
        assert variables["CACHE_SERVERLESS_CACHE_NAME"] == NAME and "CACHE_REPLICATION_GROUP_ID" not in variables
        user = users[variables["CACHE_USER_ID"]]
        assert _ref("aws_elasticache_user", user, "user_id") in user_group["user_ids"]
        role = function["role"].split(".")[1]
        (connect,) = [
            s for s in policies[_ref("aws_iam_role", role, "id")]["Statement"] if s["Sid"] == "ConnectToCache"
        ]
        assert connect["Action"] == "elasticache:Connect"
        assert connect["Resource"] == [
            _ref("aws_elasticache_serverless_cache", cache_name, "arn"),
            _ref("aws_elasticache_user", user, "arn"),
        ]


def test_its_alarms_watch_its_limits_and_go_to_the_alert_topic(stack: dict[str, Any]) -> None:
    alarms = {
        body["alarm_name"].removeprefix(f"{NAME}-"): body
        for name, body in resources(stack, "aws_cloudwatch_metric_alarm").items()
        if name.startswith("cache_")
    }
    assert set(alarms) == {"data-storage", "ecpu", "throttled", "connections", "evictions", "hit-rate"}
    (topic,) = [t for t in resources(stack, "aws_sns_topic") if t.startswith("alerts_")]  # not the ticket topic
    for alarm in alarms.values():
        assert alarm["alarm_actions"] == alarm["ok_actions"] == [_ref("aws_sns_topic", topic, "arn")]
        metrics = [q["metric"] for q in alarm.get("metric_query", []) if "metric" in q] or [alarm]
        assert all(m["dimensions"] == {"clusterId": NAME} for m in metrics)
    storage = {q["id"]: q for q in alarms["data-storage"]["metric_query"]}
    assert storage["result"]["expression"] == f"100 * stored / {2 * 1024**3}"
    assert alarms["data-storage"]["threshold"] == 80
    assert {q["id"]: q for q in alarms["ecpu"]["metric_query"]}["result"]["expression"] == (
        "100 * ecpus / PERIOD(ecpus) / 5000"
    )
    assert (alarms["throttled"]["metric_name"], alarms["throttled"]["threshold"]) == ("ThrottledCmds", 0)


def test_it_is_priced_at_its_metered_minimum_up_to_its_limits(stack: dict[str, Any]) -> None:
    assert not resources(stack, "aws_cloudwatch_dashboard")  # dev: monitoring.dashboard false
    name, _ = _cache(stack)
    result = estimate(stack, PRICES, USAGE, environment="dev", usd_per_eur=RATE, usd_per_eur_date="2026-11-01")
    (line,) = [i for i in result.items if i.address == f"aws_elasticache_serverless_cache.{name}"]
    hours = PRICES.hours_per_month
    assert (line.floor_usd, line.ceiling_usd) == pytest.approx(
        (0.1 * hours * 0.092, 2 * hours * 0.092 + 5000 * hours * 3600 / 1e6 * 0.00253)
    )
    assert not [address for address, _ in result.not_priced if "elasticache" in address]
    assert only(stack, "aws_elasticache_serverless_cache")["tags"]["Environment"] == "dev"


def test_a_dashboard_charts_the_serverless_metrics() -> None:
    body = json.loads(
        dashboard_body(
            context=Context(namespace="matbakh", environment="dev", service="api", cost_center="matbakh-platform"),
            region="eu-central-1",
            slo=SloConfig(),
            functions={},
            cache=CacheMetrics(SERVERLESS_DIMENSION, (NAME,), SERVERLESS_PANELS),
            database=DatabaseMetrics(instance_identifiers=[], proxy_name=None),
            edge_dimensions={},
            edge_additional_metrics=False,
            slo_alarm_arns=[],
        )
    )
    charted = {
        (row[1], row[3])
        for widget in body["widgets"]
        for row in widget["properties"].get("metrics", [])
        if row[0] == "AWS/ElastiCache"
    }
    assert charted == {(metric, NAME) for metric, _, _ in SERVERLESS_PANELS}
    assert all(
        row[2] == "clusterId"
        for w in body["widgets"]
        for row in w["properties"].get("metrics", [])
        if row[0] == "AWS/ElastiCache"
    )


def test_the_stack_with_a_serverless_cache_passes_the_policy_gate(stack: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "stacks" / "dev"
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text(json.dumps(stack, indent=2))  # indented, as `make gate` scans it
    result = gate.gate(
        Settings.from_environment().checkov,
        framework="terraform_json",
        targets=[folder],
        report_dir=tmp_path / "reports",
        require_all_skips_used=False,
    )
    assert result.failed == [] and result.parsing_errors == [] and result.passed > 50
