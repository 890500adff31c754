"""EventBridge Scheduler: the invocations of every schedule (warm-up, database start and stop)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cli.cost.lines import Line, fixed, meter
from cli.cost.pricers.base import Context, pricer

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")


@pricer("aws_scheduler_schedule")
def schedules(context: Context) -> Iterator[Line]:
    price = context.prices.scheduler.invocations_per_million.usd
    for address, schedule in context.stack.of("aws_scheduler_schedule"):
        match = _RATE.match(str(schedule.get("schedule_expression", "")))
        if match is None:
            per_month = 31.0  # a cron or one-off schedule: at most daily is assumed
        else:
            unit = {"minute": 1, "hour": 60, "day": 1440}[match[2].rstrip("s")]
            per_month = context.hours * 60 / (int(match[1]) * unit)
        cost = per_month / 1e6 * price
        yield fixed(
            address,
            "scheduler",
            "Warm-up schedules",
            cost,
            cost,
            f"{per_month:,.0f} invocations",
            "scheduler.invocations_per_million",
        )
        yield from meter("scheduler_invocations", address, per_month, price / 1e6)
