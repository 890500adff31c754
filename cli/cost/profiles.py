"""The cost profiles of dev and staging as recommendations: each a change to the synthesized stack.

Each is a setting of `environments/<env>.yaml` that prod may not use (or should not), so none is
offered for prod; `recommend.advise` prices each by estimating the stack with and without it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cli.cost.estimate import _first_block, _number, _references, database_schedule
from modules.elasticache.config import ServerlessCache
from modules.rds.config import RunningHours

Change = Callable[[dict[str, Any]], None]
Candidate = tuple[str, str, Change]

ONE_KEY = "one KMS key for the environment outside prod (the cost profile of dev and staging)"
NO_PROXY = "no RDS Proxy outside prod (functions log in to the instance with IAM; the cost profile of dev)"
WORKING_HOURS = RunningHours(days="MON-FRI", start="07:00", end="19:00")
"""The running hours the recommendation proposes: dev's and staging's."""
RUNNING_HOURS = (
    f"the database stopped outside weekdays {WORKING_HOURS.start}–{WORKING_HOURS.end} "
    "(the cost profile of dev and staging)"
)
NONE_BETWEEN_WINDOWS = "no provisioned concurrency between the scheduled windows"
NO_DASHBOARD = "no dashboard outside prod"
NO_OPERATIONAL_ALARMS = "the smaller alarm set: no throttle and near-timeout alarms"
NO_EDGE_ALARMS = "no alarms at the edge (no alert topic and key in us-east-1)"
SERVERLESS_LIMITS = ServerlessCache(max_data_storage_gb=1, max_ecpu_per_second=1000)
"""The smallest limits AWS allows: the serverless cache the recommendation proposes."""
SERVERLESS = (
    f"ElastiCache Serverless instead of the cache node, within {SERVERLESS_LIMITS.max_data_storage_gb} GB and "
    f"{SERVERLESS_LIMITS.max_ecpu_per_second:,} ECPU/s: a lower floor, a higher ceiling"
)
PROFILES = (
    ONE_KEY, NO_PROXY, RUNNING_HOURS, NONE_BETWEEN_WINDOWS, NO_DASHBOARD, NO_OPERATIONAL_ALARMS, NO_EDGE_ALARMS,
    SERVERLESS,
)  # fmt: skip
OPERATIONAL_SUFFIXES = ("-throttles", "-near-timeout")
EDGE = "aws.edge"
PROXY_KINDS = ("aws_db_proxy", "aws_db_proxy_target", "aws_db_proxy_default_target_group")
EDGE_ALARM_KINDS = ("aws_cloudwatch_metric_alarm", "aws_sns_topic", "aws_kms_key")


def _resources(stack: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """The stack's resources of `kind` by name, the dict itself (a change edits it in place)."""
    found: dict[str, dict[str, Any]] = stack.get("resource", {}).get(kind, {})
    return found


def _regional_keys(stack: dict[str, Any]) -> list[str]:
    """The stack region's KMS keys (a key with a provider of its own is in another region)."""
    return [name for name, key in _resources(stack, "aws_kms_key").items() if "provider" not in key]


def _keep_one_key(stack: dict[str, Any]) -> None:
    keys = _resources(stack, "aws_kms_key")
    for name in _regional_keys(stack)[1:]:
        del keys[name]


def _drop(kind: str, only: Callable[[dict[str, Any]], bool] = lambda _: True) -> Change:
    def change(stack: dict[str, Any]) -> None:
        bodies = _resources(stack, kind)
        for name in [name for name, body in bodies.items() if only(body)]:
            del bodies[name]

    return change


def _drop_kinds(*kinds: str) -> Change:
    def change(stack: dict[str, Any]) -> None:
        for kind in kinds:
            stack.get("resource", {}).pop(kind, None)

    return change


def _drop_edge_alarms(stack: dict[str, Any]) -> None:
    for kind in EDGE_ALARM_KINDS:
        _drop(kind, lambda body: body.get("provider") == EDGE)(stack)


def _primaries(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: b for n, b in _resources(stack, "aws_db_instance").items() if "replicate_source_db" not in b}


def _scheduled_instances(stack: dict[str, Any]) -> set[str]:
    return {
        found[1]
        for schedule in _resources(stack, "aws_scheduler_schedule").values()
        if (found := database_schedule(schedule)) is not None
    }


def _run_in_working_hours(stack: dict[str, Any]) -> None:
    schedules = stack.setdefault("resource", {}).setdefault("aws_scheduler_schedule", {})
    for name, instance in _primaries(stack).items():
        for action, clock in (("start", WORKING_HOURS.start), ("stop", WORKING_HOURS.end)):
            schedules[f"{name}_{action}"] = {
                "schedule_expression": WORKING_HOURS.cron(clock),
                "schedule_expression_timezone": WORKING_HOURS.time_zone,
                "target": {
                    "arn": f"arn:aws:scheduler:::aws-sdk:rds:{action}DBInstance",
                    "input": json.dumps({"DbInstanceIdentifier": str(instance.get("identifier", ""))}),
                },
            }


def _between_windows(stack: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    """Each Lambda target's scheduled actions back to its base minimum whose maximum stays above it."""
    found = []
    for target_name, target in _resources(stack, "aws_appautoscaling_target").items():
        if target.get("service_namespace") != "lambda":
            continue
        base = int(_number(target.get("min_capacity")))
        for action in _resources(stack, "aws_appautoscaling_scheduled_action").values():
            if ("aws_appautoscaling_target", target_name) not in _references(action.get("resource_id")):
                continue
            scheduled = _first_block(action.get("scalable_target_action"))
            if int(_number(scheduled.get("min_capacity"), -1)) == base < int(_number(scheduled.get("max_capacity"))):
                found.append((scheduled, base))
    return found


def _none_between_windows(stack: dict[str, Any]) -> None:
    for scheduled, base in _between_windows(stack):
        scheduled["max_capacity"] = str(base)


def _serverless_instead_of_nodes(stack: dict[str, Any]) -> None:
    """Each replication group becomes a serverless cache of the same name within SERVERLESS_LIMITS
    (its replica autoscaling goes with it); the alarms stay as they are."""
    groups = stack.get("resource", {}).pop("aws_elasticache_replication_group", {})
    caches = stack.setdefault("resource", {}).setdefault("aws_elasticache_serverless_cache", {})
    for name, group in groups.items():
        caches[name] = {
            "name": group.get("replication_group_id", name),
            "engine": "valkey",
            "cache_usage_limits": [
                {
                    "data_storage": [{"maximum": SERVERLESS_LIMITS.max_data_storage_gb, "unit": "GB"}],
                    "ecpu_per_second": [{"maximum": SERVERLESS_LIMITS.max_ecpu_per_second}],
                }
            ],
        }
    for kind in ("aws_appautoscaling_target", "aws_appautoscaling_policy"):
        _drop(kind, lambda body: body.get("service_namespace") == "elasticache")(stack)


def _is_operational(alarm: dict[str, Any]) -> bool:
    return str(alarm.get("alarm_name", "")).endswith(OPERATIONAL_SUFFIXES)


def profile_candidates(stack: dict[str, Any], environment: str) -> list[Candidate]:
    """The cost profiles this stack does not use yet; none for prod."""
    if environment == "prod":
        return []
    found: list[Candidate] = []
    if len(_regional_keys(stack)) > 1:
        found.append((ONE_KEY, "encryption.keys: per-environment", _keep_one_key))
    if _resources(stack, "aws_db_proxy"):
        found.append((NO_PROXY, "rds.proxy: null", _drop_kinds(*PROXY_KINDS)))
    primaries = _primaries(stack)
    without_replicas = len(primaries) == len(_resources(stack, "aws_db_instance"))  # AWS stops no primary with them
    always_running = {str(b.get("identifier", "")) for b in primaries.values()} - _scheduled_instances(stack)
    if primaries and without_replicas and always_running:
        found.append(
            (
                RUNNING_HOURS,
                f'rds.running_hours: {{days: {WORKING_HOURS.days}, start: "{WORKING_HOURS.start}", '
                f'end: "{WORKING_HOURS.end}"}}',
                _run_in_working_hours,
            )
        )
    if _between_windows(stack):
        found.append((NONE_BETWEEN_WINDOWS, "lambda.schedule.max_outside_windows: 0", _none_between_windows))
    if _resources(stack, "aws_cloudwatch_dashboard"):
        found.append((NO_DASHBOARD, "monitoring.dashboard: false", _drop("aws_cloudwatch_dashboard")))
    if any(_is_operational(a) for a in _resources(stack, "aws_cloudwatch_metric_alarm").values()):
        found.append(
            (
                NO_OPERATIONAL_ALARMS,
                "monitoring.operational_alarms: false",
                _drop("aws_cloudwatch_metric_alarm", _is_operational),
            )
        )
    if any(b.get("provider") == EDGE for b in _resources(stack, "aws_cloudwatch_metric_alarm").values()):
        found.append((NO_EDGE_ALARMS, "cdn.alarms: null", _drop_edge_alarms))
    if _resources(stack, "aws_elasticache_replication_group"):
        setting = (
            f"elasticache: {{serverless: {{max_data_storage_gb: {SERVERLESS_LIMITS.max_data_storage_gb}, "
            f"max_ecpu_per_second: {SERVERLESS_LIMITS.max_ecpu_per_second}}}}} (without the node settings)"
        )
        found.append((SERVERLESS, setting, _serverless_instead_of_nodes))
    return found
