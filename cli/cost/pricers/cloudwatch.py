"""CloudWatch: alarms (per metric, metric math included, high resolution), dashboards, and logs
(ingestion and retention: the usage part; the log group itself is free)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from cli.cost.lines import Line, fixed, meter, usage
from cli.cost.pricers.base import Context, pricer
from cli.cost.stack import _first_block, _number


def dashboard_metrics(body: Any) -> int | None:
    """How many metrics a dashboard body shows (expressions are not metrics); None if unreadable."""
    try:
        widgets = json.loads(body)["widgets"] if isinstance(body, str) else None
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(widgets, list):
        return None
    count = 0
    for widget in widgets:
        for entry in (widget.get("properties") or {}).get("metrics") or []:
            if isinstance(entry, list) and not (entry and isinstance(entry[0], dict) and "expression" in entry[0]):
                count += 1
    return count


@pricer("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm")
def alarms(context: Context) -> Iterator[Line]:
    watch = context.prices.cloudwatch
    alarm_prices = watch.alarm_metric_month
    for address, alarm in context.stack.of("aws_cloudwatch_metric_alarm"):
        queries = alarm.get("metric_query") or []
        if queries:
            metrics = sum(1 for query in queries if query.get("metric"))
            periods = [_number(_first_block(q.get("metric")).get("period"), 60) for q in queries if q.get("metric")]
        else:
            metrics, periods = 1, [_number(alarm.get("period"), 60)]
        high_resolution = any(period < 60 for period in periods)
        kind = "high_resolution" if high_resolution else "standard"
        rate = getattr(alarm_prices, kind).usd
        yield fixed(
            address,
            "cloudwatch",
            "Alarms",
            metrics * rate,
            metrics * rate,
            f"{metrics} {kind.replace('_', '-')} metric(s)",
            f"cloudwatch.alarm_metric_month.{kind}",
        )
        if not high_resolution:
            yield from meter("cloudwatch_alarm_metrics", address, metrics, rate)
    for address, _ in context.stack.of("aws_cloudwatch_composite_alarm"):
        cost = watch.composite_alarm_month.usd
        yield fixed(
            address, "cloudwatch", "Alarms", cost, cost, "1 composite alarm", "cloudwatch.composite_alarm_month"
        )


@pricer("aws_cloudwatch_dashboard")
def dashboards(context: Context) -> Iterator[Line]:
    watch = context.prices.cloudwatch
    limit = context.prices.free_tiers.cloudwatch_dashboards.limit
    for address, dashboard in context.stack.of("aws_cloudwatch_dashboard"):
        cost = watch.dashboard_month.usd
        shown_metrics = dashboard_metrics(dashboard.get("dashboard_body"))
        shown = "an unreadable number of" if shown_metrics is None else str(shown_metrics)
        yield fixed(
            address,
            "cloudwatch",
            "Dashboards",
            cost,
            cost,
            f"1 dashboard, {shown} metrics",
            "cloudwatch.dashboard_month",
        )
        if shown_metrics is not None and (limit is None or shown_metrics <= limit):
            yield from meter("cloudwatch_dashboards", address, 1, cost)


@pricer("aws_cloudwatch_log_group")
def log_groups(context: Context) -> Iterator[Line]:
    """The environment's log volume spread evenly over the groups, stored for each one's retention."""
    watch, hours = context.prices.cloudwatch, context.hours
    groups = context.stack.of("aws_cloudwatch_log_group")
    for address, group in groups:
        share = context.usage.log_gb_per_month / len(groups)
        retention_days = _number(group.get("retention_in_days"), 0) or 3653  # never expire: ten years
        stored = share * retention_days / (hours / 24)
        cost = share * watch.logs_ingestion_gb.usd + stored * watch.logs_storage_gb_month.usd
        yield usage(
            address,
            "cloudwatch",
            "Logs (ingestion and retention)",
            cost,
            f"{share:.2f} GB/month ingested, {stored:.2f} GB stored ({retention_days:g} days retention)",
            "cloudwatch.logs_ingestion_gb",
            "cloudwatch.logs_storage_gb_month",
        )
        yield from meter("cloudwatch_logs_gb", address, share, watch.logs_ingestion_gb.usd)
