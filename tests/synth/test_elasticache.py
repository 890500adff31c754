"""The cache of each shipped environment, asserted on the synthesized JSON; and a cache with
clients (IAM users), synthesized in-process."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from modules.elasticache.config import ElastiCacheConfig
from tests.conftest import only, purpose_key, resources

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


def synthesize_cache_stack(
    outdir: Path, users: Sequence[str], environment: str = "dev", config: ElastiCacheConfig | None = None
) -> tuple[Any, Path]:
    """dev's cache (or one of `config`, with dev's network and an alert topic) in a stack of its own,
    with `users` as its clients and `environment` as the context's environment; returns the cache
    and the stack's folder."""
    from cli.config_files import load_environment
    from modules.core.cdk import App, AwsProvider, TerraformStack
    from modules.elasticache.module import ElastiCacheCluster
    from modules.network.module import PrivateNetwork
    from modules.observability.module import AlertTopic

    dev = load_environment("dev")
    assert dev.elasticache is not None
    context = dev.context.model_copy(update={"environment": environment})
    app = App(outdir=str(outdir))
    stack = TerraformStack(app, "cache")
    AwsProvider(stack, "aws", region=dev.region)
    alerts = AlertTopic(stack, "alerts", context=context)
    network = PrivateNetwork(stack, "network", config=dev.network, context=context)
    cache = ElastiCacheCluster(
        stack,
        "cache",
        config=config or dev.elasticache,
        context=context,
        network=network,
        alerts=alerts,
        users=users,
    )
    app.synth()
    return cache, outdir / "stacks" / "cache"


@pytest.fixture(scope="module")
def with_clients(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    cache, stack_dir = synthesize_cache_stack(tmp_path_factory.mktemp("cache-users"), ("auth", "vc-start"))
    return cache, json.loads((stack_dir / "cdk.tf.json").read_text())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_replication_group_is_encrypted_iam_authenticated_private_and_sized_per_environment(
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
    assert group["kms_key_id"] == purpose_key(stack, "cache/key/key").arn
    assert group["transit_encryption_enabled"] is True  # IAM authentication needs TLS
    assert group["user_group_ids"] == [_ref(stack, "aws_elasticache_user_group", "user_group_id")]
    assert "auth_token" not in group
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
        assert logs[name]["kms_key_id"] == purpose_key(stack, "cache/key/key").arn


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_cache_key_lets_cloudwatch_logs_of_the_region_use_it(stacks: dict[str, dict[str, Any]], env: str) -> None:
    key = purpose_key(stacks[env], "cache/key/key")
    assert key.body["enable_key_rotation"] is True
    statements = key.statements
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
def test_the_shipped_user_group_holds_one_iam_user_per_function_that_uses_the_cache(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    user_group = only(stack, "aws_elasticache_user_group")
    assert (user_group["user_group_id"], user_group["engine"]) == (f"matbakh-{env}-api-cache", "valkey")
    users = resources(stack, "aws_elasticache_user")
    assert sorted(u["user_id"] for u in users.values()) == sorted(
        f"matbakh-{env}-api-cache-{key}" for key in ("auth", "persona", "upload", "vc-result", "vc-start")
    )
    assert sorted(user_group["user_ids"]) == sorted(f"${{aws_elasticache_user.{name}.user_id}}" for name in users)
    # No `default` user: a Valkey user group needs none, so nothing else can connect.
    assert all(u["authentication_mode"] == {"type": "iam"} for u in users.values())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_stack_holds_a_cache_secret_a_token_or_a_random_password(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    assert "aws_secretsmanager_random_password" not in stack.get("data", {})
    assert not [name for name in resources(stack, "aws_secretsmanager_secret") if name.startswith("cache_")]
    assert "aws_secretsmanager_secret_version" not in stack["resource"]


def test_no_synthesized_stack_mentions_an_auth_token_or_a_random_password(
    stacks: dict[str, dict[str, Any]], with_clients: tuple[Any, dict[str, Any]]
) -> None:
    for name, stack in {**stacks, "cache with clients": with_clients[1]}.items():
        text = json.dumps(stack)
        assert "auth_token" not in text and "random_password" not in text, name


def test_each_client_is_an_iam_user_named_by_the_context_in_the_user_group(
    with_clients: tuple[Any, dict[str, Any]],
) -> None:
    cache, stack = with_clients
    users = resources(stack, "aws_elasticache_user")
    assert len(users) == 2
    for user in users.values():
        assert user["authentication_mode"] == {"type": "iam"}
        assert user["user_id"] == user["user_name"]
        assert user["engine"] == "valkey" and user["access_string"] == "on ~* +@all -@dangerous"
        assert "passwords" not in user and "no_password_required" not in user
    assert sorted(user["user_id"] for user in users.values()) == [
        "matbakh-dev-api-cache-auth",
        "matbakh-dev-api-cache-vc-start",
    ]
    user_group = only(stack, "aws_elasticache_user_group")
    assert sorted(user_group["user_ids"]) == sorted(f"${{aws_elasticache_user.{name}.user_id}}" for name in users)
    group = only(stack, "aws_elasticache_replication_group")
    assert group["user_group_ids"] == [_ref(stack, "aws_elasticache_user_group", "user_group_id")]
    assert set(cache.users) == {"auth", "vc-start"}
    assert cache.users["vc-start"].user_id == "matbakh-dev-api-cache-vc-start"
    (vc_start,) = [name for name, body in users.items() if body["user_id"].endswith("-vc-start")]
    assert stack["resource"]["aws_elasticache_user"][vc_start]["//"]["metadata"]["path"].endswith("/user_vc_start")


def test_connection_environment_is_what_an_iam_client_needs(with_clients: tuple[Any, dict[str, Any]]) -> None:
    cache, _ = with_clients
    environment = cache.connection_environment("auth")
    assert set(environment) == {
        "CACHE_ENDPOINT",
        "CACHE_PORT",
        "CACHE_REPLICATION_GROUP_ID",
        "CACHE_USER_ID",
        "CACHE_TTL_SESSIONS_SECONDS",
        "CACHE_TTL_PERSONA_RESULTS_SECONDS",
    }
    assert environment["CACHE_PORT"] == "6379"
    assert environment["CACHE_REPLICATION_GROUP_ID"] == cache.cache_id == "matbakh-dev-api-cache"
    assert environment["CACHE_USER_ID"] == "matbakh-dev-api-cache-auth"
    assert environment["CACHE_ENDPOINT"] == cache.primary_endpoint_address
    assert (environment["CACHE_TTL_SESSIONS_SECONDS"], environment["CACHE_TTL_PERSONA_RESULTS_SECONDS"]) == (
        "86400",
        "3600",
    )
    with pytest.raises(ValueError, match=r"no user for client 'report'; its users are: auth, vc-start"):
        cache.connection_environment("report")


@pytest.mark.parametrize(
    ("users", "message"),
    [
        (("Auth",), "cache client name 'Auth': must be lower-case"),
        (("vc--start",), "cache client name 'vc--start'"),
        (("auth-",), "cache client name 'auth-'"),
        (("auth", "auth"), "cache client 'auth' is given twice"),
    ],
)
def test_a_bad_client_name_is_refused(tmp_path: Path, users: tuple[str, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        synthesize_cache_stack(tmp_path, users)


def test_a_long_client_name_still_fits_the_40_characters_of_a_user_id(tmp_path: Path) -> None:
    cache, _ = synthesize_cache_stack(tmp_path, ("a-very-long-client-name-for-the-cache",))
    user_id = cache.users["a-very-long-client-name-for-the-cache"].user_id
    assert len(user_id) <= 40 and user_id.startswith("matbakh-dev-api-cache-a-very")


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
    second = {"dev": 42, "staging": 41, "prod": 40}[env]  # each environment's own range (no overlap)
    assert sorted(s["cidr_block"] for s in subnets.values()) == [f"10.{second}.{third}.0/20" for third in (0, 16, 32)]
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
    protected = {"prevent_destroy": True} if env == "prod" else {}  # stacks/protection.py
    assert group["lifecycle"] == {"ignore_changes": ["replicas_per_node_group"], **protected}


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
def test_stack_outputs_endpoints_port_groups_and_ttls(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[env]
    outputs = {name: body["value"] for name, body in stack["output"].items()}
    endpoint = _ref(stack, "aws_elasticache_replication_group", "configuration_endpoint_address")
    assert outputs["cache_primary_endpoint_address"] == outputs["cache_reader_endpoint_address"] == endpoint
    assert outputs["cache_port"] == 6379
    assert outputs["cache_security_group_id"] == _ref(stack, "aws_security_group", "id", "cache_security_group")
    assert outputs["cache_client_security_group_id"] == _ref(stack, "aws_security_group", "id", "cache_client_security")
    assert "cache_auth_secret_arn" not in outputs
    assert outputs["cache_key_ttl_seconds"] == {"sessions": 86400, "persona_results": 3600}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_cache_resource_is_tagged(stacks: dict[str, dict[str, Any]], env: str) -> None:
    tags = {"Environment": env, "Service": "api", "ManagedBy": "autoscale-infra", "CostCenter": "matbakh-platform"}
    for kind in (
        "aws_elasticache_replication_group",
        "aws_elasticache_parameter_group",
        "aws_elasticache_subnet_group",
        "aws_elasticache_user_group",
        "aws_security_group",
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_metric_alarm",
    ):
        for name, body in resources(stacks[env], kind).items():
            assert body["tags"] == tags, f"{kind}.{name}"


def test_every_user_of_a_cache_with_clients_is_tagged(with_clients: tuple[Any, dict[str, Any]]) -> None:
    tags = {"Environment": "dev", "Service": "api", "ManagedBy": "autoscale-infra", "CostCenter": "matbakh-platform"}
    _, stack = with_clients
    assert [body["tags"] for body in resources(stack, "aws_elasticache_user").values()] == [tags, tags]
