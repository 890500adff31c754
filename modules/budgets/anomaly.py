"""Cost anomaly detection: the account's service monitor, a monitor per environment tag, one subscription.

Cost Explorer is a global service served from us-east-1; the account stack lives there. An account
holds one DIMENSIONAL SERVICE monitor: with `existing_service_monitor_arn` the stack adopts it (an
import block: the plan imports it, then renames and tags it) instead of creating a second one.
"""

from __future__ import annotations

import json

from modules.budgets.config import AnomalyDetectionConfig
from modules.core.cdk import (
    CeAnomalyMonitor,
    CeAnomalySubscription,
    CeAnomalySubscriptionSubscriber,
    CeAnomalySubscriptionThresholdExpression,
    CeAnomalySubscriptionThresholdExpressionDimension,
    Construct,
)
from modules.core.label import Context
from modules.observability.module import AlertTopic


class CostAnomalyDetection(Construct):
    """Anomalies whose impact reaches the threshold go to the account's alert topic at once."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: AnomalyDetectionConfig,
        context: Context,
        alerts: AlertTopic,
    ) -> None:
        super().__init__(scope, id_)
        services = CeAnomalyMonitor(
            self,
            "services",
            name=context.id("services"),
            monitor_type="DIMENSIONAL",
            monitor_dimension="SERVICE",
            tags=context.tags,
        )
        if config.existing_service_monitor_arn is not None:
            services.import_from(config.existing_service_monitor_arn)
        monitors = [services]
        for environment in config.environment_monitors:
            monitors.append(
                CeAnomalyMonitor(
                    self,
                    f"environment_{environment}",
                    name=context.id("environment", environment),
                    monitor_type="CUSTOM",
                    monitor_specification=json.dumps(
                        {"Tags": {"Key": "Environment", "Values": [environment], "MatchOptions": ["EQUALS"]}},
                        sort_keys=True,
                    ),
                    tags=context.tags,
                )
            )
        subscription = CeAnomalySubscription(
            self,
            "subscription",
            name=context.id("anomalies"),
            frequency="IMMEDIATE",  # the only frequency AWS allows for an SNS subscriber
            monitor_arn_list=[monitor.arn for monitor in monitors],
            subscriber=[CeAnomalySubscriptionSubscriber(type="SNS", address=alerts.topic_arn)],
            threshold_expression=CeAnomalySubscriptionThresholdExpression(
                dimension=CeAnomalySubscriptionThresholdExpressionDimension(
                    key="ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                    match_options=["GREATER_THAN_OR_EQUAL"],
                    values=[f"{config.threshold_usd:g}"],
                )
            ),
            tags=context.tags,
        )
        self.monitor_arns: list[str] = [monitor.arn for monitor in monitors]
        self.subscription_arn: str = subscription.arn
