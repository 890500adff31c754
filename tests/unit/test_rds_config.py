"""The database's configuration: the instance-class table, prod's safety rules, and every error's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.config_files import load_environment
from environments.loader import ConfigError, parse_environment
from modules.rds.config import INSTANCE_CLASSES, instance_class, next_class_up


def _errors(text: str, env: str = "prod") -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_environment(env, text, Path(f"environments/{env}.yaml"))
    return raised.value.messages


@pytest.mark.parametrize(
    ("name", "max_connections"),
    [
        # LEAST({DBInstanceClassMemory/9531392}, 5000), by hand:
        ("db.t4g.micro", 112),  # 1 GiB = 1,073,741,824 B / 9,531,392 = 112.65
        ("db.t4g.small", 225),  # 2 GiB = 2,147,483,648 B / 9,531,392 = 225.30
        ("db.m7g.large", 901),  # 8 GiB = 8,589,934,592 B / 9,531,392 = 901.22
        ("db.r7g.large", 1802),  # 16 GiB = 17,179,869,184 B / 9,531,392 = 1802.45
        ("db.r7g.4xlarge", 5000),  # 128 GiB / 9,531,392 = 14,419.6, capped at 5000
    ],
)
def test_max_connections_follows_postgresqls_default_formula(name: str, max_connections: int) -> None:
    assert instance_class(name).max_connections == max_connections


@pytest.mark.parametrize(
    ("name", "up"),
    [
        ("db.t4g.micro", "db.t4g.small"),
        ("db.t4g.small", "db.t4g.medium"),
        ("db.m7g.large", "db.m7g.xlarge"),
        ("db.r7g.4xlarge", "db.r7g.8xlarge"),
        ("db.r7g.8xlarge", None),
    ],
)
def test_the_next_class_up_is_the_next_size_of_the_same_family(name: str, up: str | None) -> None:
    found = next_class_up(name)
    assert (found.name if found else None) == up


def test_each_family_grows_in_memory() -> None:
    for name in INSTANCE_CLASSES:
        bigger = next_class_up(name)
        if bigger is not None:
            assert bigger.memory_gib > instance_class(name).memory_gib


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ("dev", ("db.t4g.micro", 20, 26, False, 1, False, False, 80)),
        ("staging", ("db.t4g.micro", 20, 26, False, 3, True, True, 70)),
        ("prod", ("db.m7g.large", 100, 500, True, 14, True, True, 60)),
    ],
)
def test_shipped_environments(env: str, expected: tuple[object, ...]) -> None:
    rds = load_environment(env).rds
    assert (
        rds.instance_class,
        rds.allocated_storage_gib,
        rds.max_allocated_storage_gib,
        rds.multi_az,
        rds.backup_retention_days,
        rds.deletion_protection,
        rds.final_snapshot,
        rds.cpu_alarm_threshold_percent,
    ) == expected


@pytest.mark.parametrize("ceiling", [100, 109])
def test_fails_when_the_storage_ceiling_is_not_10_percent_above_the_allocated_storage(ceiling: int) -> None:
    assert _errors(f"rds: {{allocated_storage_gib: 100, max_allocated_storage_gib: {ceiling}}}\n", "dev") == [
        "environments/dev.yaml: rds.max_allocated_storage_gib: must be at least 110, 10 % above "
        f"allocated_storage_gib (100): AWS refuses a lower ceiling for storage autoscaling (got {ceiling})"
    ]


def test_a_storage_ceiling_10_percent_above_the_allocated_storage_is_accepted() -> None:
    config = parse_environment("dev", "rds: {allocated_storage_gib: 100, max_allocated_storage_gib: 110}\n", Path("d"))
    assert config.rds.max_allocated_storage_gib == 110


def test_fails_when_the_instance_class_is_unknown() -> None:
    (message,) = _errors("rds: {instance_class: db.t3.micro}\n", "dev")
    assert message.startswith(
        "environments/dev.yaml: rds.instance_class: unknown instance class; known: db.t4g.micro, db.t4g.small,"
    )
    assert message.endswith("db.r7g.8xlarge (got 'db.t3.micro')")


def test_fails_when_prod_is_single_az() -> None:
    (message,) = _errors("rds: {multi_az: false}\n")
    assert message.startswith(
        "environments/prod.yaml: rds: multi_az must be true in prod: a standby in another zone "
        "takes over on failure (got "
    )


def test_fails_when_prod_keeps_backups_for_less_than_a_week() -> None:
    (message,) = _errors("rds: {backup_retention_days: 6}\n")
    assert "rds: backup_retention_days must be ≥ 7 in prod (got 6): a week of point-in-time recovery" in (message)


def test_fails_when_prod_may_be_deleted_without_protection_or_snapshot() -> None:
    (message,) = _errors("rds: {deletion_protection: false, final_snapshot: false}\n")
    assert "deletion_protection must be true in prod; final_snapshot must be true in prod" in message


def test_dev_may_be_single_az_with_a_day_of_backups() -> None:
    config = parse_environment("dev", "rds: {multi_az: false, backup_retention_days: 1}\n", Path("dev.yaml"))
    assert config.rds.multi_az is False and config.rds.backup_retention_days == 1


def test_a_database_user_is_not_configured_per_function_any_more() -> None:
    """Functions that use the database connect through the proxy as the user it holds the secret
    of (rds.master_username): there is no per-function user to get wrong."""
    (message,) = _errors("lambda: {functions: {auth: {grants: {rds_proxy: {db_user: app}}}}}\n", "dev")
    assert message.startswith("environments/dev.yaml: lambda.functions.auth.grants.rds_proxy: unknown setting")


def test_fails_when_the_free_storage_alarm_is_at_or_above_the_allocated_storage() -> None:
    (message,) = _errors("rds: {allocated_storage_gib: 20, free_storage_alarm_threshold_gib: 20}\n", "dev")
    assert message == (
        "environments/dev.yaml: rds.free_storage_alarm_threshold_gib: must be below allocated_storage_gib (20) (got 20)"
    )


def test_fails_when_the_proxy_keeps_more_idle_connections_than_it_may_open() -> None:
    (message,) = _errors("rds: {proxy: {max_connections_percent: 40, max_idle_connections_percent: 50}}\n", "dev")
    assert message == (
        "environments/dev.yaml: rds.proxy.max_idle_connections_percent: must be ≤ max_connections_percent (40) (got 50)"
    )


@pytest.mark.parametrize("days", [8, 30, 800])
def test_fails_when_performance_insights_retention_is_not_one_aws_accepts(days: int) -> None:
    (message,) = _errors(f"rds: {{performance_insights_retention_days: {days}}}\n", "dev")
    assert "must be 7 (free), a multiple of 31 up to 713, or 731" in message


def test_running_hours_refuse_read_replicas() -> None:
    text = "rds: {read_replicas: 1, running_hours: {days: MON-FRI, start: '07:00', end: '19:00'}}\n"
    (message,) = _errors(text, "dev")
    assert message.startswith(
        "environments/dev.yaml: rds: running_hours needs read_replicas: 0 (got 1): AWS cannot stop an instance that "
        "has read replicas"
    )


def test_prod_runs_its_database_around_the_clock() -> None:
    (message,) = _errors("rds: {running_hours: {days: MON-FRI}}\n", "prod")
    assert "running_hours must be null in prod: production's database runs around the clock" in message


def test_running_hours_name_a_known_time_zone() -> None:
    (message,) = _errors("rds: {running_hours: {time_zone: Mars/Olympus}}\n", "dev")
    assert message == (
        "environments/dev.yaml: rds.running_hours.time_zone: unknown IANA time zone, e.g. Europe/Berlin or UTC "
        "(got 'Mars/Olympus')"
    )
