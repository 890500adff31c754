"""The cache of each shipped environment, asserted on the synthesized JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import only, resources

ENVIRONMENTS = ("dev", "staging", "prod")
# environment: node type, replicas at creation, Multi-AZ, autoscaling (min, max) or None,
# snapshot days, engine-CPU / memory / hit-rate alarm thresholds
EXPECTED = {
    "dev": ("cache.t4g.micro", 0, False, None, 1, (90, 90, 50)),
    "staging": ("cache.t4g.micro", 0, False, None, 3, (85, 85, 70)),
    "prod": ("cache.m7g.large", 1, True, (1, 3), 7, (75, 80, 80)),
}


def _cache_resources(stack: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """The cache module's resources of `kind` (the stack holds other modules' too)."""
    return {name: body for name, body in resources(stack, kind).items() if name.startswith("cache_")}


def _ref(stack: dict[str, Any], kind: str, attribute: str, contains: str = "") -> str:
    (name,) = [n for n in resources(stack, kind) if contains in n]
    return f"${{{kind}.{name}.{attribute}}}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_replication_group_is_encrypted_authenticated_private_and_sized_per_environment(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    node_type, replicas, multi_az, _, snapshot_days, _ = EXPECTED[env]
    group = only(stack, "aws_elasticache_replication_group")
    assert group["replication_group_id"] == f"matbakh-{env}-api-cache"
    assert (group["engine"], group["engine_version"], group["node_type"]) == ("valkey", "8.0", node_type)
    assert (group["cluster_mode"], group["num_node_groups"], group["replicas_per_node_group"]) == (
        "enabled",
        1,
        replicas,
    )
    assert group["automatic_failover_enabled"] is True  # cluster mode requires it
    assert group["multi_az_enabled"] is multi_az
    assert group["at_rest_encryption_enabled"] == "true"
    assert group["kms_key_id"] == _ref(stack, "aws_kms_key", "arn", "cache")
    assert group["transit_encryption_enabled"] is True
    assert group["auth_token"] == _ref(stack, "aws_secretsmanager_secret_version", "secret_string")
    assert group["security_group_ids"] == [_ref(stack, "aws_security_group", "id", "cache_security_group")]
    assert group["subnet_group_name"] == _ref(stack, "aws_elasticache_subnet_group", "name")
    assert group["parameter_group_name"] == _ref(stack, "aws_elasticache_parameter_group", "name")
    assert group["snapshot_retention_limit"] == snapshot_days
    assert (group["snapshot_window"], group["maintenance_window"]) == ("01:00-02:00", "sun:03:00-sun:04:00")
    assert group["port"] == 6379


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_slow_and_engine_logs_go_to_encrypted_log_groups(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[env]
    group = only(stack, "aws_elasticache_replication_group")
    deliveries = {d["log_type"]: d for d in group["log_delivery_configuration"]}
    assert set(deliveries) == {"slow-log", "engine-log"}
    logs = resources(stack, "aws_cloudwatch_log_group")
    for kind, delivery in deliveries.items():
        (name,) = [n for n, body in logs.items() if body["name"] == f"/aws/elasticache/matbakh-{env}-api-cache/{kind}"]
        assert delivery == {
            "destination": f"${{aws_cloudwatch_log_group.{name}.name}}",
            "destination_type": "cloudwatch-logs",
            "log_format": "json",
            "log_type": kind,
        }
        assert logs[name]["retention_in_days"] == 365
        assert logs[name]["kms_key_id"] == _ref(stack, "aws_kms_key", "arn", "cache")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_cache_key_lets_cloudwatch_logs_of_the_region_use_it(stacks: dict[str, dict[str, Any]], env: str) -> None:
    (key,) = [body for name, body in resources(stacks[env], "aws_kms_key").items() if "cache" in name]
    assert key["enable_key_rotation"] is True
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    service = statements["ServicesEncryptWithKey"]
    (principal,) = service["Principal"]["Service"]
    assert principal.startswith("logs.${data.aws_region.") and principal.endswith(".amazonaws.com")
    assert service["Action"] == [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_auth_token_is_generated_once_into_an_encrypted_secret(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[env]
    secret = only(stack, "aws_secretsmanager_secret")
    assert secret["name"] == f"matbakh-{env}-api-cache-auth-token"
    assert secret["kms_key_id"] == _ref(stack, "aws_kms_key", "arn", "cache")
    assert secret["recovery_window_in_days"] == (0 if env == "dev" else 30)
    version = only(stack, "aws_secretsmanager_secret_version")
    assert version["secret_id"] == _ref(stack, "aws_secretsmanager_secret", "id")
    assert version["lifecycle"] == {"ignore_changes": ["secret_string"]}
    (password_name,) = stack["data"]["aws_secretsmanager_random_password"]
    password = stack["data"]["aws_secretsmanager_random_password"][password_name]
    assert (password["password_length"], password["exclude_punctuation"]) == (64, True)
    assert version["secret_string"] == f"${{data.aws_secretsmanager_random_password.{password_name}.random_password}}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_parameter_group_sets_cluster_mode_eviction_and_idle_timeout(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    group = only(stacks[env], "aws_elasticache_parameter_group")
    assert group["family"] == "valkey8"
    assert {p["name"]: p["value"] for p in group["parameter"]} == {
        "cluster-enabled": "yes",
        "maxmemory-policy": "volatile-lru",
        "timeout": "300",
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_security_group_admits_only_the_client_group_on_the_port(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[env]
    groups = _cache_resources(stack, "aws_security_group")
    assert {body["name"] for body in groups.values()} == {
        f"matbakh-{env}-api-cache",
        f"matbakh-{env}-api-cache-clients",
    }
    assert all("ingress" not in body and "egress" not in body for body in groups.values())  # no inline rules
    cache, clients = (
        _ref(stack, "aws_security_group", "id", part) for part in ("cache_security_group", "cache_client_security")
    )
    (ingress,) = _cache_resources(stack, "aws_vpc_security_group_ingress_rule").values()
    assert {
        k: ingress[k]
        for k in ("security_group_id", "referenced_security_group_id", "ip_protocol", "from_port", "to_port")
    } == {
        "security_group_id": cache,
        "referenced_security_group_id": clients,
        "ip_protocol": "tcp",
        "from_port": 6379,
        "to_port": 6379,
    }
    (egress,) = _cache_resources(stack, "aws_vpc_security_group_egress_rule").values()
    assert (egress["security_group_id"], egress["referenced_security_group_id"], egress["from_port"]) == (
        clients,
        cache,
        6379,
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_cache_lives_in_private_subnets_of_a_private_vpc(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[env]
    subnets = resources(stack, "aws_subnet")
    assert sorted(s["availability_zone"] for s in subnets.values()) == [
        "eu-central-1a",
        "eu-central-1b",
        "eu-central-1c",
    ]
    assert all(s["map_public_ip_on_launch"] is False for s in subnets.values())
    assert sorted(s["cidr_block"] for s in subnets.values()) == ["10.40.0.0/20", "10.40.16.0/20", "10.40.32.0/20"]
    assert only(stack, "aws_elasticache_subnet_group")["subnet_ids"] == [
        f"${{aws_subnet.{name}.id}}" for name in subnets
    ]
    assert "aws_internet_gateway" not in stack["resource"] and "aws_nat_gateway" not in stack["resource"]
    default_group = only(stack, "aws_default_security_group")
    assert "ingress" not in default_group and "egress" not in default_group


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_replicas_autoscale_on_replica_engine_cpu_only_where_the_node_type_allows(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    autoscaling = EXPECTED[env][3]
    group = only(stack, "aws_elasticache_replication_group")
    cache_targets = [
        t for t in resources(stack, "aws_appautoscaling_target").values() if t["service_namespace"] == "elasticache"
    ]
    cache_policies = [
        p
        for p in resources(stack, "aws_appautoscaling_policy").values()
        if p["//"]["metadata"]["path"].split("/", 1)[1].startswith("cache/")
    ]
    if autoscaling is None:
        assert cache_targets == [] and cache_policies == []
        assert "lifecycle" not in group
        return
    (target,) = cache_targets
    assert target["service_namespace"] == "elasticache"
    assert (
        target["resource_id"]
        == f"replication-group/{_ref(stack, 'aws_elasticache_replication_group', 'replication_group_id')}"
    )
    assert target["scalable_dimension"] == "elasticache:replication-group:Replicas"
    assert (target["min_capacity"], target["max_capacity"]) == autoscaling
    (policy,) = cache_policies
    assert policy["policy_type"] == "TargetTrackingScaling"
    tracking = policy["target_tracking_scaling_policy_configuration"]
    assert tracking["predefined_metric_specification"] == {
        "predefined_metric_type": "ElastiCacheReplicaEngineCPUUtilization"
    }
    assert (tracking["target_value"], tracking["scale_in_cooldown"], tracking["scale_out_cooldown"]) == (60, 600, 300)
    assert group["lifecycle"] == {"ignore_changes": ["replicas_per_node_group"]}


def _alarms(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {body["alarm_name"]: body for body in _cache_resources(stack, "aws_cloudwatch_metric_alarm").values()}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_alarms_watch_every_node_and_notify_the_alert_topic(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[env]
    alarms = {name: body for name, body in _alarms(stack).items() if "-cache-" in name}
    expected = {"engine-cpu", "memory", "connections", "evictions", "hit-rate"}
    if env == "prod":
        expected.add("replication-lag")  # dev and staging have no replica
    assert set(alarms) == {f"matbakh-{env}-api-cache-{name}" for name in expected}
    (topic_name,) = [name for name in resources(stack, "aws_sns_topic") if name.startswith("alerts_")]
    topic = f"${{aws_sns_topic.{topic_name}.arn}}"
    max_replicas = {"dev": 0, "staging": 0, "prod": 3}[env]
    nodes = [f"matbakh-{env}-api-cache-0001-{n:03d}" for n in range(1, max_replicas + 2)]
    for alarm in alarms.values():
        assert alarm["alarm_actions"] == [topic] and alarm["ok_actions"] == [topic]
        assert alarm["treat_missing_data"] == "notBreaching"
        metrics = [q["metric"] for q in alarm["metric_query"] if "metric" in q]
        assert len(metrics) <= 10
        assert {m["dimensions"]["CacheClusterId"] for m in metrics} == set(nodes)
        assert [q["id"] for q in alarm["metric_query"] if q.get("return_data")] == ["result"]
    cpu, memory, hit = (alarms[f"matbakh-{env}-api-cache-{n}"] for n in ("engine-cpu", "memory", "hit-rate"))
    assert (cpu["threshold"], memory["threshold"], hit["threshold"]) == EXPECTED[env][5]
    assert cpu["comparison_operator"] == "GreaterThanThreshold"
    assert cpu["metric_query"][-1]["expression"] == "MAX([" + ",".join(f"m{i}" for i in range(len(nodes))) + "])"


def test_hit_rate_is_metric_math_over_hits_and_misses(stacks: dict[str, dict[str, Any]]) -> None:
    hit = _alarms(stacks["prod"])["matbakh-prod-api-cache-hit-rate"]
    queries = {q["id"]: q for q in hit["metric_query"]}
    assert queries["hits"]["expression"] == "SUM([h0,h1,h2,h3])"
    assert queries["misses"]["expression"] == "SUM([m0,m1,m2,m3])"
    assert queries["result"]["expression"] == "100 * hits / (hits + misses)"
    assert {queries[f"h{i}"]["metric"]["metric_name"] for i in range(4)} == {"CacheHits"}
    assert {queries[f"m{i}"]["metric"]["metric_name"] for i in range(4)} == {"CacheMisses"}
    assert hit["comparison_operator"] == "LessThanThreshold"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_stack_outputs_endpoints_port_groups_secret_and_ttls(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[env]
    outputs = {name: body["value"] for name, body in stack["output"].items()}
    endpoint = _ref(stack, "aws_elasticache_replication_group", "configuration_endpoint_address")
    assert outputs["cache_primary_endpoint_address"] == outputs["cache_reader_endpoint_address"] == endpoint
    assert outputs["cache_port"] == 6379
    assert outputs["cache_security_group_id"] == _ref(stack, "aws_security_group", "id", "cache_security_group")
    assert outputs["cache_client_security_group_id"] == _ref(stack, "aws_security_group", "id", "cache_client_security")
    assert outputs["cache_auth_secret_arn"] == _ref(stack, "aws_secretsmanager_secret", "arn")
    assert outputs["cache_key_ttl_seconds"] == {"sessions": 86400, "persona_results": 3600}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_cache_resource_is_tagged(stacks: dict[str, dict[str, Any]], env: str) -> None:
    tags = {"Environment": env, "Service": "api", "ManagedBy": "autoscale-infra", "CostCenter": "matbakh-platform"}
    for kind in (
        "aws_elasticache_replication_group",
        "aws_elasticache_parameter_group",
        "aws_elasticache_subnet_group",
        "aws_secretsmanager_secret",
        "aws_security_group",
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_metric_alarm",
    ):
        for name, body in resources(stacks[env], kind).items():
            assert body["tags"] == tags, f"{kind}.{name}"
