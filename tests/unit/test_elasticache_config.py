"""The cache's configuration: AWS's autoscaling rules as validation, and every error's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.config_files import load_environment
from environments.loader import ConfigError, parse_environment
from modules.elasticache.config import supports_replica_autoscaling
from tests.conftest import REPO


def _errors(text: str, env: str = "prod") -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_environment(env, text, Path(f"environments/{env}.yaml"))
    return raised.value.messages


@pytest.mark.parametrize(
    ("node_type", "can"),
    [
        ("cache.m7g.large", True),
        ("cache.r6g.xlarge", True),
        ("cache.r6gd.2xlarge", True),
        ("cache.c7gn.large", True),
        ("cache.m5.large", True),
        ("cache.t4g.small", False),
        ("cache.t3.medium", False),
        ("cache.m7g.medium", False),
        ("cache.r7g.4xlarge", False),
        ("cache.r4.large", False),
    ],
)
def test_which_node_types_can_autoscale_replicas(node_type: str, can: bool) -> None:
    assert supports_replica_autoscaling(node_type) is can


def test_fails_when_a_node_type_that_cannot_autoscale_has_replica_autoscaling() -> None:
    assert _errors("elasticache: {node_type: cache.t4g.small}\n") == [
        "environments/prod.yaml: elasticache.node_type: cache.t4g.small cannot autoscale replicas; AWS autoscales "
        "replicas only on node families m5, m6g, m7g, r5, r6g, r6gd, r7g, c7gn of size large, xlarge, 2xlarge "
        "(e.g. cache.m7g.large). Choose such a node type, or set replica_autoscaling: null with a fixed replica "
        "count (replicas.min = replicas.max) (got 'cache.t4g.small')"
    ]


def test_fails_when_a_node_is_too_big_to_autoscale() -> None:
    (message,) = _errors("elasticache: {node_type: cache.r7g.4xlarge}\n")
    assert message.startswith("environments/prod.yaml: elasticache.node_type: cache.r7g.4xlarge cannot autoscale")


def test_a_small_node_with_a_fixed_replica_count_is_valid() -> None:
    config = parse_environment(
        "dev",
        "elasticache: {node_type: cache.t4g.micro, replica_autoscaling: null, replicas: {min: 1, max: 1}}\n",
        Path("dev.yaml"),
    )
    assert config.elasticache is not None
    assert config.elasticache.replica_autoscaling is None and config.elasticache.replicas.max == 1


def test_fails_when_a_fixed_replica_count_is_a_range() -> None:
    assert _errors("elasticache: {replica_autoscaling: null, replicas: {min: 0, max: 2}}\n", env="staging") == [
        "environments/staging.yaml: elasticache.replicas: without replica_autoscaling the replica count is fixed: "
        "set min equal to max, or configure replica_autoscaling (got {'min': 0, 'max': 2})"
    ]


def test_fails_when_more_replicas_than_the_alarms_can_watch() -> None:
    assert _errors("elasticache: {replicas: {min: 1, max: 5}}\n") == [
        "environments/prod.yaml: elasticache.replicas: max must be ≤ 4: the hit-rate alarm reads 2 metrics per node "
        "and CloudWatch allows 10 per alarm (got {'min': 1, 'max': 5})"
    ]


def test_fails_when_prod_may_run_without_a_replica() -> None:
    (message,) = _errors("elasticache: {replicas: {min: 0, max: 3}}\n")
    assert message.startswith(
        "environments/prod.yaml: elasticache: replicas.min must be ≥ 1 in prod: production always keeps a replica "
        "for Multi-AZ failover (got replicas.min = 0)"
    )


def test_fails_on_an_unknown_eviction_policy_naming_the_allowed_ones() -> None:
    (message,) = _errors("elasticache: {eviction_policy: lru}\n")
    assert message.startswith("environments/prod.yaml: elasticache.eviction_policy: Input should be 'volatile-lru',")
    assert "'allkeys-lfu'" in message and message.endswith("(got 'lru')")


def test_the_auth_token_secret_setting_is_gone_with_the_secret() -> None:
    """Clients authenticate with IAM: there is no AUTH-token secret left to configure."""
    (message,) = _errors("elasticache: {auth_secret_recovery_window_days: 0}\n", env="dev")
    assert message.startswith(
        "environments/dev.yaml: elasticache.auth_secret_recovery_window_days: unknown setting; allowed: alarms, "
    )
    assert "auth" not in message.split("allowed:", 1)[1]


def test_no_shipped_environment_configures_an_auth_token() -> None:
    for env in ("dev", "staging", "prod"):
        assert "auth_secret" not in (REPO / "environments" / f"{env}.yaml").read_text()
        load_environment(env)  # and each still loads


def test_fails_on_a_bad_key_class_or_ttl() -> None:
    messages = _errors("elasticache: {key_ttl_seconds: {Sessions: 60, persona_results: 0}}\n")
    assert any("elasticache.key_ttl_seconds.Sessions.[key]: String should match pattern" in m for m in messages)
    assert any(
        "elasticache.key_ttl_seconds.persona_results: Input should be greater than or equal to 1" in m for m in messages
    )


def test_fails_on_a_client_security_group_that_is_not_an_id() -> None:
    (message,) = _errors("elasticache: {client_security_group_ids: {bastion: my-group}}\n")
    assert message.startswith("environments/prod.yaml: elasticache.client_security_group_ids.bastion: String should")


def test_fails_when_availability_zones_are_outside_the_region() -> None:
    assert _errors("network: {availability_zones: [eu-central-1a, eu-west-1b]}\n") == [
        "environments/prod.yaml: network: availability_zones must be zones of the region eu-central-1 "
        "(e.g. eu-central-1a, eu-central-1b); not eu-west-1b (got {'availability_zones': ['eu-central-1a', 'eu-west-1b']})"
    ]


def test_fails_on_a_public_or_odd_sized_vpc_range() -> None:
    assert _errors("network: {cidr_block: 8.8.0.0/16}\n") == [
        "environments/prod.yaml: network.cidr_block: must be a private IPv4 range from /16 to /24, "
        "such as 10.40.0.0/16 (got '8.8.0.0/16')"
    ]


def test_fails_when_an_existing_network_has_one_subnet() -> None:
    (message,) = _errors("network: {existing: {vpc_id: vpc-0abc12345, private_subnet_ids: [subnet-0abc12345]}}\n")
    assert message.startswith(
        "environments/prod.yaml: network.existing.private_subnet_ids: Tuple should have at least 2"
    )


def test_shipped_environments_say_how_their_replicas_scale() -> None:
    dev, staging, prod = (load_environment(name).elasticache for name in ("dev", "staging", "prod"))
    assert dev is not None and staging is not None and prod is not None
    assert (dev.node_type, dev.replica_autoscaling, dev.replicas.min, dev.replicas.max) == (
        "cache.t4g.micro",
        None,
        0,
        0,
    )
    assert (staging.node_type, staging.replica_autoscaling, staging.replicas.min, staging.replicas.max) == (
        "cache.t4g.micro",
        None,
        0,
        0,
    )
    assert prod.replica_autoscaling is not None and supports_replica_autoscaling(prod.node_type)
    assert (prod.replicas.min, prod.replicas.max) == (1, 3)


def test_a_serverless_cache_takes_its_two_limits() -> None:
    config = parse_environment(
        "dev", "elasticache: {serverless: {max_data_storage_gb: 1, max_ecpu_per_second: 1000}}\n", Path("dev.yaml")
    )
    assert config.elasticache is not None and config.elasticache.serverless is not None
    assert (config.elasticache.serverless.max_data_storage_gb, config.elasticache.serverless.limit_alarm_percent) == (
        1,
        80,
    )


def test_a_serverless_cache_with_node_settings_is_refused_naming_them() -> None:
    (message,) = _errors(
        "elasticache:\n  serverless: {max_data_storage_gb: 1, max_ecpu_per_second: 1000}\n"
        "  node_type: cache.t4g.micro\n  replicas: {min: 0, max: 0}\n"
    )
    assert message.startswith(
        "environments/prod.yaml: elasticache: replicas, node_type apply to a node-based cache only: a serverless "
        "cache has no nodes, replicas, parameter group, maintenance window or logs; remove them, or remove serverless"
    )


@pytest.mark.parametrize(
    ("limits", "field", "bound"),
    [
        ("{max_data_storage_gb: 0, max_ecpu_per_second: 1000}", "max_data_storage_gb", "greater than or equal to 1"),
        ("{max_data_storage_gb: 5001, max_ecpu_per_second: 1000}", "max_data_storage_gb", "less than or equal to 5000"),
        ("{max_data_storage_gb: 1, max_ecpu_per_second: 999}", "max_ecpu_per_second", "greater than or equal to 1000"),
        ("{max_data_storage_gb: 1}", "max_ecpu_per_second", "Field required"),
    ],
)
def test_serverless_limits_outside_aws_bounds_are_refused(limits: str, field: str, bound: str) -> None:
    (message,) = _errors(f"elasticache: {{serverless: {limits}}}\n")
    assert message.startswith(f"environments/prod.yaml: elasticache.serverless.{field}: ")
    assert bound in message


def test_the_configuration_page_quotes_the_serverless_bounds_and_minimum() -> None:
    from cli.cost.prices import load_price_table
    from modules.elasticache.config import SERVERLESS_ECPU_PER_SECOND, SERVERLESS_STORAGE_GB

    text = " ".join((REPO / "docs" / "configuration.md").read_text().split())
    (low_gb, high_gb), (low_ecpu, high_ecpu) = SERVERLESS_STORAGE_GB, SERVERLESS_ECPU_PER_SECOND
    assert f"({low_gb}–{high_gb:,} GB, {low_ecpu:,}–{high_ecpu:,} ECPU a second)" in text
    minimum = load_price_table("eu-central-1").elasticache.serverless_minimum_storage
    assert f"(at least {minimum.quantity * 1000:g} MB)" in text and minimum.unit == "GB"
