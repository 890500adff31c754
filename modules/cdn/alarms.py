"""The distribution's alarms in us-east-1, and how they reach the environment's alert topic.

CloudFront's metrics exist only in us-east-1, so its alarms live there; but a CloudWatch alarm
can only notify an SNS topic of its own region, and the environment's topic lives in the
environment's region. So the edge alarms notify a small us-east-1 topic (the same `AlertTopic`:
own rotating key, the same publishers), and an EventBridge rule there forwards their state
changes to the default event bus of the environment's region, where a second rule publishes them
to the environment's topic (SNS cannot subscribe a topic to a topic, and no code has to run).
Whoever watches the environment's topic therefore sees the edge alarms too.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from modules.cdn.config import CdnAlarmThresholds
from modules.cdn.edge import EDGE_REGION, NAMESPACE, metric_dimensions
from modules.core.account import AwsAccount
from modules.core.alarms import AlarmRule, AlarmTarget, Comparison, Metric, metric_alarm
from modules.core.cdk import (
    CloudfrontDistribution,
    CloudwatchEventRule,
    CloudwatchEventTarget,
    Construct,
    TerraformProvider,
)
from modules.core.label import Context
from modules.core.roles import service_role
from modules.observability.module import AlertTopic

ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"


def _alarms(
    scope: Construct,
    *,
    context: Context,
    thresholds: CdnAlarmThresholds,
    additional_metrics: bool,
    distribution: CloudfrontDistribution,
    topic: AlertTopic,
    edge_provider: TerraformProvider,
) -> None:
    """Error rates always; origin latency and cache hit rate only with the additional metrics."""
    alarms: list[tuple[str, str, str, float, Comparison, str]] = [
        ("5xx-error-rate", "5xxErrorRate", "Average", thresholds.error_rate_5xx_percent, "GreaterThanThreshold",
         f"More than {thresholds.error_rate_5xx_percent:g} % of requests answered 5xx"),
        ("4xx-error-rate", "4xxErrorRate", "Average", thresholds.error_rate_4xx_percent, "GreaterThanThreshold",
         f"More than {thresholds.error_rate_4xx_percent:g} % of requests answered 4xx"),
    ]  # fmt: skip
    if additional_metrics:
        alarms += [
            ("origin-latency", "OriginLatency", "p90", thresholds.origin_latency_p90_ms, "GreaterThanThreshold",
             f"p90 origin latency above {thresholds.origin_latency_p90_ms:g} ms"),
            ("cache-hit-rate", "CacheHitRate", "Average", thresholds.cache_hit_rate_min_percent,
             "LessThanThreshold", f"Cache hit rate below {thresholds.cache_hit_rate_min_percent:g} %"),
        ]  # fmt: skip
    target = AlarmTarget(context=context, topic_arn=topic.topic_arn, provider=edge_provider)
    dimensions = metric_dimensions(distribution.id)
    for name, metric, statistic, threshold, comparison, description in alarms:
        metric_alarm(
            scope,
            f"alarm_{name.replace('-', '_')}",
            target=target,
            name=context.id("cdn", name),
            description=description,
            # No requests means no errors and nothing to hit or miss: not an incident.
            rule=AlarmRule.sustained(comparison, threshold, thresholds.evaluation_periods, "notBreaching"),
            metrics={
                "m": Metric(
                    namespace=NAMESPACE,
                    name=metric,
                    dimensions=dimensions,
                    statistic=statistic,
                    period_seconds=thresholds.period_seconds,
                )
            },
        )


def _forward(
    scope: Construct,
    *,
    context: Context,
    account: AwsAccount,
    alerts: AlertTopic,
    edge_provider: TerraformProvider,
) -> None:
    """us-east-1 rule → the environment region's default bus → rule → the environment's topic.

    Every us-east-1 alarm named with the environment's prefix is forwarded: the CDN's own and
    the edge SLO alarms that observability adds with `edge_provider`.
    """
    alarm_prefix = replace(account, region=EDGE_REGION).arn("cloudwatch", f"alarm:{context.id()}-")
    pattern: dict[str, Any] = {
        "source": ["aws.cloudwatch"],
        "detail-type": [ALARM_STATE_CHANGE],
        "resources": [{"prefix": alarm_prefix}],
    }
    bus_arn = account.arn("events", "event-bus/default")
    role, _ = service_role(
        scope,
        "forwarder_role",
        context=context,
        name=context.id("cdn-alarm-forwarder"),
        description="EventBridge forwards the edge alarms' state changes to the environment's region",
        service="events.amazonaws.com",
        account_id=account.account_id,
        policy_name="put-events-to-environment-bus",
        statements=[{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus_arn}],
        policy_id="forwarder_policy",
    )
    edge_rule = CloudwatchEventRule(
        scope,
        "forward_edge_alarms",
        name=context.id("cdn-edge-alarms"),
        description="Edge alarm state changes, to the environment region's default bus",
        event_pattern=json.dumps(pattern, sort_keys=True),
        tags=context.tags,
        provider=edge_provider,
    )
    CloudwatchEventTarget(
        scope,
        "forward_edge_alarms_target",
        rule=edge_rule.name,
        target_id="environment-bus",
        arn=bus_arn,
        role_arn=role.arn,
        provider=edge_provider,
    )
    rule = CloudwatchEventRule(
        scope,
        "edge_alarms_to_topic",
        name=context.id("cdn-edge-alarms"),
        description="Edge alarm state changes forwarded from us-east-1, to the alert topic",
        event_pattern=json.dumps(pattern, sort_keys=True),
        tags=context.tags,
    )
    CloudwatchEventTarget(
        scope, "edge_alarms_to_topic_target", rule=rule.name, target_id="alerts", arn=alerts.topic_arn
    )


def edge_alarms(
    scope: Construct,
    *,
    context: Context,
    thresholds: CdnAlarmThresholds,
    additional_metrics: bool,
    distribution: CloudfrontDistribution,
    alerts: AlertTopic,
    edge_provider: TerraformProvider,
    account: AwsAccount,
) -> AlertTopic:
    """The distribution's alarms, their us-east-1 topic, and the forwarding of their state changes to
    `alerts`, the environment's topic. Returns the us-east-1 topic, which the edge SLO alarms notify too."""
    topic = AlertTopic(scope, "edge_alerts", context=context, purpose="alerts-edge", provider=edge_provider)
    _alarms(
        scope,
        context=context,
        thresholds=thresholds,
        additional_metrics=additional_metrics,
        distribution=distribution,
        topic=topic,
        edge_provider=edge_provider,
    )
    _forward(scope, context=context, account=account, alerts=alerts, edge_provider=edge_provider)
    return topic
