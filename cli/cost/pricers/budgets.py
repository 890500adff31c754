"""AWS Budgets: a budget is free without actions, billed by the day with one (its action is free)."""

from __future__ import annotations

from collections.abc import Iterator

from cli.cost.lines import Free, Line, fixed, meter
from cli.cost.pricers.base import Context, pricer


@pricer("aws_budgets_budget", "aws_budgets_budget_action")
def budgets(context: Context) -> Iterator[Line]:
    stack = context.stack
    with_actions = {
        name
        for address, _ in stack.of("aws_budgets_budget_action")
        for name in stack.referenced(address, "budget_name", "aws_budgets_budget")
    }
    for address, _ in stack.of("aws_budgets_budget_action"):
        yield Free(address, "priced on its budget (an action-enabled budget)")
    days = context.hours / 24
    prices = context.prices.budgets
    for address, _ in stack.of("aws_budgets_budget"):
        if address.split(".", 1)[1] in with_actions:
            cost = prices.action_enabled_budget_day.usd * days
            yield fixed(
                address,
                "budgets",
                "Budgets",
                cost,
                cost,
                f"action-enabled: {days:.2f} days at {prices.action_enabled_budget_day.usd} USD",
                "budgets.action_enabled_budget_day",
            )
            yield from meter("budgets_action_enabled", address, 1, cost)
        else:
            cost = prices.budget_day.usd * days
            yield fixed(
                address,
                "budgets",
                "Budgets",
                cost,
                cost,
                f"no actions: {days:.2f} days at {prices.budget_day.usd} USD",
                "budgets.budget_day",
            )
