"""`account`: what the account has once, whatever the environments (remote state)."""

from __future__ import annotations

from environments.schema import AccountConfig
from modules.budgets.anomaly import CostAnomalyDetection
from modules.budgets.module import AccountBudget, CostAllocationTags
from modules.core.cdk import Construct, TerraformOutput, TerraformStack
from modules.observability.module import AlertTopic
from stacks.names import main_stack_name
from stacks.providers import aws_provider, remote_state


class AccountStack(TerraformStack):
    """What the account has once: its total budget and cost anomaly detection, with their own alerts."""

    def __init__(self, scope: Construct, *, config: AccountConfig) -> None:
        super().__init__(scope, main_stack_name(config.name))
        remote_state(self, config)
        aws_provider(self, config)
        alerts = AlertTopic(
            self,
            "alerts",
            context=config.context,
            emails=config.alerts.emails,
            publishers=("budgets.amazonaws.com", "costalerts.amazonaws.com"),
        )
        # Without the activation, budgets and anomaly monitors filtered by these tags see 0.
        CostAllocationTags(self, "cost_allocation_tags")
        budget = AccountBudget(self, "budget", config=config.budget, context=config.context, alerts=alerts)
        anomalies = CostAnomalyDetection(
            self, "anomalies", config=config.anomaly_detection, context=config.context, alerts=alerts
        )
        TerraformOutput(self, "alert_topic_arn", value=alerts.topic_arn)
        TerraformOutput(self, "total_budget_name", value=budget.budget_name)
        TerraformOutput(self, "anomaly_monitor_arns", value=anomalies.monitor_arns)
        TerraformOutput(self, "anomaly_subscription_arn", value=anomalies.subscription_arn)
