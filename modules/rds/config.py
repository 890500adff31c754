"""Inputs of the PostgreSQL database, and the table of instance classes the code knows.

Defaults are production's; `environments/<env>.yaml` holds only what differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from modules.core.base import LogRetentionDays, StrictModel
from modules.core.schedule import TimeZone, WeeklyWindow

PORT = 5432

MAX_CONNECTIONS_BYTES_PER_CONNECTION = 9531392
"""PostgreSQL on RDS defaults `max_connections` to LEAST({DBInstanceClassMemory/9531392}, 5000)."""

MAX_CONNECTIONS_CEILING = 5000


@dataclass(frozen=True)
class InstanceClass:
    """One DB instance class: its family order decides the next class up."""

    name: str
    memory_gib: float
    vcpus: int

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_gib * 1024**3)

    @property
    def max_connections(self) -> int:
        """PostgreSQL's default `max_connections` on RDS for this class.

        RDS computes it from `DBInstanceClassMemory`, which is the class's memory less what the
        OS and RDS reserve; AWS does not publish that reserve, so this uses the nominal memory and
        is a few percent high. The connections alarm's percentage is therefore slightly late,
        never early; set the threshold with that in mind.
        """
        return min(self.memory_bytes // MAX_CONNECTIONS_BYTES_PER_CONNECTION, MAX_CONNECTIONS_CEILING)


def _family(prefix: str, sizes: list[tuple[str, float, int]]) -> list[InstanceClass]:
    return [InstanceClass(f"db.{prefix}.{size}", memory, vcpus) for size, memory, vcpus in sizes]


# Graviton classes of RDS for PostgreSQL, smallest first within each family (RDS user guide,
# "Hardware specifications for DB instance classes").
INSTANCE_FAMILIES: dict[str, list[InstanceClass]] = {
    "t4g": _family(
        "t4g",
        [("micro", 1, 2), ("small", 2, 2), ("medium", 4, 2), ("large", 8, 2), ("xlarge", 16, 4), ("2xlarge", 32, 8)],
    ),
    "m7g": _family(
        "m7g", [("large", 8, 2), ("xlarge", 16, 4), ("2xlarge", 32, 8), ("4xlarge", 64, 16), ("8xlarge", 128, 32)]
    ),
    "r7g": _family(
        "r7g", [("large", 16, 2), ("xlarge", 32, 4), ("2xlarge", 64, 8), ("4xlarge", 128, 16), ("8xlarge", 256, 32)]
    ),
}
INSTANCE_CLASSES: dict[str, InstanceClass] = {
    instance.name: instance for family in INSTANCE_FAMILIES.values() for instance in family
}


def instance_class(name: str) -> InstanceClass:
    return INSTANCE_CLASSES[name]


def next_class_up(name: str) -> InstanceClass | None:
    """The next larger class of the same family; None for the largest the table knows."""
    family = INSTANCE_FAMILIES[name.split(".")[1]]
    index = [instance.name for instance in family].index(name)
    return family[index + 1] if index + 1 < len(family) else None


ClientName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")]
SecurityGroupId = Annotated[str, Field(pattern=r"^sg-[0-9a-f]{8,17}$")]
DatabaseIdentifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]


class RdsProxySettings(StrictModel):
    """Connection pooling of the RDS Proxy in front of the database (for Lambda)."""

    max_connections_percent: int = Field(
        default=90, ge=1, le=100, description="Share of the database's max_connections the proxy may open."
    )
    max_idle_connections_percent: int = Field(
        default=50, ge=0, le=100, description="Share of max_connections the proxy keeps open while idle."
    )
    idle_client_timeout_seconds: int = Field(
        default=1800, ge=1, le=28800, description="Close a client connection idle for this long."
    )
    connection_borrow_timeout_seconds: int = Field(
        default=120, ge=0, le=3600, description="Wait this long for a pooled connection before failing."
    )

    @field_validator("max_idle_connections_percent")
    @classmethod
    def _idle_within_max(cls, value: int, info: ValidationInfo) -> int:
        maximum = info.data.get("max_connections_percent")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be ≤ max_connections_percent ({maximum})")
        return value


class RunningHours(WeeklyWindow):
    """EventBridge Scheduler starts the instance at `start` and stops it at `end` on `days`.

    While stopped, the instance's hours are not billed (its storage and backups are). AWS starts a
    stopped instance by itself after 7 days; every week has a start, so it never waits that long.
    Terraform can change the instance only while it runs (`make apply` inside the hours).
    """

    time_zone: TimeZone = Field(default="Europe/Berlin", description="IANA time zone of `start` and `end`.")


class RdsConfig(StrictModel):
    """The environment's PostgreSQL instance; defaults are production's.

    Field order matters: validators of later fields read earlier ones.
    """

    engine_version: Literal["16", "17"] = Field(
        default="17", description="PostgreSQL major version; RDS applies minor versions in the maintenance window."
    )
    instance_class: str = Field(default="db.m7g.large", description="DB instance class (one of the code's table).")
    allocated_storage_gib: int = Field(default=100, ge=20, le=65536, description="gp3 storage at creation.")
    max_allocated_storage_gib: int = Field(
        default=500,
        ge=22,
        le=65536,
        description="Ceiling of storage autoscaling: at least 10 % above allocated_storage_gib (AWS), 26 % advised.",
    )
    multi_az: bool = Field(default=True, description="A synchronous standby in another zone; required in prod.")
    backup_retention_days: int = Field(
        default=14, ge=1, le=35, description="Days of automated backups (point-in-time recovery); ≥ 7 in prod."
    )
    backup_window: str = Field(
        default="02:00-03:00", pattern=r"^\d\d:\d\d-\d\d:\d\d$", description="Daily backup window, UTC."
    )
    maintenance_window: str = Field(
        default="sun:04:00-sun:05:00",
        pattern=r"^(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d-(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d$",
        description="Weekly maintenance window, UTC; must not overlap the backup window.",
    )
    deletion_protection: bool = Field(default=True, description="Refuse to delete the instance; required in prod.")
    final_snapshot: bool = Field(default=True, description="Take a snapshot when the instance is deleted.")
    database_name: DatabaseIdentifier = Field(default="app", description="Database created with the instance.")
    master_username: DatabaseIdentifier = Field(
        default="app_admin",
        description="Master user; its password is generated and kept by RDS in Secrets Manager.",
    )
    monitoring_interval_seconds: Literal[1, 5, 10, 15, 30, 60] = Field(
        default=60, description="Enhanced monitoring granularity."
    )
    performance_insights_retention_days: int = Field(
        default=7, description="7 (free) or a multiple of 31 up to 731 days."
    )
    log_retention_days: LogRetentionDays = Field(default=365, description="Retention of the exported logs.")
    slow_query_ms: int = Field(
        default=500, ge=0, le=3_600_000, description="Log statements slower than this (`log_min_duration_statement`)."
    )
    read_replicas: int = Field(default=0, ge=0, le=5, description="Read replicas of the instance, same class.")
    client_security_group_ids: dict[ClientName, SecurityGroupId] = Field(
        default_factory=dict,
        description="Security groups outside this stack admitted to the database directly, by a stable name.",
    )
    proxy: RdsProxySettings | None = Field(
        default_factory=RdsProxySettings,
        description=(
            "The RDS Proxy that pools the functions' connections (billed per vCPU of the instance, at least 2). "
            "null: a cost profile for a small environment; functions connect to the instance directly with "
            "IAM authentication as `direct_user`."
        ),
    )
    direct_user: DatabaseIdentifier = Field(
        default="app_iam",
        description=(
            "Without a proxy: the database user functions log in as with an IAM token. A migration creates it "
            "(`CREATE USER app_iam; GRANT rds_iam TO app_iam;`); the master user keeps its password."
        ),
    )
    running_hours: RunningHours | None = Field(
        default=None,
        description=(
            "A cost profile for a small environment: the instance runs only in these hours and is stopped "
            "outside them. null: it runs around the clock (prod). Not with read replicas (AWS cannot stop "
            "a primary that has them)."
        ),
    )
    alarm_period_seconds: Literal[60, 300, 900] = Field(default=300, description="Length of one evaluated period.")
    alarm_evaluation_periods: int = Field(
        default=3, ge=1, le=24, description="Consecutive breaching periods before an alarm fires (sustained)."
    )
    cpu_alarm_threshold_percent: float = Field(
        default=60, gt=0, le=100, description="Average CPU above which the capacity alarm fires."
    )
    connections_alarm_threshold_percent: float = Field(
        default=80, gt=0, le=100, description="Connections, as % of the class's max_connections, that alarm."
    )
    freeable_memory_alarm_threshold_percent: float = Field(
        default=10, gt=0, lt=100, description="Freeable memory, as % of the class's memory, below which it alarms."
    )
    free_storage_alarm_threshold_gib: float = Field(
        default=5,
        gt=0,
        description="Free storage below which it alarms (autoscaling adds storage below 10 % of allocated).",
    )
    read_latency_alarm_threshold_ms: float = Field(default=20, gt=0, description="Average read latency.")
    write_latency_alarm_threshold_ms: float = Field(default=20, gt=0, description="Average write latency.")
    replica_lag_alarm_threshold_seconds: float = Field(
        default=30, gt=0, description="Replica lag; only with read replicas."
    )
    proxy_client_connections_alarm_threshold: int = Field(
        default=1000, ge=1, description="Client connections to the proxy above which it alarms."
    )

    @field_validator("instance_class")
    @classmethod
    def _known_instance_class(cls, value: str) -> str:
        if value not in INSTANCE_CLASSES:
            raise ValueError(f"unknown instance class; known: {', '.join(INSTANCE_CLASSES)}")
        return value

    @field_validator("max_allocated_storage_gib")
    @classmethod
    def _autoscaling_ceiling_above_allocated(cls, value: int, info: ValidationInfo) -> int:
        allocated = info.data.get("allocated_storage_gib")
        least = -(-allocated * 11 // 10) if allocated is not None else 0  # integer ceiling of 110 %
        if value < least:
            raise ValueError(
                f"must be at least {least}, 10 % above allocated_storage_gib ({allocated}): "
                "AWS refuses a lower ceiling for storage autoscaling"
            )
        return value

    @field_validator("performance_insights_retention_days")
    @classmethod
    def _performance_insights_retention(cls, value: int) -> int:
        if not (value == 7 or value == 731 or (value % 31 == 0 and 31 <= value <= 713)):
            raise ValueError("must be 7 (free), a multiple of 31 up to 713, or 731")
        return value

    @field_validator("free_storage_alarm_threshold_gib")
    @classmethod
    def _free_storage_below_allocated(cls, value: float, info: ValidationInfo) -> float:
        allocated = info.data.get("allocated_storage_gib")
        if allocated is not None and value >= allocated:
            raise ValueError(f"must be below allocated_storage_gib ({allocated})")
        return value

    @model_validator(mode="after")
    def _direct_user_is_not_the_master(self) -> RdsConfig:
        if self.proxy is None and self.direct_user == self.master_username:
            raise ValueError(
                f"direct_user must differ from master_username ({self.master_username}): granting rds_iam to the "
                "master user would end its password login"
            )
        return self

    @model_validator(mode="after")
    def _stopped_without_replicas(self) -> RdsConfig:
        if self.running_hours is not None and self.read_replicas:
            raise ValueError(
                f"running_hours needs read_replicas: 0 (got {self.read_replicas}): AWS cannot stop an instance "
                "that has read replicas"
            )
        return self

    @property
    def instance(self) -> InstanceClass:
        return INSTANCE_CLASSES[self.instance_class]
