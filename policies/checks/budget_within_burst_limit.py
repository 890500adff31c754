"""Ensure every AWS Budget stays within its environment's burst limit and notifies someone."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import caps, first, is_unresolved, judge_against_cap


class BudgetWithinBurstLimit(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure every AWS Budget stays within its environment's burst limit and notifies someone",
            id="CKV_MBK_8",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_budgets_budget"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        if not conf.get("notification"):
            self.details.append("the budget has no notification: nobody learns it was exceeded")
            return CheckResult.FAILED
        unit = first(conf.get("limit_unit"))
        if unit != "USD":
            self.details.append(f"limit_unit must be USD, the only currency AWS Budgets accept (got {unit})")
            return CheckResult.FAILED
        amount = first(conf.get("limit_amount"))
        if is_unresolved(amount):
            return CheckResult.UNKNOWN
        # Back to EUR at the dated rate, to the cent: the USD amount was itself rounded to the cent.
        amount_eur = None if amount is None else round(float(amount) / float(caps()["eur_to_usd"]["rate"]), 2)
        return judge_against_cap(self.details, conf, amount_eur, "budget_limit_eur_max", "budget limit (EUR)")


check = BudgetWithinBurstLimit()
