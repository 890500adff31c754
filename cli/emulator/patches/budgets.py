"""moto's AWS Budgets keep notifications with their subscribers but cannot describe the
subscribers, and know no tags; the provider reads both after creating a budget. Here
`DescribeSubscribersForNotification`, `TagResource`, `UntagResource` and
`ListTagsForResource` answer from what moto stores, `CreateBudget` keeps its
`ResourceTags`, and `UpdateBudget` (which moto lacks; an adopted budget plans one) changes it.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations


def _budgets_describe_subscribers_and_keep_tags() -> None:
    """moto 5.2.1's Budgets cannot describe a notification's subscribers and keeps no tags, both of
    which the provider reads back: answered from what moto stores. It has no `UpdateBudget` either
    (an adopted budget plans one): the budget takes the new settings and keeps its notifications."""
    import json as json_module

    from moto.budgets.exceptions import NotFoundException
    from moto.budgets.responses import BudgetsResponse
    from moto.core.utils import unix_time

    tags: dict[str, dict[str, str]] = {}
    create = BudgetsResponse.create_budget

    def arn(response: BudgetsResponse, budget_name: str) -> str:
        return f"arn:aws:budgets::{response._get_param('AccountId')}:budget/{budget_name}"

    def create_budget(self: BudgetsResponse) -> str:
        result: str = create(self)
        budget_arn = arn(self, self._get_param("Budget")["BudgetName"])
        tags[budget_arn] = {t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []}
        return result

    def describe_subscribers_for_notification(self: BudgetsResponse) -> str:
        budget = self.backend.budgets[self._get_param("AccountId")][self._get_param("BudgetName")]
        wanted = self._get_param("Notification")
        found = next((n for n in budget.notifications if n.details == wanted), None)
        return json_module.dumps({"Subscribers": found.subscribers if found else []})

    def tag_resource(self: BudgetsResponse) -> str:
        stored = tags.setdefault(self._get_param("ResourceARN"), {})
        stored.update({t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []})
        return "{}"

    def untag_resource(self: BudgetsResponse) -> str:
        stored = tags.setdefault(self._get_param("ResourceARN"), {})
        for key in self._get_param("ResourceTagKeys") or []:
            stored.pop(key, None)
        return "{}"

    def list_tags_for_resource(self: BudgetsResponse) -> str:
        stored = tags.get(self._get_param("ResourceARN"), {})
        return json_module.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in sorted(stored.items())]})

    def update_budget(self: BudgetsResponse) -> str:
        new = dict(self._get_param("NewBudget"))
        stored = self.backend.budgets[self._get_param("AccountId")].get(new["BudgetName"])
        if stored is None:
            raise NotFoundException(f"Unable to update budget - {new['BudgetName']} does not exist.")
        new.setdefault("TimePeriod", stored.budget.get("TimePeriod"))
        stored.budget = {**new, "LastUpdatedTime": unix_time()}
        return "{}"

    BudgetsResponse.create_budget = create_budget  # type: ignore[method-assign]
    BudgetsResponse.update_budget = update_budget  # type: ignore[attr-defined]
    BudgetsResponse.describe_subscribers_for_notification = describe_subscribers_for_notification  # type: ignore[attr-defined]
    BudgetsResponse.tag_resource = tag_resource  # type: ignore[attr-defined]
    BudgetsResponse.untag_resource = untag_resource  # type: ignore[attr-defined]
    BudgetsResponse.list_tags_for_resource = list_tags_for_resource  # type: ignore[attr-defined]
