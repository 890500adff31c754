"""The immutable index of one synthesized stack that every pricer reads: built once per stack.

Resources by type (in the stack's order) and by address, every top-level argument's
`${aws_type.name…}` references resolved once, and the autoscaling targets linked to what they
scale with their scheduled windows (`ScalingBound`s: the floor and ceiling of what they scale).
No pricer writes to it, so none depends on another having run first.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

MINUTES_PER_WEEK = 7 * 24 * 60
_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_REFERENCE = re.compile(r"\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)")
_CRON = re.compile(r"^cron\((\d+) (\d+) \? \* ([A-Z,*-]+) \*\)$")

Body = Mapping[str, Any]
"""A resource's arguments as synthesized (read only: the index shares them with the stack)."""
Reference = tuple[str, str]
"""(type, name) of a `${aws_type.name…}` reference."""


def _references(value: Any) -> list[tuple[str, str]]:
    """Every `${aws_type.name…}` reference inside `value`, in order."""
    if isinstance(value, str):
        return _REFERENCE.findall(value)
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in _references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _references(item)]
    return []


def _first_block(value: Any) -> dict[str, Any]:
    """A nested block as CDKTF writes it: an object, or a list holding one."""
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], dict) else {}
    return value if isinstance(value, dict) else {}


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _number(value: Any, default: float = 0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _weekly_minutes(schedule: str) -> list[int] | None:
    """Minutes of the week (Monday 00:00 = 0) at which a `cron(M H ? * DAYS *)` fires; None if not such."""
    match = _CRON.match(schedule)
    if not match:
        return None
    minute, hour, days = int(match[1]), int(match[2]), match[3]
    chosen: set[int] = set()
    for part in days.split(","):
        if part == "*":
            chosen.update(range(7))
        elif "-" in part:
            first, last = (_DAYS.index(day) for day in part.split("-"))
            chosen.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
        else:
            chosen.add(_DAYS.index(part))
    return sorted(day * 1440 + hour * 60 + minute for day in chosen)


def database_schedule(schedule: Mapping[str, Any]) -> tuple[str, str] | None:
    """(`startDBInstance` or `stopDBInstance`, the instance identifier) of an EventBridge Scheduler
    schedule that starts or stops an RDS instance (`rds.running_hours`); None for any other."""
    target = _first_block(schedule.get("target"))
    action = str(target.get("arn", "")).rsplit(":", 1)[-1]
    if action not in ("startDBInstance", "stopDBInstance"):
        return None
    return action, str(json.loads(str(target.get("input") or "{}")).get("DbInstanceIdentifier", ""))


def average_minimum(base_min: int, events: list[tuple[int, int]]) -> float:
    """The target's minimum averaged over a week, given (minute of week, new minimum) events."""
    if not events:
        return float(base_min)
    ordered = sorted(events)
    total = 0.0
    for index, (at, minimum) in enumerate(ordered):
        following = ordered[(index + 1) % len(ordered)][0]
        span = (following - at) % MINUTES_PER_WEEK or MINUTES_PER_WEEK
        total += minimum * span
    return total / MINUTES_PER_WEEK


@dataclass(frozen=True)
class ScalingBound:
    """An autoscaling target linked to what it scales, with its scheduled windows."""

    target: str
    scales: str
    dimension: str
    min: int
    max: int
    average_min: float
    windows: tuple[str, ...]
    average_max: float
    """The maximum averaged over the week: `max`, unless scheduled actions lower it between windows."""

    def prefixed(self, prefix: str) -> ScalingBound:
        return dataclasses.replace(self, target=f"{prefix}{self.target}", scales=f"{prefix}{self.scales}")


@dataclass(frozen=True)
class StackIndex:
    """One stack's resources, references and scaling bounds; `index_stack` builds it."""

    resources: Mapping[str, Mapping[str, Body]]
    """type → name → arguments, in the stack's order."""
    references: Mapping[str, Mapping[str, tuple[Reference, ...]]]
    """address → top-level argument → the references inside it, in order."""
    scaling: tuple[ScalingBound, ...]

    @property
    def types(self) -> list[str]:
        """The stack's resource types, sorted (the order of the sweep of what no pricer handled)."""
        return sorted(self.resources)

    def of(self, kind: str) -> list[tuple[str, Body]]:
        """(address, arguments) of every resource of `kind`, in the stack's order."""
        return [(f"{kind}.{name}", body) for name, body in self.resources.get(kind, {}).items()]

    def get(self, kind: str, name: str) -> Body | None:
        return self.resources.get(kind, {}).get(name)

    def refs(self, address: str, argument: str) -> tuple[Reference, ...]:
        """The references inside the resource's top-level `argument` (none for a resource not in the stack)."""
        return self.references.get(address, {}).get(argument, ())

    def referenced(self, address: str, argument: str, kind: str) -> list[str]:
        """The names of the `kind` resources the resource's `argument` references, in order."""
        return [name for k, name in self.refs(address, argument) if k == kind]

    def scaling_of(self, address: str) -> ScalingBound | None:
        """The (first) autoscaling target that scales the resource at `address`."""
        return next((bound for bound in self.scaling if bound.scales == address), None)


def index_stack(stack: Mapping[str, Any]) -> StackIndex:
    """The index of a synthesized stack (`cdk.tf.json` as loaded): read-only views, built once."""
    resources: dict[str, Mapping[str, Body]] = {
        kind: MappingProxyType(dict(bodies)) for kind, bodies in stack.get("resource", {}).items()
    }
    references = {
        f"{kind}.{name}": MappingProxyType({argument: tuple(_references(value)) for argument, value in body.items()})
        for kind, bodies in resources.items()
        for name, body in bodies.items()
    }
    frozen_resources = MappingProxyType(resources)
    frozen_references: Mapping[str, Mapping[str, tuple[Reference, ...]]] = MappingProxyType(references)
    scaling = _link_scaling(frozen_resources, frozen_references)
    return StackIndex(frozen_resources, frozen_references, scaling)


def _link_scaling(
    resources: Mapping[str, Mapping[str, Body]], references: Mapping[str, Mapping[str, tuple[Reference, ...]]]
) -> tuple[ScalingBound, ...]:
    """Every `aws_appautoscaling_target` linked to what it scales (the last reference of its
    `resource_id` that is not the function itself), its scheduled actions placed in the week."""

    def refs(address: str, argument: str) -> tuple[Reference, ...]:
        return references.get(address, {}).get(argument, ())

    actions: dict[str, list[Body]] = {}
    for name, action in resources.get("aws_appautoscaling_scheduled_action", {}).items():
        address = f"aws_appautoscaling_scheduled_action.{name}"
        targets = [target for kind, target in refs(address, "resource_id") if kind.endswith("_target")]
        if targets:
            actions.setdefault(targets[0], []).append(action)
    bounds: list[ScalingBound] = []
    for name, target in resources.get("aws_appautoscaling_target", {}).items():
        address = f"aws_appautoscaling_target.{name}"
        target_refs = refs(address, "resource_id")
        scaled = next(
            (ref for ref in reversed(target_refs) if ref[0] != "aws_lambda_function"),
            target_refs[0] if target_refs else None,
        )
        if scaled is None:
            continue
        base_min, base_max = int(_number(target.get("min_capacity"))), int(_number(target.get("max_capacity")))
        events: list[tuple[int, int]] = []
        windows: list[str] = []
        highest_max = base_max
        # The scheduled maxima hold in turn, round the week; None: one we cannot place in the week.
        max_events: list[tuple[int, int]] | None = []
        for action in actions.get(name, []):
            scheduled = _first_block(action.get("scalable_target_action"))
            minutes = _weekly_minutes(str(action.get("schedule", "")))
            if "max_capacity" in scheduled:
                new_max = int(_number(scheduled["max_capacity"]))
                highest_max = max(highest_max, new_max)
                if minutes is None or max_events is None:
                    max_events = None
                else:
                    max_events.extend((minute, new_max) for minute in minutes)
            if "min_capacity" not in scheduled:
                continue
            new_min = int(_number(scheduled["min_capacity"]))
            if minutes is None:  # a schedule we cannot place in the week: assume it holds always
                events = [(0, max(new_min, max((m for _, m in events), default=base_min)))]
                windows.append(f"{action.get('schedule')}: min {new_min} (assumed always)")
                continue
            events.extend((minute, new_min) for minute in minutes)
            windows.append(f"{action.get('schedule')} {action.get('timezone', 'UTC')}: min {new_min}")
        if events and all(m != base_min for _, m in events):
            events.append((0, base_min))  # windows only raise: the base holds before the first
        bounds.append(
            ScalingBound(
                target=address,
                scales=f"{scaled[0]}.{scaled[1]}",
                dimension=str(target.get("scalable_dimension", "")),
                min=base_min,
                max=highest_max,
                average_min=average_minimum(base_min, events),
                average_max=average_minimum(highest_max, max_events) if max_events is not None else highest_max,
                windows=tuple(windows),
            )
        )
    return tuple(bounds)
