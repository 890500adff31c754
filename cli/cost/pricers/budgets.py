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
        with_action = address.split(".", 1)[1] in with_actions
        kind, price, price_name = (
            ("action-enabled", prices.action_enabled_budget_day, "budgets.action_enabled_budget_day")
            if with_action
            else ("no actions", prices.budget_day, "budgets.budget_day")
        )
        cost = price.usd * days
        basis = f"{kind}: {days:.2f} days at {price.usd} USD"
        yield fixed(address, "budgets", "Budgets", cost, cost, basis, price_name)
        if with_action:
            yield from meter("budgets_action_enabled", address, 1, cost)
