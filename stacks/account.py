"""`account`: what the account has once, whatever the environments (remote state)."""

from __future__ import annotations

from environments.schema import AccountConfig
from modules.budgets.anomaly import CostAnomalyDetection
from modules.budgets.module import AccountBudget, CostAllocationTags
from modules.cdn.edge import EDGE_REGION
from modules.cdn.log_delivery import WafLogDelivery
from modules.core.cdk import Construct, TerraformOutput, TerraformStack
from modules.observability.module import AlertTopic
from stacks.names import main_stack_name
from stacks.providers import aws_provider, remote_state


class AccountStack(TerraformStack):
    """What the account has once: its total budget and cost anomaly detection, with their own alerts, and
    what the environments share and no environment's CI role may write: the log resource policy that
    admits WAF's log delivery (modules/cdn/log_delivery.py)."""

    def __init__(self, scope: Construct, *, config: AccountConfig) -> None:
        super().__init__(scope, main_stack_name(config.name))
        remote_state(self, config)
        aws_provider(self, config)
        # WAF web ACLs of scope CLOUDFRONT, and so their log groups, are in us-east-1: a provider there
        # unless the account's region is that one.
        edge = (
            aws_provider(self, config, id_="aws_edge", region=EDGE_REGION, alias="edge")
            if config.region != EDGE_REGION
            else None
        )
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
        waf_logs = WafLogDelivery(self, "waf_log_delivery", context=config.context, edge_provider=edge)
        TerraformOutput(self, "alert_topic_arn", value=alerts.topic_arn)
        TerraformOutput(self, "total_budget_name", value=budget.budget_name)
        TerraformOutput(self, "anomaly_monitor_arns", value=anomalies.monitor_arns)
        TerraformOutput(self, "anomaly_subscription_arn", value=anomalies.subscription_arn)
        TerraformOutput(self, "waf_log_delivery_policy_name", value=waf_logs.policy_name)
