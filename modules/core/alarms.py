"""CloudWatch alarms in one shape: metric queries (plain metrics and math), always to the alert topic.

Every alarm of every module is made here, so each one notifies the environment's alert topic on
ALARM and on OK (or, as a part of a composite alarm, nobody: the composite notifies), carries the
tags, and treats missing data deliberately.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from modules.core.cdk import (
    CloudwatchMetricAlarm,
    CloudwatchMetricAlarmMetricQuery,
    CloudwatchMetricAlarmMetricQueryMetric,
    Construct,
    TerraformProvider,
)
from modules.core.label import Context

Comparison = Literal[
    "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
]
MissingData = Literal["breaching", "notBreaching", "ignore", "missing"]


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric with its statistic (`Sum`, `Maximum`, `p95`, …) and period."""

    namespace: str
    name: str
    dimensions: Mapping[str, str]
    statistic: str
    period_seconds: int = 300


@dataclass(frozen=True)
class AlarmRule:
    """When the alarm fires: `datapoints_to_alarm` breaching datapoints among `evaluation_periods`."""

    comparison: Comparison
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: MissingData

    @classmethod
    def sustained(
        cls, comparison: Comparison, threshold: float, periods: int, treat_missing_data: MissingData
    ) -> AlarmRule:
        """Fires when each of `periods` consecutive periods breaches (a capacity alarm's rule)."""
        return cls(comparison, threshold, periods, periods, treat_missing_data)


@dataclass(frozen=True)
class AlarmTarget:
    """Where an alarm goes and how it is named and tagged.

    `provider` places the alarm in another region (CloudFront's metrics exist in us-east-1 only);
    `topic_arn` must then be a topic of that region.
    """

    context: Context
    topic_arn: str
    provider: TerraformProvider | None = None


def metric_alarm(
    scope: Construct,
    id_: str,
    *,
    target: AlarmTarget,
    name: str,
    description: str,
    rule: AlarmRule,
    metrics: Mapping[str, Metric],
    expression: str | None = None,
    expressions: Mapping[str, str] | None = None,
    notify: bool = True,
) -> CloudwatchMetricAlarm:
    """An alarm on `expression` over `metrics` (ids usable in it), or on the single metric given.

    `expressions` are intermediate math steps (id → expression) the final expression may use.
    A single metric without an expression is a plain metric alarm (percentiles as extended statistics).
    `notify=False`: no actions, for an alarm that is only a condition of a composite alarm (which
    notifies `target` in its place: notifying both would defeat the composite's AND).
    """
    single: Metric | None = None
    queries: list[CloudwatchMetricAlarmMetricQuery] | None = None
    if expression is None:
        if len(metrics) != 1 or expressions:
            raise ValueError(f"alarm {name}: an expression is needed to combine {len(metrics)} metrics")
        (single,) = metrics.values()
    else:
        queries = [
            CloudwatchMetricAlarmMetricQuery(
                id=metric_id,
                return_data=False,
                metric=CloudwatchMetricAlarmMetricQueryMetric(
                    namespace=metric.namespace,
                    metric_name=metric.name,
                    dimensions=dict(metric.dimensions),
                    period=metric.period_seconds,
                    stat=metric.statistic,
                ),
            )
            for metric_id, metric in metrics.items()
        ]
        queries += [
            CloudwatchMetricAlarmMetricQuery(id=step_id, expression=step, return_data=False)
            for step_id, step in (expressions or {}).items()
        ]
        queries.append(CloudwatchMetricAlarmMetricQuery(id="result", expression=expression, return_data=True))
    percentile = single is not None and single.statistic.startswith("p")
    return CloudwatchMetricAlarm(
        scope,
        id_,
        alarm_name=name,
        alarm_description=description[:1024],
        comparison_operator=rule.comparison,
        threshold=rule.threshold,
        evaluation_periods=rule.evaluation_periods,
        datapoints_to_alarm=rule.datapoints_to_alarm,
        treat_missing_data=rule.treat_missing_data,
        namespace=single.namespace if single else None,
        metric_name=single.name if single else None,
        dimensions=dict(single.dimensions) if single else None,
        period=single.period_seconds if single else None,
        statistic=single.statistic if single and not percentile else None,
        extended_statistic=single.statistic if single and percentile else None,
        metric_query=queries,
        alarm_actions=[target.topic_arn] if notify else None,
        ok_actions=[target.topic_arn] if notify else None,
        tags=target.context.tags,
        provider=target.provider,
    )
