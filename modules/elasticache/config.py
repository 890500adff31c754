"""Inputs of the cache: a Valkey replication group in cluster mode with one shard, or a Valkey
ElastiCache Serverless cache (`serverless`), which has no node to size and bills what it stores
and serves within the limits set here."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from modules.core.base import LogRetentionDays, StrictModel
from modules.core.scaling import ScalingRange

NodeType = Annotated[str, Field(pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")]
KeyClass = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
ClientName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")]
SecurityGroupId = Annotated[str, Field(pattern=r"^sg-[0-9a-f]{8,17}$")]
TtlSeconds = Annotated[int, Field(ge=1, le=30 * 24 * 3600)]
EvictionPolicy = Literal[
    "volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random",
    "volatile-ttl", "noeviction",
]  # fmt: skip

# AWS autoscales replicas only for these node families and sizes (ElastiCache user guide,
# "Auto Scaling Valkey and Redis OSS clusters", prerequisites); t-class nodes never.
AUTOSCALING_FAMILIES = ("m5", "m6g", "m7g", "r5", "r6g", "r6gd", "r7g", "c7gn")
AUTOSCALING_SIZES = ("large", "xlarge", "2xlarge")

# CloudWatch allows 10 metrics in one metric-math alarm; the hit-rate alarm reads hits and
# misses of every node (primary + replicas), so a shard has at most 5 nodes.
MAX_REPLICAS = 4


def supports_replica_autoscaling(node_type: str) -> bool:
    """Whether AWS can autoscale replicas of a replication group with nodes of `node_type`."""
    _, family, size = node_type.split(".", 2)
    return family in AUTOSCALING_FAMILIES and size in AUTOSCALING_SIZES


class ReplicaAutoscaling(StrictModel):
    """Target tracking on the replicas' engine CPU (`ElastiCacheReplicaEngineCPUUtilization`)."""

    target_engine_cpu_percent: float = Field(
        default=60, gt=0, le=90, description="Average replica engine CPU the policy keeps the group at."
    )
    scale_in_cooldown_seconds: int = Field(
        default=600, ge=0, le=3600, description="Wait after removing a replica before removing another."
    )
    scale_out_cooldown_seconds: int = Field(
        default=300, ge=0, le=3600, description="Wait after adding a replica before adding another."
    )


class CacheAlarmThresholds(StrictModel):
    """Thresholds of the cache alarms; every alarm notifies the environment's alert topic."""

    period_seconds: Literal[60, 300, 900] = Field(default=300, description="Length of one evaluated period.")
    evaluation_periods: int = Field(
        default=3, ge=1, le=24, description="Consecutive breaching periods before an alarm fires."
    )
    engine_cpu_percent: float = Field(
        default=75, gt=0, le=100, description="Highest engine CPU of any node (Valkey is single-threaded)."
    )
    memory_usage_percent: float = Field(
        default=80, gt=0, le=100, description="Highest `DatabaseMemoryUsagePercentage` of any node."
    )
    evictions_per_period: int = Field(
        default=100, ge=0, description="Evicted keys of all nodes in one period above which memory is short."
    )
    current_connections: int = Field(default=5000, ge=1, description="Client connections of any node.")
    replication_lag_seconds: float = Field(
        default=5, gt=0, description="Replica lag behind the primary; only with replicas."
    )
    hit_rate_min_percent: float = Field(
        default=80, ge=0, lt=100, description="Cache hit rate (hits / (hits + misses)) below which it alarms."
    )


# CreateServerlessCache's CacheUsageLimits: data storage 1–5,000 GB, 1,000–15,000,000 ECPU a second.
SERVERLESS_STORAGE_GB = (1, 5000)
SERVERLESS_ECPU_PER_SECOND = (1000, 15_000_000)


class ServerlessCache(StrictModel):
    """ElastiCache Serverless (Valkey): AWS scales it within these limits and bills GB-hours stored
    (at least 100 MB) and ECPUs served; the limits are what the cost estimate's ceiling pays for."""

    max_data_storage_gb: int = Field(
        ge=SERVERLESS_STORAGE_GB[0],
        le=SERVERLESS_STORAGE_GB[1],
        description="Most data the cache may hold, in GB; beyond it AWS evicts keys with a TTL, then refuses writes.",
    )
    max_ecpu_per_second: int = Field(
        ge=SERVERLESS_ECPU_PER_SECOND[0],
        le=SERVERLESS_ECPU_PER_SECOND[1],
        description="Most ElastiCache Processing Units a second; beyond it AWS throttles commands.",
    )
    limit_alarm_percent: float = Field(
        default=80, gt=0, lt=100, description="Share of either limit above which an alarm fires."
    )


# What only a node-based cache has: a serverless cache sizes, replicates, evicts and is maintained by AWS.
NODE_ONLY_FIELDS = (
    "replica_autoscaling", "replicas", "node_type", "eviction_policy", "idle_client_timeout_seconds",
    "maintenance_window", "log_retention_days",
)  # fmt: skip


class ElastiCacheConfig(StrictModel):
    """The cache of an environment; defaults are production's (replica autoscaling on a Graviton node).

    Field order matters: validators of later fields read earlier ones.
    """

    serverless: ServerlessCache | None = Field(
        default=None,
        description="A serverless cache instead of a node: no replicas, parameter group or logs to set.",
    )
    engine_version: Literal["7.2", "8.0"] = Field(
        default="8.0", description="Valkey engine version (a serverless cache takes its major version)."
    )
    replica_autoscaling: ReplicaAutoscaling | None = Field(
        default_factory=ReplicaAutoscaling,
        description="Replica autoscaling; null means a fixed replica count (replicas.min = replicas.max).",
    )
    replicas: ScalingRange = Field(
        default=ScalingRange(min=1, max=3), description="Read-replica count bounds of the one shard."
    )
    node_type: NodeType = Field(
        default="cache.m7g.large", description="Node type; replica autoscaling needs M/R/C7gn large to 2xlarge."
    )
    eviction_policy: EvictionPolicy = Field(
        default="volatile-lru", description="`maxmemory-policy`: which keys go when memory is full."
    )
    idle_client_timeout_seconds: int | None = Field(
        default=300, ge=1, le=86400, description="Close idle client connections after this; null never closes."
    )
    snapshot_retention_days: int = Field(default=7, ge=1, le=35, description="Daily snapshots kept.")
    snapshot_window: str = Field(
        default="01:00-02:00",
        pattern=r"^\d\d:\d\d-\d\d:\d\d$",
        description="Daily snapshot window, UTC (a serverless cache's snapshot starts at its start).",
    )
    maintenance_window: str = Field(
        default="sun:03:00-sun:04:00",
        pattern=r"^(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d-(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d$",
        description="Weekly maintenance window, UTC; must not overlap the snapshot window.",
    )
    log_retention_days: LogRetentionDays = Field(
        default=365, description="Retention of the slow-log and engine-log groups."
    )
    key_ttl_seconds: dict[KeyClass, TtlSeconds] = Field(
        default_factory=lambda: {"sessions": 86400, "persona_results": 3600},
        min_length=1,
        description="TTL of each key class; published to the functions so they and the alarms agree.",
    )
    client_security_group_ids: dict[ClientName, SecurityGroupId] = Field(
        default_factory=dict,
        description="Security groups outside this stack granted the cache, by a stable name.",
    )
    alarms: CacheAlarmThresholds = Field(default_factory=CacheAlarmThresholds)

    @field_validator("replicas")
    @classmethod
    def _replicas_fit(cls, value: ScalingRange, info: ValidationInfo) -> ScalingRange:
        if info.data.get("serverless") is not None:  # the model validator refuses node settings
            return value
        if value.max > MAX_REPLICAS:
            raise ValueError(
                f"max must be ≤ {MAX_REPLICAS}: the hit-rate alarm reads 2 metrics per node and CloudWatch "
                "allows 10 per alarm"
            )
        if "replica_autoscaling" in info.data and info.data["replica_autoscaling"] is None and value.min != value.max:
            raise ValueError(
                "without replica_autoscaling the replica count is fixed: set min equal to max, "
                "or configure replica_autoscaling"
            )
        return value

    @field_validator("node_type")
    @classmethod
    def _node_type_can_autoscale(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("serverless") is not None:
            return value
        if info.data.get("replica_autoscaling") is not None and not supports_replica_autoscaling(value):
            families = ", ".join(AUTOSCALING_FAMILIES)
            sizes = ", ".join(AUTOSCALING_SIZES)
            raise ValueError(
                f"{value} cannot autoscale replicas; AWS autoscales replicas only on node families "
                f"{families} of size {sizes} (e.g. cache.m7g.large). Choose such a node type, or set "
                "replica_autoscaling: null with a fixed replica count (replicas.min = replicas.max)"
            )
        return value

    @model_validator(mode="after")
    def _serverless_has_no_nodes(self) -> ElastiCacheConfig:
        given = [name for name in NODE_ONLY_FIELDS if name in self.model_fields_set]
        if self.serverless is not None and given:
            raise ValueError(
                f"{', '.join(given)} apply to a node-based cache only: a serverless cache has no nodes, "
                "replicas, parameter group, maintenance window or logs; remove them, or remove serverless"
            )
        return self
