"""AWS Budgets: per environment the soft limit (what it should cost) and the burst limit, and
the account's total in the shared account stack."""

from __future__ import annotations

from collections.abc import Sequence

from modules.budgets.config import AccountBudgetConfig, BudgetConfig, UsdRate
from modules.core.cdk import (
    BudgetsBudget,
    BudgetsBudgetCostFilter,
    BudgetsBudgetNotification,
    CeCostAllocationTag,
    Construct,
)
from modules.core.label import Context
from modules.observability.module import AlertTopic

# (threshold %, ACTUAL or FORECASTED): AWS allows five notifications per budget.
NOTIFICATIONS = ((50, "ACTUAL"), (80, "ACTUAL"), (100, "ACTUAL"), (100, "FORECASTED"))


def monthly_budget(
    scope: Construct,
    id_: str,
    *,
    name: str,
    limit_eur: float,
    rate: UsdRate,
    context: Context,
    alerts: AlertTopic,
    cost_filters: Sequence[BudgetsBudgetCostFilter] = (),
) -> BudgetsBudget:
    """A monthly cost budget in USD with the four notifications, to the alert topic and e-mail."""
    return BudgetsBudget(
        scope,
        id_,
        name=name,
        budget_type="COST",
        time_unit="MONTHLY",
        limit_amount=rate.usd(limit_eur),
        limit_unit="USD",
        cost_filter=list(cost_filters) or None,
        notification=[
            BudgetsBudgetNotification(
                comparison_operator="GREATER_THAN",
                threshold=threshold,
                threshold_type="PERCENTAGE",
                notification_type=notification_type,
                subscriber_sns_topic_arns=[alerts.topic_arn],
                subscriber_email_addresses=list(rate.alert_emails) or None,
            )
            for threshold, notification_type in NOTIFICATIONS
        ],
        tags=context.tags,
    )


class EnvironmentBudgets(Construct):
    """Costs are filtered by the `Environment` tag that every resource of the environment carries.

    The account stack activates the tag as a cost-allocation tag (`CostAllocationTags`).
    """

    def __init__(
        self, scope: Construct, id_: str, *, config: BudgetConfig, context: Context, alerts: AlertTopic
    ) -> None:
        super().__init__(scope, id_)
        self.budget_names: dict[str, str] = {}
        by_environment = BudgetsBudgetCostFilter(name="TagKeyValue", values=[f"user:Environment${context.environment}"])
        for kind, limit_eur in (("soft", config.soft_limit_eur), ("burst", config.burst_limit_eur)):
            name = context.id("budget", kind)
            monthly_budget(
                self,
                kind,
                name=name,
                limit_eur=limit_eur,
                rate=config,
                context=context,
                alerts=alerts,
                cost_filters=[by_environment],
            )
            self.budget_names[kind] = name


class AccountBudget(Construct):
    """The whole account's monthly total, unfiltered: untagged and shared costs count too."""

    def __init__(
        self, scope: Construct, id_: str, *, config: AccountBudgetConfig, context: Context, alerts: AlertTopic
    ) -> None:
        super().__init__(scope, id_)
        self.budget_name: str = context.id("budget", "total")
        monthly_budget(
            self,
            "total",
            name=self.budget_name,
            limit_eur=config.total_limit_eur,
            rate=config,
            context=context,
            alerts=alerts,
        )


COST_ALLOCATION_TAGS = ("Environment", "CostCenter")
"""The tags budgets and anomaly monitors filter on; every resource carries them (`Context.tags`)."""


class CostAllocationTags(Construct):
    """Activates the cost-allocation tags once for the account: until a tag key is active, Cost Explorer,
    budgets and anomaly monitors filtered by it see 0. (AWS accepts a key only after it has appeared on a
    resource, up to a day after the first tagged resource exists.)"""

    def __init__(self, scope: Construct, id_: str, *, keys: tuple[str, ...] = COST_ALLOCATION_TAGS) -> None:
        super().__init__(scope, id_)
        self.tag_keys: list[str] = []
        for key in keys:
            CeCostAllocationTag(self, key.lower(), tag_key=key, status="Active")
            self.tag_keys.append(key)
