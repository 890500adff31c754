"""AWS Budgets: the environment's budgets, named by its prefix."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import BUDGETS
from modules.delivery.permissions.grants import Grant, Permissions

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_budgets_budget": Permissions(
        read=(Grant(("budgets:ViewBudget", "budgets:ListTagsForResource"), BUDGETS),),
        write=(Grant(("budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource"), BUDGETS),),
    ),
}
