"""Secrets Manager: secrets by the month (their API calls are not modelled)."""

from __future__ import annotations

from collections.abc import Iterator

from cli.cost.lines import Line, fixed
from cli.cost.pricers.base import Context, pricer


@pricer("aws_secretsmanager_secret")
def secrets(context: Context) -> Iterator[Line]:
    for address, _ in context.stack.of("aws_secretsmanager_secret"):
        cost = context.prices.secretsmanager.secret_month.usd
        yield fixed(address, "secretsmanager", "Secrets", cost, cost, "1 secret", "secretsmanager.secret_month")
