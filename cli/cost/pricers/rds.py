"""RDS: instances (compute for their running hours, gp3 storage, paid Performance Insights, the
managed master user secret) and RDS Proxy (its target instances' vCPUs)."""

from __future__ import annotations

from collections.abc import Iterator

from cli.cost.lines import Line, NotPriced, fixed
from cli.cost.pricers.base import Context, pricer
from cli.cost.stack import StackIndex, _flag, _number, _weekly_minutes, average_minimum, database_schedule


def running_share(stack: StackIndex, identifier: str) -> tuple[float, str]:
    """The share of the week the instance runs, from EventBridge Scheduler's start and stop schedules
    (`rds.running_hours`); 1 without them, or with a schedule this cannot place in the week."""
    events: list[tuple[int, int]] = []
    for _, schedule in stack.of("aws_scheduler_schedule"):
        found = database_schedule(schedule)
        if found is None or found[1] != identifier:
            continue
        action = found[0]
        minutes = _weekly_minutes(str(schedule.get("schedule_expression", "")))
        if minutes is None:
            return 1.0, ""
        events.extend((minute, 1 if action == "startDBInstance" else 0) for minute in minutes)
    if not events or all(running for _, running in events):
        return 1.0, ""
    share = average_minimum(1, events)
    return share, f", running {share * 100:.1f} % of the week (rds.running_hours)"


@pricer("aws_db_instance")
def instances(context: Context) -> Iterator[Line]:
    prices, hours = context.prices, context.hours
    storage = prices.rds.gp3_gb_month
    for address, instance in context.stack.of("aws_db_instance"):
        instance_class = str(instance.get("instance_class", ""))
        if instance_class not in prices.rds.instance_hour:
            yield NotPriced(address, f"aws_db_instance ({instance_class})")
            continue
        multi_az = _flag(instance.get("multi_az"))
        share, running = running_share(context.stack, str(instance.get("identifier", "")))
        compute = prices.monthly_instance_price_usd(instance_class, multi_az) * share
        deployment_key = "multi_az" if multi_az else "single_az"
        gb_price = getattr(storage, deployment_key).usd
        allocated = _number(instance.get("allocated_storage"), 20)
        most = max(allocated, _number(instance.get("max_allocated_storage"), allocated))
        deployment = "Multi-AZ" if multi_az else "Single-AZ"
        yield fixed(
            address,
            "rds",
            "Database instance",
            compute,
            compute,
            f"{instance_class} {deployment} at {compute / share / hours:.4f} USD/h{running}",
            f"rds.instance_hour.{instance_class}",
        )
        yield fixed(
            f"{address}#storage",
            "rds",
            "Database storage",
            allocated * gb_price,
            most * gb_price,
            f"gp3 {allocated:g}–{most:g} GB {deployment} at {gb_price} USD/GB-month",
            f"rds.gp3_gb_month.{deployment_key}",
        )
        retention = _number(instance.get("performance_insights_retention_period"), 7)
        if _flag(instance.get("performance_insights_enabled")) and retention > 7:
            vcpus = prices.rds_instance(instance_class).vcpus
            paid = vcpus * prices.rds.performance_insights_paid_vcpu_month.usd
            yield fixed(
                f"{address}#performance_insights",
                "rds",
                "Performance Insights (paid retention)",
                paid,
                paid,
                f"{retention:g} days retention × {vcpus} vCPU",
                "rds.performance_insights_paid_vcpu_month",
            )
        if _flag(instance.get("manage_master_user_password")):
            secret = prices.secretsmanager.secret_month.usd
            yield fixed(
                f"{address}#master_user_secret",
                "secretsmanager",
                "Secrets",
                secret,
                secret,
                "the master user secret RDS manages in Secrets Manager (manage_master_user_password); its "
                f"API calls ({prices.secretsmanager.api_calls_per_10k.usd} USD per 10,000: RDS's "
                "rotation, the proxy's reads) are not modelled",
                "secretsmanager.secret_month",
            )


@pricer("aws_db_proxy")
def proxies(context: Context) -> Iterator[Line]:
    stack, prices = context.stack, context.prices
    instances = stack.of("aws_db_instance")
    for address, _proxy in stack.of("aws_db_proxy"):
        name = address.split(".", 1)[1]
        target_instances = [
            instance
            for target, _ in stack.of("aws_db_proxy_target")
            if ("aws_db_proxy", name) in stack.refs(target, "db_proxy_name")
            for instance in stack.referenced(target, "db_instance_identifier", "aws_db_instance")
        ]
        if not target_instances and len(instances) == 1:
            target_instances = [instances[0][0].split(".", 1)[1]]
        classes = [
            str((stack.get("aws_db_instance", instance) or {}).get("instance_class", ""))
            for instance in target_instances
        ]
        if not classes or any(c not in prices.rds.instance_hour for c in classes):
            yield NotPriced(address, "aws_db_proxy (its target instance is unknown)")
            continue
        vcpus = max(sum(prices.rds_instance(c).vcpus for c in classes), prices.rds.proxy_min_vcpus)
        cost = vcpus * prices.rds.proxy_vcpu_hour.usd * context.hours
        yield fixed(
            address, "rds", "RDS Proxy", cost, cost, f"{vcpus} vCPU of {', '.join(classes)}", "rds.proxy_vcpu_hour"
        )
