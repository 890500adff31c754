"""The environment's two AWS Budgets: the soft limit (what it should cost) and the burst limit."""

from __future__ import annotations

from modules.budgets.config import BudgetConfig
from modules.core.cdk import BudgetsBudget, BudgetsBudgetCostFilter, BudgetsBudgetNotification, Construct
from modules.core.label import Context
from modules.observability.module import AlertTopic

# (threshold %, ACTUAL or FORECASTED): AWS allows five notifications per budget.
NOTIFICATIONS = ((50, "ACTUAL"), (80, "ACTUAL"), (100, "ACTUAL"), (100, "FORECASTED"))


class EnvironmentBudgets(Construct):
    """Costs are filtered by the `Environment` tag that every resource of the environment carries.

    The tag must be activated as a cost-allocation tag in the account's billing console once.
    """

    def __init__(
        self, scope: Construct, id_: str, *, config: BudgetConfig, context: Context, alerts: AlertTopic
    ) -> None:
        super().__init__(scope, id_)
        self.budget_names: dict[str, str] = {}
        for kind, limit_eur in (("soft", config.soft_limit_eur), ("burst", config.burst_limit_eur)):
            name = context.id("budget", kind)
            BudgetsBudget(
                self,
                kind,
                name=name,
                budget_type="COST",
                time_unit="MONTHLY",
                limit_amount=config.usd(limit_eur),
                limit_unit="USD",
                cost_filter=[
                    BudgetsBudgetCostFilter(name="TagKeyValue", values=[f"user:Environment${context.environment}"])
                ],
                notification=[
                    BudgetsBudgetNotification(
                        comparison_operator="GREATER_THAN",
                        threshold=threshold,
                        threshold_type="PERCENTAGE",
                        notification_type=notification_type,
                        subscriber_sns_topic_arns=[alerts.topic_arn],
                        subscriber_email_addresses=list(config.alert_emails) or None,
                    )
                    for threshold, notification_type in NOTIFICATIONS
                ],
                tags=context.tags,
            )
            self.budget_names[kind] = name
