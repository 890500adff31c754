"""What to change when an environment does not fit its budget, ranked by saving; and waste flags.

Every recommendation is a change to the synthesized stack: its saving is the difference of two
estimates (with and without it), so it is exactly what the estimate would show after the change.
`setting` says which YAML setting makes the change.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cli.cost.estimate import Estimate, _first_block, _flag, _number, _references, estimate
from cli.cost.prices import PriceTable
from cli.cost.profiles import _resources, profile_candidates
from environments.usage import UsageAssumptions
from modules.elasticache.config import supports_replica_autoscaling

Change = Callable[[dict[str, Any]], None]
SHORT_LOG_RETENTION_DAYS = 30
STORAGE_HEADROOM_PERCENT = 126
"""AWS recommends a storage-autoscaling ceiling at least 26 % above the allocated storage (RDS user
guide, "Managing capacity automatically with Amazon RDS storage autoscaling"), else RDS-EVENT-0225."""


@dataclass(frozen=True)
class Recommendation:
    title: str
    setting: str
    change: Change
    floor_saving_usd: float
    ceiling_saving_usd: float


@dataclass(frozen=True)
class Advice:
    recommendations: tuple[Recommendation, ...]
    waste: tuple[str, ...]
    fits: bool
    fits_after: int | None
    """How many of the ranked recommendations, applied in order, make the environment fit (None: never)."""


def _lambda_targets(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: target
        for name, target in _resources(stack, "aws_appautoscaling_target").items()
        if target.get("service_namespace") == "lambda"
    }


def _actions_of(stack: dict[str, Any], target_name: str) -> list[dict[str, Any]]:
    return [
        action
        for action in _resources(stack, "aws_appautoscaling_scheduled_action").values()
        if ("aws_appautoscaling_target", target_name) in _references(action.get("resource_id"))
    ]


def _window_min(stack: dict[str, Any], target_name: str) -> int:
    return max(
        (
            int(_number(_first_block(a.get("scalable_target_action")).get("min_capacity")))
            for a in _actions_of(stack, target_name)
        ),
        default=0,
    )


def _lower_pc_max(new_max: int) -> Change:
    def change(stack: dict[str, Any]) -> None:
        for name, target in _lambda_targets(stack).items():
            target["max_capacity"] = max(new_max, int(_number(target.get("min_capacity"))))
            for action in _actions_of(stack, name):
                scheduled = _first_block(action.get("scalable_target_action"))
                if "max_capacity" in scheduled:  # lowered, never raised (a maximum between windows stays)
                    lowered = min(int(_number(scheduled["max_capacity"])), int(target["max_capacity"]))
                    scheduled["max_capacity"] = str(lowered)

    return change


def _pc_min_zero_outside_windows(stack: dict[str, Any]) -> None:
    for name, target in _lambda_targets(stack).items():
        old = int(_number(target.get("min_capacity")))
        target["min_capacity"] = 0
        for action in _actions_of(stack, name):
            scheduled = _first_block(action.get("scalable_target_action"))
            if int(_number(scheduled.get("min_capacity"), -1)) == old:
                scheduled["min_capacity"] = "0"


def _no_provisioned_concurrency(stack: dict[str, Any]) -> None:
    names = set(_lambda_targets(stack))
    resources = stack.get("resource", {})
    for name in names:
        del resources["aws_appautoscaling_target"][name]
    for kind in ("aws_appautoscaling_policy", "aws_appautoscaling_scheduled_action"):
        for key, body in list(resources.get(kind, {}).items()):
            if any(ref == ("aws_appautoscaling_target", n) for ref in _references(body) for n in names):
                del resources[kind][key]


def _cache_fixed_replicas(replicas: int) -> Change:
    def change(stack: dict[str, Any]) -> None:
        for target in _resources(stack, "aws_appautoscaling_target").values():
            if target.get("service_namespace") == "elasticache":
                target["min_capacity"] = min(int(_number(target.get("min_capacity"))), replicas)
                target["max_capacity"] = replicas
        for group in _resources(stack, "aws_elasticache_replication_group").values():
            if "replicas_per_node_group" in group:
                group["replicas_per_node_group"] = replicas

    return change


def _set_all(kind: str, key: str, value: Any, only: Callable[[dict[str, Any]], bool] = lambda _: True) -> Change:
    def change(stack: dict[str, Any]) -> None:
        for body in _resources(stack, kind).values():
            if only(body):
                body[key] = value

    return change


def _candidates(stack: dict[str, Any], prices: PriceTable, environment: str) -> list[tuple[str, str, Change]]:
    found: list[tuple[str, str, Change]] = []
    targets = _lambda_targets(stack)
    if targets:
        top = max(int(_number(t.get("max_capacity"))) for t in targets.values())
        needed = max(max(int(_number(t.get("min_capacity"))), _window_min(stack, n), 1) for n, t in targets.items())
        if top > needed:
            found.append(
                (
                    f"lower the provisioned-concurrency maximum from {top} to {needed}",
                    f"lambda.provisioned_concurrency.max: {needed}",
                    _lower_pc_max(needed),
                )
            )
        found.append(
            (
                "no provisioned concurrency (cold starts accepted)",
                "lambda.provisioned_concurrency: {min: 0, max: 0} and lambda.schedule: null",
                _no_provisioned_concurrency,
            )
        )
        base = max(int(_number(t.get("min_capacity"))) for t in targets.values())
        if base > 0 and any(_actions_of(stack, n) for n in targets):
            found.append(
                (
                    f"provisioned concurrency only inside the scheduled windows (minimum {base} → 0 outside)",
                    "lambda.provisioned_concurrency.min: 0",
                    _pc_min_zero_outside_windows,
                )
            )
    for group in _resources(stack, "aws_elasticache_replication_group").values():
        node_type = str(group.get("node_type", ""))
        scaled = [
            t
            for t in _resources(stack, "aws_appautoscaling_target").values()
            if t.get("service_namespace") == "elasticache"
        ]
        if scaled:
            low, high = int(_number(scaled[0].get("min_capacity"))), int(_number(scaled[0].get("max_capacity")))
        else:
            low = high = int(_number(group.get("replicas_per_node_group")))
        fewest = 1 if environment == "prod" else 0
        if high > max(low, fewest) or (not scaled and high > fewest):
            to = max(low, fewest) if scaled else fewest
            found.append(
                (
                    f"fewer cache replicas: at most {to} (from {high})",
                    f"elasticache.replicas: {{min: {min(low, to)}, max: {to}}}",
                    _cache_fixed_replicas(to),
                )
            )
        if node_type in prices.elasticache.node_hour:
            current = prices.elasticache.node_hour[node_type].usd
            cheaper = sorted(
                (price.usd, name)
                for name, price in prices.elasticache.node_hour.items()
                if price.usd < current and (not scaled or supports_replica_autoscaling(name))
            )
            if cheaper:
                smaller = cheaper[-1][1]
                found.append(
                    (
                        f"a smaller cache node type: {smaller} instead of {node_type}",
                        f"elasticache.node_type: {smaller}",
                        _set_all("aws_elasticache_replication_group", "node_type", smaller),
                    )
                )
    for instance in _resources(stack, "aws_db_instance").values():
        instance_class = str(instance.get("instance_class", ""))
        multi_az = _flag(instance.get("multi_az"))
        if instance_class in prices.rds.instance_hour:
            current = prices.monthly_instance_price_usd(instance_class, multi_az)
            cheaper = sorted(
                (prices.monthly_instance_price_usd(name, multi_az), name)
                for name in prices.rds.instance_hour
                if prices.monthly_instance_price_usd(name, multi_az) < current
            )
            if cheaper:
                smaller = cheaper[-1][1]
                found.append(
                    (
                        f"a smaller database instance class: {smaller} instead of {instance_class}",
                        f"rds.instance_class: {smaller}",
                        _set_all("aws_db_instance", "instance_class", smaller),
                    )
                )
        if multi_az and environment != "prod":
            found.append(
                (
                    "Single-AZ database outside prod",
                    "rds.multi_az: false",
                    _set_all("aws_db_instance", "multi_az", False),
                )
            )
        allocated = _number(instance.get("allocated_storage"), 20)
        least = math.ceil(allocated * STORAGE_HEADROOM_PERCENT / 100 - 1e-9)
        if _number(instance.get("max_allocated_storage"), allocated) > least:
            found.append(
                (
                    f"storage autoscaling only up to {least} GB (26 % above the allocated {allocated:g} GB)",
                    f"rds.max_allocated_storage_gib: {least}",
                    _set_all("aws_db_instance", "max_allocated_storage", least),
                )
            )
        if (
            _flag(instance.get("performance_insights_enabled"))
            and _number(instance.get("performance_insights_retention_period"), 7) > 7
        ):
            found.append(
                (
                    "Performance Insights on its free 7-day retention",
                    "rds.performance_insights_retention_days: 7",
                    _set_all("aws_db_instance", "performance_insights_retention_period", 7),
                )
            )
    found.extend(profile_candidates(stack, environment))
    long_logs = [
        g
        for g in _resources(stack, "aws_cloudwatch_log_group").values()
        if (_number(g.get("retention_in_days")) or 3653) > SHORT_LOG_RETENTION_DAYS
    ]
    if long_logs:
        found.append(
            (
                f"a shorter log retention: {SHORT_LOG_RETENTION_DAYS} days",
                f"lambda.functions.<key>.log_retention_days / elasticache.log_retention_days: "
                f"{SHORT_LOG_RETENTION_DAYS}",
                _set_all(
                    "aws_cloudwatch_log_group",
                    "retention_in_days",
                    SHORT_LOG_RETENTION_DAYS,
                    lambda g: (_number(g.get("retention_in_days")) or 3653) > SHORT_LOG_RETENTION_DAYS,
                ),
            )
        )
    return found


def _waste(stack: dict[str, Any], result: Estimate) -> list[str]:
    flags: list[str] = []
    for bound in result.scaling:
        if not bound.scales.startswith("aws_lambda_alias."):
            continue
        if bound.windows and bound.min > 0:
            flags.append(
                f"{bound.scales}: provisioned-concurrency minimum {bound.min} is held around the clock although "
                f"the scheduled windows raise it when needed; outside them it is paid idle"
            )
        window_mins = [int(w.rsplit("min ", 1)[1].split()[0]) for w in bound.windows if "min " in w]
        if window_mins and max(window_mins) <= bound.min:
            flags.append(f"{bound.scales}: the scheduled windows never raise the minimum {bound.min}: they do nothing")
    for name, group in _resources(stack, "aws_elasticache_replication_group").items():
        if _flag(group.get("multi_az_enabled")) and result.environment == "dev":
            flags.append(f"aws_elasticache_replication_group.{name}: Multi-AZ in dev")
    return flags


def advise(
    stack: dict[str, Any],
    prices: PriceTable,
    usage: UsageAssumptions,
    *,
    environment: str,
    usd_per_eur: float,
    usd_per_eur_date: str,
    soft_limit_eur: float,
    burst_limit_eur: float,
    others: Mapping[str, dict[str, Any]] | None = None,
) -> Advice:
    """Recommendations ranked by saving (ceiling first, then floor) and how many make the environment fit.

    The changes touch `stack` only; `others` (its bootstrap stack) count towards fitting the budget.
    """

    def priced(candidate: dict[str, Any]) -> Estimate:
        return estimate(
            candidate,
            prices,
            usage,
            environment=environment,
            usd_per_eur=usd_per_eur,
            usd_per_eur_date=usd_per_eur_date,
            others=others,
        )

    def fits(result: Estimate) -> bool:
        return (
            result.eur(result.total_ceiling_usd) <= burst_limit_eur
            and result.eur(result.total_floor_usd) <= soft_limit_eur
        )

    base = priced(stack)
    recommendations = []
    for title, setting, change in _candidates(stack, prices, environment):
        changed = copy.deepcopy(stack)
        change(changed)
        after = priced(changed)
        floor_saving = base.total_floor_usd - after.total_floor_usd
        ceiling_saving = base.total_ceiling_usd - after.total_ceiling_usd
        if floor_saving > 0.005 or ceiling_saving > 0.005:
            recommendations.append(Recommendation(title, setting, change, floor_saving, ceiling_saving))
    recommendations.sort(key=lambda r: (-r.ceiling_saving_usd, -r.floor_saving_usd, r.title))
    fits_after: int | None = 0 if fits(base) else None
    if fits_after is None:
        cumulative = copy.deepcopy(stack)
        for count, recommendation in enumerate(recommendations, start=1):
            recommendation.change(cumulative)
            if fits(priced(cumulative)):
                fits_after = count
                break
    return Advice(tuple(recommendations), tuple(_waste(stack, base)), fits(base), fits_after)


def apply(stack: dict[str, Any], recommendations: tuple[Recommendation, ...]) -> dict[str, Any]:
    """A copy of `stack` with the recommendations' changes made."""
    changed = copy.deepcopy(stack)
    for recommendation in recommendations:
        recommendation.change(changed)
    return changed
