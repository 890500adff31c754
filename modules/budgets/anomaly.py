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

# The operands of a Cost Explorer `Expression`. Provider 5.100 reads a monitor's specification back
# as the Go SDK marshals that struct: every operand present, null where unused (its documented
# example writes them so). A specification without them differs from what is read back, and every
# plan would replace the monitor (`monitor_specification` forces a new one).
EXPRESSION_OPERANDS = ("And", "CostCategories", "Dimensions", "Not", "Or", "Tags")


def tag_expression(key: str, value: str) -> str:
    """The specification of a monitor of the costs tagged `key` = `value`, as the provider reads it back."""
    expression: dict[str, object] = dict.fromkeys(EXPRESSION_OPERANDS)
    expression["Tags"] = {"Key": key, "MatchOptions": ["EQUALS"], "Values": [value]}
    return json.dumps(expression, sort_keys=True)


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
                    monitor_specification=tag_expression("Environment", environment),
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
