"""What discovery found: the inventory, its gaps and the readiness findings (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low", "info")
GapKind = Literal["access-denied", "throttled", "unavailable", "failed"]


@dataclass(frozen=True)
class Classification:
    """Which environment a resource belongs to, and how that was decided (`none`: unclassified)."""

    environment: str | None
    source: Literal["tag", "name", "parent", "none"]


UNCLASSIFIED = Classification(environment=None, source="none")


@dataclass(frozen=True)
class Gap:
    """A part of the inventory that could not be read; `action` is the IAM action of the call."""

    service: str
    action: str
    kind: GapKind
    message: str


@dataclass(frozen=True)
class Alias:
    name: str
    function_version: str


@dataclass(frozen=True)
class ProvisionedConcurrency:
    qualifier: str
    requested: int
    allocated: int | None
    status: str | None


@dataclass(frozen=True)
class LambdaFunction:
    name: str
    arn: str
    runtime: str | None
    memory_mb: int | None
    tags: dict[str, str]
    classification: Classification
    aliases: tuple[Alias, ...]
    versions: tuple[str, ...]
    """Published versions (without `$LATEST`)."""
    reserved_concurrency: int | None
    provisioned_concurrency: tuple[ProvisionedConcurrency, ...] | None
    """`None`: could not be read (see the gaps)."""


@dataclass(frozen=True)
class ScalingPolicy:
    name: str
    policy_type: str
    target_value: float | None
    metric: str | None


@dataclass(frozen=True)
class ScalableTarget:
    service_namespace: str
    resource_id: str
    scalable_dimension: str
    min_capacity: int
    max_capacity: int
    classification: Classification
    policies: tuple[ScalingPolicy, ...]

    @property
    def resource_name(self) -> str:
        """`function:NAME:ALIAS` → NAME; `replication-group/ID` → ID; `cluster:ID` → ID."""
        if self.resource_id.startswith("function:"):
            return self.resource_id.split(":")[1]
        return self.resource_id.split("/", 1)[-1].split(":", 1)[-1]


@dataclass(frozen=True)
class DbInstance:
    identifier: str
    arn: str
    engine: str
    instance_class: str
    allocated_storage_gib: int
    max_allocated_storage_gib: int | None
    """`None`: storage autoscaling off."""
    multi_az: bool
    storage_encrypted: bool
    tags: dict[str, str]
    classification: Classification


@dataclass(frozen=True)
class DbProxy:
    name: str
    arn: str
    engine_family: str
    tags: dict[str, str]
    classification: Classification


@dataclass(frozen=True)
class ReplicationGroup:
    replication_group_id: str
    arn: str
    node_type: str
    shards: int
    replicas_per_shard: int
    cluster_mode_enabled: bool
    automatic_failover: str
    multi_az: str
    at_rest_encryption: bool
    transit_encryption: bool
    tags: dict[str, str]
    classification: Classification


@dataclass(frozen=True)
class Distribution:
    distribution_id: str
    arn: str
    comment: str
    aliases: tuple[str, ...]
    http_version: str | None
    compress: bool | None
    origin_shield: bool
    cache_policy_id: str | None
    tags: dict[str, str]
    classification: Classification


@dataclass(frozen=True)
class Alarm:
    name: str
    arn: str
    namespace: str | None
    metric: str | None
    dimensions: dict[str, str]
    threshold: float | None
    actions_enabled: bool
    has_actions: bool
    tags: dict[str, str]
    classification: Classification


@dataclass(frozen=True)
class Budget:
    name: str
    limit_amount: float | None
    limit_unit: str | None
    time_unit: str
    classification: Classification


@dataclass(frozen=True)
class Inventory:
    environment: str
    region: str
    account_id: str | None
    name_pattern: str
    lambda_functions: tuple[LambdaFunction, ...] = ()
    scalable_targets: tuple[ScalableTarget, ...] = ()
    db_instances: tuple[DbInstance, ...] = ()
    db_proxies: tuple[DbProxy, ...] = ()
    replication_groups: tuple[ReplicationGroup, ...] = ()
    distributions: tuple[Distribution, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    budgets: tuple[Budget, ...] = ()
    gaps: tuple[Gap, ...] = field(default=())

    @property
    def incomplete(self) -> bool:
        """Denied or throttled reads make the inventory incomplete; an absent service does not."""
        return any(gap.kind != "unavailable" for gap in self.gaps)


@dataclass(frozen=True)
class Finding:
    """What stands between a resource and the configured scaling, and the change that fixes it."""

    severity: Severity
    resource_kind: str
    resource_id: str
    message: str
    fix: str
