"""The multiwindow, multi-burn-rate SLO alarms, evaluated as CloudWatch would over synthetic series.

The evaluator (tests/support/alarm_math.py) reads every threshold, period, expression and composite
rule from the synthesized stacks; the series and the tiers they must fire are the tables below.
A tier is labelled by what the synthesized JSON says of it: the severity of the composite that
holds it (which topic it notifies) and its threshold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cli.config_files import load_environment
from tests.conftest import resources
from tests.support.alarm_math import CompositeAlarm, MetricAlarm, MetricKey, Stack, Windows

ENVIRONMENTS = ("dev", "staging", "prod")
REQUESTS_PER_MINUTE = 1000
HEALTHY_MINUTES = 3 * 24 * 60  # a clean history as long as the longest window
P14, P6, T3, T1 = "page 14.4×", "page 6×", "ticket 3×", "ticket 1×"
ALL = frozenset({P14, P6, T3, T1})

NONE: frozenset[str] = frozenset()
# The tiers each environment pays for (monitoring.burn_tiers: dev and staging's cost profiles).
TIERS = {"dev": frozenset({P14}), "staging": frozenset({P14, P6}), "prod": ALL}
# A sustained error rate of k × the error budget (errors count against the availability budget
# too, which is the smaller one in staging and prod: there it burns 4 × and 10 × faster).
ERROR_RATE_TIERS: dict[str, dict[float, frozenset[str]]] = {
    "dev": {1: NONE, 2: NONE, 6: NONE, 14.4: TIERS["dev"], 30: TIERS["dev"]},
    "staging": {1: NONE, 2: frozenset({P6}), 6: TIERS["staging"], 14.4: TIERS["staging"], 30: TIERS["staging"]},
    "prod": {1: frozenset({P6, T3, T1}), 2: ALL, 6: ALL, 14.4: ALL, 30: ALL},
}
# A sustained unavailability (throttled requests) of k × the availability budget.
AVAILABILITY_TIERS: dict[str, dict[float, frozenset[str]]] = {
    "dev": {1: NONE, 2: NONE, 6: NONE, 14.4: TIERS["dev"], 30: TIERS["dev"]},
    "staging": {1: NONE, 2: NONE, 6: frozenset({P6}), 14.4: TIERS["staging"], 30: TIERS["staging"]},
    "prod": {1: frozenset({T1}), 2: frozenset({T1}), 6: frozenset({P6, T3, T1}), 14.4: ALL, 30: ALL},
}
# A short spike below the page threshold: 30 minutes at 12 × the faster-burning budget. Its short
# windows (30 min, 2 h, 6 h) reach their factors; no long window does, so nothing fires.
SPIKE_BURN, SPIKE_MINUTES = 12.0, 30


@dataclass(frozen=True)
class Tier:
    label: str
    long_minutes: int
    threshold: float
    alarms: tuple[str, ...]


@dataclass(frozen=True)
class FunctionAlarms:
    """One function's composites by severity and the tiers (AND groups) of their rules."""

    stack: Stack
    composites: dict[str, str]
    tiers: tuple[Tier, ...]
    dimensions: dict[str, str]


def _topic(stack: dict[str, Any], prefix: str) -> str:
    (address,) = [a for a in resources(stack, "aws_sns_topic") if a.startswith(prefix)]
    return f"${{aws_sns_topic.{address}.arn}}"


def _groups(rule: str) -> Iterator[list[str]]:
    """The `(ALARM(a) AND ALARM(b))` groups of an OR rule, each as its ALARM(...) tokens."""
    for group in re.findall(r"\(((?:ALARM\(\"[^\"]+\"\)(?: AND )?)+)\)", rule):
        yield re.findall(r'ALARM\("[^"]+"\)', group)


def _function_alarms(stack_json: dict[str, Any], function_name: str) -> FunctionAlarms:
    stack = Stack(stack_json)
    severity_of = {_topic(stack_json, "alerts_topic"): "page", _topic(stack_json, "tickets_topic"): "ticket"}
    composites: dict[str, str] = {}
    tiers: list[Tier] = []
    for address, composite in stack.composites.items():
        (topic,) = composite.actions
        for group in _groups(composite.rule):
            probe = CompositeAlarm({"alarm_name": "probe", "alarm_rule": " AND ".join(group)})
            children = probe.children()
            if not all(
                c in stack.metric_alarms and stack.metric_alarms.name(c).startswith(f"{function_name}-burn-")
                for c in children
            ):
                continue
            severity = severity_of[topic]
            assert composites.setdefault(severity, address) == address, f"{function_name}: two {severity} composites"
            windows = [stack.metric_alarms[c] for c in children]
            (threshold,) = {w.threshold for w in windows}
            long_minutes = max(w.period_minutes for w in windows)
            tiers.append(Tier(f"{severity} {threshold:g}×", long_minutes, threshold, tuple(children)))
    body = next(b for b in resources(stack_json, "aws_lambda_function").values() if b["function_name"] == function_name)
    dimensions = {"FunctionName": body["function_name"], "Resource": f"{body['function_name']}:live"}
    return FunctionAlarms(stack, composites, tuple(tiers), dimensions)


def _series(dimensions: dict[str, str], minutes: list[tuple[float, float]]) -> dict[MetricKey, list[float | None]]:
    """Per minute (error share, throttled share) of REQUESTS_PER_MINUTE requests, as Lambda publishes
    them: no Invocations or Errors datapoint when nothing was invoked, no Throttles when none were."""
    errors, throttles, invocations = [], [], []
    for error_share, throttled_share in minutes:
        throttled = REQUESTS_PER_MINUTE * throttled_share
        invoked = REQUESTS_PER_MINUTE - throttled
        invocations.append(invoked if invoked > 0 else None)
        errors.append(invoked * error_share if invoked > 0 else None)
        throttles.append(throttled if throttled > 0 else None)
    return {
        MetricKey.of("AWS/Lambda", "Errors", dimensions): errors,
        MetricKey.of("AWS/Lambda", "Throttles", dimensions): throttles,
        MetricKey.of("AWS/Lambda", "Invocations", dimensions): invocations,
    }


@dataclass(frozen=True)
class Run:
    first_fired: dict[str, int]  # tier label → minutes after the burn started
    composites_fired: set[str]  # severities whose composite was in ALARM
    short_windows_fired: bool
    in_alarm_at_end: set[str]


def _run(alarms: FunctionAlarms, minutes: list[tuple[float, float]], start: int) -> Run:
    windows = Windows(_series(alarms.dimensions, minutes))
    first: dict[str, int] = {}
    fired: set[str] = set()
    short = False
    states: dict[str, bool] = {}
    for minute in range(start, len(minutes)):
        states = alarms.stack.states(windows, minute, list(alarms.composites.values()))
        for tier in alarms.tiers:
            if all(states[a] for a in tier.alarms):
                first.setdefault(tier.label, minute - start + 1)
            short = short or any(
                states[a] for a in tier.alarms if alarms.stack.metric_alarms[a].period_minutes < tier.long_minutes
            )
        fired |= {severity for severity, address in alarms.composites.items() if states[address]}
    at_end = {severity for severity, address in alarms.composites.items() if states.get(address)}
    return Run(first, fired, short, at_end)


def _budgets(env: str) -> tuple[float, float]:
    slo = load_environment(env).slo
    return slo.error_budget_percent, slo.unavailability_budget_percent


def _critical_function(env: str) -> str:
    config = load_environment(env)
    key = next(k for k, settings in config.lambda_service.functions.items() if settings.critical)
    return config.context.id(key)


@pytest.fixture(scope="module")
def function_alarms(stacks: dict[str, dict[str, Any]]) -> dict[str, FunctionAlarms]:
    return {env: _function_alarms(stacks[env], _critical_function(env)) for env in ENVIRONMENTS}


def test_each_environment_has_its_tiers_over_the_workbooks_windows(
    function_alarms: dict[str, FunctionAlarms],
) -> None:
    windows = {P14: (60, 5), P6: (360, 30), T3: (1440, 120), T1: (4320, 360)}
    for env, alarms in function_alarms.items():
        assert set(alarms.composites) == {label.split()[0] for label in TIERS[env]}, env
        found = {
            t.label: (t.long_minutes, min(alarms.stack.metric_alarms[a].period_minutes for a in t.alarms))
            for t in alarms.tiers
        }
        assert found == {label: windows[label] for label in TIERS[env]}, env
        assert all(len(t.alarms) == 2 for t in alarms.tiers), env


def _check_sustained(
    alarms: FunctionAlarms, burn: float, error: float, throttled: float, expected: frozenset[str]
) -> None:
    burn_minutes = 3 * 24 * 60 + 10
    minutes = [(0.0, 0.0)] * HEALTHY_MINUTES + [(error, throttled)] * burn_minutes
    run = _run(alarms, minutes, HEALTHY_MINUTES)
    assert set(run.first_fired) == expected
    for tier in alarms.tiers:
        if tier.label in expected:
            # From a clean history the long window's burn grows linearly: it reaches the factor
            # after long × factor / burn (the short window, shorter, is there first).
            at = math.ceil(tier.long_minutes * tier.threshold / burn - 1e-6)
            assert run.first_fired[tier.label] <= tier.long_minutes, tier.label
            assert abs(run.first_fired[tier.label] - at) <= 1, (tier.label, run.first_fired[tier.label], at)
    assert run.composites_fired == {label.split()[0] for label in expected}


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("multiple", [1, 2, 6, 14.4, 30])
def test_a_sustained_error_rate_fires_exactly_its_tiers_within_their_windows(
    function_alarms: dict[str, FunctionAlarms], env: str, multiple: float
) -> None:
    error_budget, unavailability_budget = _budgets(env)
    rate = min(100.0, multiple * error_budget)  # dev's 30 × its 5 % budget: every request fails
    burn = max(rate / error_budget, rate / unavailability_budget)
    _check_sustained(function_alarms[env], burn, rate / 100, 0.0, ERROR_RATE_TIERS[env][multiple])


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("multiple", [1, 2, 6, 14.4, 30])
def test_a_sustained_availability_shortfall_fires_exactly_its_tiers_within_their_windows(
    function_alarms: dict[str, FunctionAlarms], env: str, multiple: float
) -> None:
    _error_budget, unavailability_budget = _budgets(env)
    unavailable = min(100.0, multiple * unavailability_budget)  # dev's 30 × 5 %: everything throttled
    burn = unavailable / unavailability_budget
    _check_sustained(function_alarms[env], burn, 0.0, unavailable / 100, AVAILABILITY_TIERS[env][multiple])


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("kind", ["errors", "throttles"])
def test_a_short_spike_below_the_page_threshold_fires_nothing(
    function_alarms: dict[str, FunctionAlarms], env: str, kind: str
) -> None:
    error_budget, unavailability_budget = _budgets(env)
    budget = min(error_budget, unavailability_budget) if kind == "errors" else unavailability_budget
    share = SPIKE_BURN * budget / 100
    spike = (share, 0.0) if kind == "errors" else (0.0, share)
    after = 6 * 60  # the longest short window: no short window is still above its factor after it
    minutes = [(0.0, 0.0)] * HEALTHY_MINUTES + [spike] * SPIKE_MINUTES + [(0.0, 0.0)] * after
    run = _run(function_alarms[env], minutes, HEALTHY_MINUTES)
    assert run.first_fired == {} and run.composites_fired == set()
    if any(tier.threshold <= SPIKE_BURN for tier in function_alarms[env].tiers):
        assert run.short_windows_fired  # the short windows alone fired: only the AND kept it quiet


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_a_page_resets_within_its_short_window_once_the_burn_stops(
    function_alarms: dict[str, FunctionAlarms], env: str
) -> None:
    """Two hours of every request failing, then healthy: a minute after the longest short window of
    the page tiers, the page composite is OK again though a long window still burns above its factor."""
    alarms = function_alarms[env]
    pages = [tier for tier in alarms.tiers if tier.label.startswith("page")]
    periods = {a: alarms.stack.metric_alarms[a].period_minutes for tier in pages for a in tier.alarms}
    longest_short = max(min(periods[a] for a in tier.alarms) for tier in pages)
    after = longest_short + 1
    minutes = [(0.0, 0.0)] * HEALTHY_MINUTES + [(1.0, 0.0)] * 120 + [(0.0, 0.0)] * after
    run = _run(alarms, minutes, HEALTHY_MINUTES)
    assert "page" in run.composites_fired
    assert "page" not in run.in_alarm_at_end
    long_windows = [a for tier in pages for a in tier.alarms if periods[a] == tier.long_minutes]
    windows = Windows(_series(alarms.dimensions, minutes))
    # Without the short windows the page would stay on for up to the long window.
    assert any(alarms.stack.metric_alarms[a].in_alarm(windows, len(minutes) - 1) for a in long_windows)


def test_the_evaluator_refuses_what_cloudwatch_would_not_do() -> None:
    """Alarms the evaluator must not silently accept: mixed periods, too long an evaluation range,
    MAX of one series (a scalar over the whole range in CloudWatch)."""

    def alarm(periods: tuple[int, int], expression: str, evaluation_periods: int = 1) -> dict[str, Any]:
        metric = {"namespace": "AWS/Lambda", "dimensions": {}, "stat": "Sum"}
        return {
            "alarm_name": "x",
            "threshold": 1,
            "comparison_operator": "GreaterThanThreshold",
            "evaluation_periods": evaluation_periods,
            "metric_query": [
                {"id": "a", "metric": {**metric, "metric_name": "Errors", "period": periods[0]}},
                {"id": "b", "metric": {**metric, "metric_name": "Invocations", "period": periods[1]}},
                {"id": "result", "expression": expression, "return_data": True},
            ],
        }

    with pytest.raises(ValueError, match="different periods"):
        MetricAlarm(alarm((300, 3600), "a / b"))
    with pytest.raises(ValueError, match="CloudWatch allows 86400"):
        MetricAlarm(alarm((300, 300), "a / b", evaluation_periods=289))
    windows = Windows(
        {MetricKey.of("AWS/Lambda", "Errors", {}): [1.0], MetricKey.of("AWS/Lambda", "Invocations", {}): [2.0]}
    )
    with pytest.raises(ValueError, match="single time series"):
        MetricAlarm(alarm((60, 60), "MAX(a)")).value(windows, 0)
    assert MetricAlarm(alarm((60, 60), "MAX([a, b / 0])")).value(windows, 0) == 1.0


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_tier_notifies_its_severitys_topic_and_its_windows_notify_nobody(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    alerts, tickets = _topic(stack, "alerts_topic"), _topic(stack, "tickets_topic")
    composites = resources(stack, "aws_cloudwatch_composite_alarm")
    alarms = resources(stack, "aws_cloudwatch_metric_alarm")
    functions = {
        load_environment(env).context.id(key)
        for key, settings in load_environment(env).lambda_service.functions.items()
        if settings.critical
    }
    named: dict[str, str] = {}
    for body in composites.values():
        for child in CompositeAlarm(body).children():
            named.setdefault(child, body["alarm_name"])
    page = next(b for b in composites.values() if b["alarm_name"] == f"matbakh-{env}-api-slo-page")
    assert (page["alarm_actions"], page["ok_actions"]) == ([alerts], [alerts])
    ticket = next((b for b in composites.values() if b["alarm_name"] == f"matbakh-{env}-api-slo-ticket"), None)
    assert (ticket is not None) == any(label.startswith("ticket") for label in TIERS[env])
    if ticket is not None:
        assert (ticket["alarm_actions"], ticket["ok_actions"]) == ([tickets], [tickets])
    for function in functions:
        windows = {a: b for a, b in alarms.items() if b["alarm_name"].startswith(f"{function}-burn-")}
        assert len(windows) == 2 * len(TIERS[env])
        for address, body in windows.items():
            assert "alarm_actions" not in body and "ok_actions" not in body, address
            severity = "page" if "-burn-page-" in body["alarm_name"] else "ticket"
            assert named[f"aws_cloudwatch_metric_alarm.{address}"] == f"matbakh-{env}-api-slo-{severity}"
    degraded = next(b for b in composites.values() if b["alarm_name"] == f"matbakh-{env}-api-service-degraded")
    watched = {
        (composites if kind == "aws_cloudwatch_composite_alarm" else alarms)[address]["alarm_name"]
        for kind, address in (child.split(".") for child in CompositeAlarm(degraded).children())
    }
    assert watched == {f"{f}-latency-p95" for f in functions} | {f"matbakh-{env}-api-slo-page"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_ticket_topic_is_encrypted_tagged_and_subscribed_like_the_alert_topic(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    topics = resources(stack, "aws_sns_topic")
    (alerts,) = [b for a, b in topics.items() if a.startswith("alerts_topic")]
    (tickets,) = [b for a, b in topics.items() if a.startswith("tickets_topic")]
    assert tickets["name"] == f"matbakh-{env}-api-tickets"
    assert tickets["kms_master_key_id"] == alerts["kms_master_key_id"]
    assert tickets["tags"] == alerts["tags"]
    subscriptions = resources(stack, "aws_sns_topic_subscription").values()
    by_topic: dict[str, set[str]] = {}
    for body in subscriptions:
        by_topic.setdefault(body["topic_arn"], set()).add(body["endpoint"])
    assert by_topic.get(_topic(stack, "tickets_topic"), set()) == by_topic.get(_topic(stack, "alerts_topic"), set())
