"""The cache's alarms, all to the environment's alert topic: per node for a replication group,
against its usage limits for a serverless cache. Both watch connections, evictions and hit rate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from modules.core.alarms import AlarmRule, AlarmTarget, Comparison, Metric, metric_alarm
from modules.core.cdk import Construct
from modules.elasticache.config import CacheAlarmThresholds, ServerlessCache

NAMESPACE = "AWS/ElastiCache"
# CloudWatch names a node's metrics by `CacheClusterId` and a serverless cache's by `clusterId`
# (ElastiCache user guide, "Metrics for Valkey and Redis OSS" and "Serverless cache metrics").
NODE_DIMENSION = "CacheClusterId"
SERVERLESS_DIMENSION = "clusterId"
# The data storage limit's unit, GB, in bytes as `BytesUsedForCache` counts them.
BYTES_PER_GB = 1024**3


@dataclass(frozen=True)
class CacheAlarms:
    """Makes the alarms of one cache in `scope`, named `<context>-cache-<name>`."""

    scope: Construct
    target: AlarmTarget
    thresholds: CacheAlarmThresholds

    def alarm(
        self,
        name: str,
        *,
        description: str,
        threshold: float,
        metrics: Mapping[str, Metric],
        expression: str | None = None,
        comparison: Comparison = "GreaterThanThreshold",
        extra_expressions: Mapping[str, str] | None = None,
    ) -> None:
        metric_alarm(
            self.scope,
            f"alarm_{name.replace('-', '_')}",
            target=self.target,
            name=self.target.context.id("cache", name),
            description=description,
            rule=AlarmRule.sustained(comparison, threshold, self.thresholds.evaluation_periods, "notBreaching"),
            metrics=metrics,
            expression=expression,
            expressions=extra_expressions,
        )

    def metric(self, name: str, dimensions: Mapping[str, str], statistic: str) -> Metric:
        return Metric(NAMESPACE, name, dimensions, statistic, self.thresholds.period_seconds)

    def hit_rate(self, hits: Sequence[Metric], misses: Sequence[Metric]) -> None:
        """Hits over lookups, each summed over the metrics given (a node's each, or the serverless cache's)."""
        hit_ids = {f"h{i}": metric for i, metric in enumerate(hits)}
        miss_ids = {f"m{i}": metric for i, metric in enumerate(misses)}
        self.alarm(
            "hit-rate",
            description=f"Cache hit rate below {self.thresholds.hit_rate_min_percent:g} %",
            comparison="LessThanThreshold",
            threshold=self.thresholds.hit_rate_min_percent,
            expression="100 * hits / (hits + misses)",
            metrics={**hit_ids, **miss_ids},
            extra_expressions={"hits": f"SUM([{','.join(hit_ids)}])", "misses": f"SUM([{','.join(miss_ids)}])"},
        )

    def node_alarms(self, nodes: list[str], *, replicas: bool) -> None:
        """Metric math over every node of the shard (primary and replicas): the highest or the sum."""
        thresholds = self.thresholds

        def per_node(metric_name: str, statistic: str) -> list[Metric]:
            return [self.metric(metric_name, {NODE_DIMENSION: node}, statistic) for node in nodes]

        def highest(what: str, threshold: float) -> str:
            return f"Highest {what} of any cache node above {threshold:g}"

        rows = [  # name, metric, statistic, over the nodes, threshold, description
            ("engine-cpu", "EngineCPUUtilization", "Average", "MAX", thresholds.engine_cpu_percent,
             highest("engine CPU %", thresholds.engine_cpu_percent)),
            ("memory", "DatabaseMemoryUsagePercentage", "Average", "MAX", thresholds.memory_usage_percent,
             highest("memory use %", thresholds.memory_usage_percent)),
            ("connections", "CurrConnections", "Maximum", "MAX", thresholds.current_connections,
             highest("client connections", thresholds.current_connections)),
            ("evictions", "Evictions", "Sum", "SUM", thresholds.evictions_per_period,
             f"More than {thresholds.evictions_per_period} keys evicted in a period: memory is short"),
        ]  # fmt: skip
        if replicas:
            rows.append(
                ("replication-lag", "ReplicationLag", "Maximum", "MAX", thresholds.replication_lag_seconds,
                 f"A replica lags the primary by more than {thresholds.replication_lag_seconds:g} s")
            )  # fmt: skip
        for name, metric_name, statistic, over, threshold, description in rows:
            metrics = {f"m{i}": metric for i, metric in enumerate(per_node(metric_name, statistic))}
            self.alarm(
                name,
                description=description,
                threshold=threshold,
                expression=f"{over}([{','.join(metrics)}])",
                metrics=metrics,
            )
        self.hit_rate(per_node("CacheHits", "Sum"), per_node("CacheMisses", "Sum"))

    def serverless_alarms(self, cache_name: str, limits: ServerlessCache) -> None:
        """What a serverless cache can run out of is its limits: storage near its maximum (then AWS
        evicts), ECPUs near theirs, and any throttled command (AWS scaling slower than the load)."""
        thresholds = self.thresholds
        dimensions = {SERVERLESS_DIMENSION: cache_name}
        percent = limits.limit_alarm_percent
        storage_bytes, ecpus = limits.max_data_storage_gb * BYTES_PER_GB, limits.max_ecpu_per_second
        rows = [  # name, metric id, metric, statistic, threshold, expression (None: the metric), description
            ("data-storage", "stored", "BytesUsedForCache", "Maximum", percent, f"100 * stored / {storage_bytes}",
             f"Cache data above {percent:g} % of its {limits.max_data_storage_gb} GB limit"),
            ("ecpu", "ecpus", "ElastiCacheProcessingUnits", "Sum", percent, f"100 * ecpus / PERIOD(ecpus) / {ecpus}",
             f"Cache ECPUs above {percent:g} % of its {ecpus:,} a second limit"),
            ("throttled", "m", "ThrottledCmds", "Sum", 0, None,
             "Commands throttled: the load grows faster than the cache scales"),
            ("connections", "m", "CurrConnections", "Maximum", thresholds.current_connections, None,
             f"More than {thresholds.current_connections} client connections"),
            ("evictions", "m", "Evictions", "Sum", thresholds.evictions_per_period, None,
             f"More than {thresholds.evictions_per_period} keys evicted in a period: the storage limit is short"),
        ]  # fmt: skip
        for name, metric_id, metric_name, statistic, threshold, expression, description in rows:
            self.alarm(
                name,
                description=description,
                threshold=threshold,
                expression=expression,
                metrics={metric_id: self.metric(metric_name, dimensions, statistic)},
            )
        self.hit_rate([self.metric("CacheHits", dimensions, "Sum")], [self.metric("CacheMisses", dimensions, "Sum")])


@dataclass(frozen=True)
class CacheMetrics:
    """What the dashboard charts of the cache: per panel (metric, statistic, title), a line per resource."""

    dimension: str
    resources: tuple[str, ...]
    panels: tuple[tuple[str, str, str], ...]


NODE_PANELS = (
    ("EngineCPUUtilization", "Average", "Cache engine CPU (%)"),
    ("DatabaseMemoryUsagePercentage", "Average", "Cache memory used (%)"),
    ("Evictions", "Sum", "Cache evictions"),
    ("CacheHitRate", "Average", "Cache hit rate (%)"),
)
SERVERLESS_PANELS = (
    ("ElastiCacheProcessingUnits", "Sum", "Cache ECPUs"),
    ("BytesUsedForCache", "Maximum", "Cache data stored (bytes)"),
    ("ThrottledCmds", "Sum", "Cache throttled commands"),
    ("Evictions", "Sum", "Cache evictions"),
    ("CacheHitRate", "Average", "Cache hit rate (%)"),
)
