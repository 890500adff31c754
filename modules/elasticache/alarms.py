"""The cache's alarms, all to the environment's alert topic: per node for a replication group,
against its usage limits for a serverless cache. Both watch connections, evictions and hit rate."""

from __future__ import annotations

from collections.abc import Mapping
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
        comparison: Comparison,
        threshold: float,
        expression: str | None,
        metrics: Mapping[str, Metric],
        extra_expressions: Mapping[str, str] | None = None,
    ) -> None:
        thresholds = self.thresholds
        metric_alarm(
            self.scope,
            f"alarm_{name.replace('-', '_')}",
            target=self.target,
            name=self.target.context.id("cache", name),
            description=description,
            rule=AlarmRule(
                comparison=comparison,
                threshold=threshold,
                evaluation_periods=thresholds.evaluation_periods,
                datapoints_to_alarm=thresholds.evaluation_periods,
                treat_missing_data="notBreaching",
            ),
            metrics=metrics,
            expression=expression,
            expressions=extra_expressions,
        )

    def metric(self, name: str, dimensions: Mapping[str, str], statistic: str) -> Metric:
        return Metric(NAMESPACE, name, dimensions, statistic, self.thresholds.period_seconds)

    def node_alarms(self, nodes: list[str], *, replicas: bool) -> None:
        """Metric math over every node of the shard (primary and replicas): the highest or the sum."""
        thresholds = self.thresholds

        def per_node(metric_name: str, statistic: str, prefix: str = "m") -> dict[str, Metric]:
            return {
                f"{prefix}{i}": self.metric(metric_name, {NODE_DIMENSION: node}, statistic)
                for i, node in enumerate(nodes)
            }

        def ids(metrics: Mapping[str, object]) -> str:
            return ",".join(metrics)

        for name, metric_name, statistic, threshold, what in (
            ("engine-cpu", "EngineCPUUtilization", "Average", thresholds.engine_cpu_percent, "engine CPU %"),
            ("memory", "DatabaseMemoryUsagePercentage", "Average", thresholds.memory_usage_percent, "memory use %"),
            ("connections", "CurrConnections", "Maximum", thresholds.current_connections, "client connections"),
        ):
            metrics = per_node(metric_name, statistic)
            self.alarm(
                name,
                description=f"Highest {what} of any cache node above {threshold:g}",
                comparison="GreaterThanThreshold",
                threshold=threshold,
                expression=f"MAX([{ids(metrics)}])",
                metrics=metrics,
            )
        evictions = per_node("Evictions", "Sum")
        self.alarm(
            "evictions",
            description=f"More than {thresholds.evictions_per_period} keys evicted in a period: memory is short",
            comparison="GreaterThanThreshold",
            threshold=thresholds.evictions_per_period,
            expression=f"SUM([{ids(evictions)}])",
            metrics=evictions,
        )
        if replicas:
            lag = per_node("ReplicationLag", "Maximum")
            self.alarm(
                "replication-lag",
                description=f"A replica lags the primary by more than {thresholds.replication_lag_seconds:g} s",
                comparison="GreaterThanThreshold",
                threshold=thresholds.replication_lag_seconds,
                expression=f"MAX([{ids(lag)}])",
                metrics=lag,
            )
        hits, misses = per_node("CacheHits", "Sum", "h"), per_node("CacheMisses", "Sum", "m")
        self.alarm(
            "hit-rate",
            description=f"Cache hit rate below {thresholds.hit_rate_min_percent:g} %",
            comparison="LessThanThreshold",
            threshold=thresholds.hit_rate_min_percent,
            expression="100 * hits / (hits + misses)",
            metrics={**hits, **misses},
            extra_expressions={"hits": f"SUM([{ids(hits)}])", "misses": f"SUM([{ids(misses)}])"},
        )

    def serverless_alarms(self, cache_name: str, limits: ServerlessCache) -> None:
        """What a serverless cache can run out of is its limits: storage near its maximum (then AWS
        evicts), ECPUs near theirs, and any throttled command (AWS scaling slower than the load)."""
        thresholds = self.thresholds
        dimensions = {SERVERLESS_DIMENSION: cache_name}
        percent = limits.limit_alarm_percent
        self.alarm(
            "data-storage",
            description=f"Cache data above {percent:g} % of its {limits.max_data_storage_gb} GB limit",
            comparison="GreaterThanThreshold",
            threshold=percent,
            expression=f"100 * stored / {limits.max_data_storage_gb * BYTES_PER_GB}",
            metrics={"stored": self.metric("BytesUsedForCache", dimensions, "Maximum")},
        )
        self.alarm(
            "ecpu",
            description=f"Cache ECPUs above {percent:g} % of its {limits.max_ecpu_per_second:,} a second limit",
            comparison="GreaterThanThreshold",
            threshold=percent,
            expression=f"100 * ecpus / PERIOD(ecpus) / {limits.max_ecpu_per_second}",
            metrics={"ecpus": self.metric("ElastiCacheProcessingUnits", dimensions, "Sum")},
        )
        for name, metric_name, statistic, threshold, description in (
            ("throttled", "ThrottledCmds", "Sum", 0, "Commands throttled: the load grows faster than the cache scales"),
            (
                "connections",
                "CurrConnections",
                "Maximum",
                thresholds.current_connections,
                f"More than {thresholds.current_connections} client connections",
            ),
            (
                "evictions",
                "Evictions",
                "Sum",
                thresholds.evictions_per_period,
                f"More than {thresholds.evictions_per_period} keys evicted in a period: the storage limit is short",
            ),
        ):
            self.alarm(
                name,
                description=description,
                comparison="GreaterThanThreshold",
                threshold=threshold,
                expression=None,
                metrics={"m": self.metric(metric_name, dimensions, statistic)},
            )
        self.alarm(
            "hit-rate",
            description=f"Cache hit rate below {thresholds.hit_rate_min_percent:g} %",
            comparison="LessThanThreshold",
            threshold=thresholds.hit_rate_min_percent,
            expression="100 * hits / (hits + misses)",
            metrics={
                "hits": self.metric("CacheHits", dimensions, "Sum"),
                "misses": self.metric("CacheMisses", dimensions, "Sum"),
            },
        )


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
