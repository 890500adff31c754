"""A small evaluator of synthesized CloudWatch alarms over synthetic per-minute series, for tests.

It reads what Terraform would send to CloudWatch (`aws_cloudwatch_metric_alarm` and
`aws_cloudwatch_composite_alarm` bodies of a synthesized stack): each metric query's metric,
dimensions, statistic and period, the math expressions, the threshold, comparison, evaluation
periods, datapoints to alarm and missing-data treatment, and the composite rules. Nothing comes
from the Python code that wrote them, so a wrong synthesized alarm gives a wrong answer.

As CloudWatch evaluates an alarm with the default sliding window: every minute, each metric's
statistic over the period ending at that minute (`Sum` only; a period without datapoints is
missing); math over those values: `+ - * /`, numbers, ids, `FILL(x, v)` and `MAX([a, b, …])`
(per timestamp; a missing value is skipped, all missing is missing); division by zero is missing.
Anything else is an error, never a guess. Comparisons at a boundary allow a relative 1e-9 (the
test series are chosen at exact multiples of a budget). Composite rules: `ALARM(…)`, `OK(…)`,
`AND`, `OR`, `NOT`, parentheses, `TRUE`, `FALSE`, the alarms named by Terraform references.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Value = float | None
Series = Sequence[float | None]
"""One value per minute; None: no datapoint that minute."""
EPSILON = 1e-9


@dataclass(frozen=True)
class MetricKey:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, namespace: str, name: str, dimensions: Mapping[str, str]) -> MetricKey:
        return cls(namespace, name, tuple(sorted(dimensions.items())))


class Windows:
    """Per-minute series with prefix sums: the `Sum` over any window in constant time."""

    def __init__(self, series: Mapping[MetricKey, Series]) -> None:
        self._sums: dict[MetricKey, tuple[list[float], list[int]]] = {}
        self.minutes = len(next(iter(series.values()))) if series else 0
        for key, values in series.items():
            assert len(values) == self.minutes, f"{key}: every series needs {self.minutes} minutes"
            total, count, sums, counts = 0.0, 0, [0.0], [0]
            for value in values:
                if value is not None:
                    total, count = total + value, count + 1
                sums.append(total)
                counts.append(count)
            self._sums[key] = (sums, counts)

    def holds(self, key: MetricKey) -> bool:
        """Whether `key` has a series here (one without is missing at every minute)."""
        return key in self._sums

    def sum(self, key: MetricKey, end_minute: int, minutes: int) -> Value:
        """The Sum of the datapoints of minutes (end − minutes, end]; None if there are none."""
        if key not in self._sums:
            return None
        sums, counts = self._sums[key]
        start = max(0, end_minute + 1 - minutes)
        if counts[end_minute + 1] == counts[start]:
            return None
        return sums[end_minute + 1] - sums[start]


_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(.))")


def _tokens(text: str) -> list[str]:
    found = []
    for number, name, other in _TOKEN.findall(text):
        token = number or name or other
        if token.strip():
            found.append(token)
    return found


Node = Callable[[Mapping[str, Any]], Any]


class _Parser:
    """Recursive descent over a metric-math expression into a closure over the query values."""

    def __init__(self, text: str) -> None:
        self.text, self.tokens, self.at = text, _tokens(text), 0

    def parse(self) -> Node:
        node = self._sum()
        if self.at != len(self.tokens):
            raise ValueError(f"{self.text!r}: unexpected {self.tokens[self.at]!r}")
        return node

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> str:
        token = self._peek()
        if token is None or (expected is not None and token != expected):
            raise ValueError(f"{self.text!r}: expected {expected or 'more'}, found {token!r}")
        self.at += 1
        return token

    def _sum(self) -> Node:
        node = self._product()
        while self._peek() in ("+", "-"):
            operator, right, left = self._take(), self._product(), node
            node = _binary(operator, left, right)
        return node

    def _product(self) -> Node:
        node = self._unary()
        while self._peek() in ("*", "/"):
            operator, right, left = self._take(), self._unary(), node
            node = _binary(operator, left, right)
        return node

    def _unary(self) -> Node:
        if self._peek() == "-":
            self._take()
            inner = self._unary()
            return _binary("-", lambda _values: 0.0, inner)
        return self._atom()

    def _atom(self) -> Node:
        token = self._take()
        if token == "(":
            node = self._sum()
            self._take(")")
            return node
        if token == "[":
            items = [self._sum()]
            while self._peek() == ",":
                self._take()
                items.append(self._sum())
            self._take("]")
            return lambda values: [item(values) for item in items]
        if re.fullmatch(r"\d+(?:\.\d+)?", token):
            number = float(token)
            return lambda _values: number
        if self._peek() == "(":
            self._take("(")
            arguments = [self._sum()]
            while self._peek() == ",":
                self._take()
                arguments.append(self._sum())
            self._take(")")
            return _function(self.text, token, arguments)
        if not re.fullmatch(r"[a-z][A-Za-z0-9_]*", token):
            raise ValueError(f"{self.text!r}: {token!r} is no query id")
        return lambda values: values[token]


def _binary(operator: str, left: Node, right: Node) -> Node:
    def apply(values: Mapping[str, Any]) -> Value:
        a, b = left(values), right(values)
        if isinstance(a, list) or isinstance(b, list):
            raise ValueError("arithmetic on an array of time series is not supported here")
        if a is None or b is None:
            return None
        if operator == "+":
            return float(a + b)
        if operator == "-":
            return float(a - b)
        if operator == "*":
            return float(a * b)
        return None if b == 0 else float(a / b)

    return apply


def _function(text: str, name: str, arguments: list[Node]) -> Node:
    if name == "FILL" and len(arguments) == 2:
        series, fill = arguments

        def filled(values: Mapping[str, Any]) -> Value:
            value: Value = series(values)
            replacement: Value = fill(values)
            return replacement if value is None else value

        return filled
    if name == "MAX" and len(arguments) == 1:
        (array,) = arguments

        def highest(values: Mapping[str, Any]) -> Value:
            items = array(values)
            if not isinstance(items, list):
                # MAX of one time series is a scalar over the whole range, not a per-timestamp value.
                raise ValueError(f"{text!r}: MAX of a single time series is not a per-minute burn rate")
            present = [item for item in items if item is not None]
            return max(present) if present else None

        return highest
    raise ValueError(f"{text!r}: {name}() with {len(arguments)} argument(s) is not supported here")


COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda value, threshold: value > threshold + EPSILON * abs(threshold),
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold - EPSILON * abs(threshold),
    "LessThanThreshold": lambda value, threshold: value < threshold - EPSILON * abs(threshold),
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold + EPSILON * abs(threshold),
}


class MetricAlarm:
    """One synthesized metric alarm (metric math or a single `Sum` metric)."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        self.name: str = body["alarm_name"]
        self.threshold = float(body["threshold"])
        self.compare = COMPARISONS[body["comparison_operator"]]
        self.evaluation_periods = int(body["evaluation_periods"])
        self.datapoints_to_alarm = int(body.get("datapoints_to_alarm") or self.evaluation_periods)
        self.missing = body.get("treat_missing_data", "missing")
        self.metrics: dict[str, tuple[MetricKey, int]] = {}
        self.steps: list[tuple[str, Node]] = []
        self._without_series: list[Value] = []  # its value while none of its metrics has a datapoint
        self.result: str | None = None
        queries = body.get("metric_query") or []
        if not queries:
            if body.get("statistic") != "Sum":
                raise ValueError(f"{self.name}: only Sum is evaluated here, not {body.get('statistic')}")
            key = MetricKey.of(body["namespace"], body["metric_name"], body.get("dimensions") or {})
            self.metrics["m"], self.result = (key, self._minutes(int(body["period"]))), "m"
        for query in queries:
            if "metric" in query:
                metric = query["metric"]
                if metric["stat"] != "Sum":
                    raise ValueError(f"{self.name}: only Sum is evaluated here, not {metric['stat']}")
                key = MetricKey.of(metric["namespace"], metric["metric_name"], metric.get("dimensions") or {})
                self.metrics[query["id"]] = (key, self._minutes(int(metric["period"])))
            else:
                self.steps.append((query["id"], _Parser(query["expression"]).parse()))
            if query.get("return_data"):
                self.result = query["id"]
        if self.result is None:
            raise ValueError(f"{self.name}: no query returns data")
        periods = {minutes for _key, minutes in self.metrics.values()}
        if len(periods) != 1:
            raise ValueError(f"{self.name}: its metrics have different periods {sorted(periods)}")
        (self.period_minutes,) = periods
        seconds = self.period_minutes * 60 * self.evaluation_periods
        limit = 7 * 86400 if self.period_minutes >= 60 else 86400
        if seconds > limit:
            raise ValueError(f"{self.name}: Period × EvaluationPeriods is {seconds} s, CloudWatch allows {limit}")

    def _minutes(self, seconds: int) -> int:
        if seconds % 60:
            raise ValueError(f"{self.name}: a period of {seconds} s is no whole number of minutes")
        return seconds // 60

    def value(self, windows: Windows, minute: int) -> Value:
        """The value the alarm watches for the period ending at `minute`."""
        if not any(windows.holds(key) for key, _minutes in self.metrics.values()):
            # Every metric is missing at every minute, in any series: the value is one constant (of
            # another function's alarm in a composite's rule, say), computed once.
            if not self._without_series:
                self._without_series.append(self._evaluate(windows, minute))
            return self._without_series[0]
        return self._evaluate(windows, minute)

    def _evaluate(self, windows: Windows, minute: int) -> Value:
        values: dict[str, Any] = {
            query_id: windows.sum(key, minute, minutes) for query_id, (key, minutes) in self.metrics.items()
        }
        for step_id, node in self.steps:
            values[step_id] = node(values)
        result = values[self.result] if self.result else None
        if isinstance(result, list):
            raise ValueError(f"{self.name}: the returned expression is an array, not one time series")
        return result

    def in_alarm(self, windows: Windows, minute: int) -> bool:
        """ALARM at `minute`: enough of the latest evaluation periods breach (missing data as treated)."""
        breaching = 0
        for period in range(self.evaluation_periods):
            end = minute - period * self.period_minutes
            value = self.value(windows, end) if end >= 0 else None
            if value is None:
                breaching += self.missing == "breaching"
            elif self.compare(value, self.threshold):
                breaching += 1
        return breaching >= self.datapoints_to_alarm


_REFERENCE = re.compile(r"\$\{(aws_cloudwatch_(?:metric|composite)_alarm)\.([^.}]+)\.alarm_name\}")


_Rule = Callable[[Callable[[str], bool]], bool]
"""A composite rule: whether it is in ALARM, given whether each child alarm is."""


class CompositeAlarm:
    """One synthesized composite alarm; its rule names alarms by Terraform reference or by name."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        self.name: str = body["alarm_name"]
        self.rule: str = body["alarm_rule"]
        self.actions: list[str] = list(body.get("alarm_actions") or [])
        self.tokens: list[str] = re.findall(
            r'ALARM\("[^"]*"\)|OK\("[^"]*"\)|\(|\)|AND|OR|NOT|TRUE|FALSE|\S+', self.rule
        )
        self._rule = self._compile()

    def children(self) -> list[str]:
        """The alarms its rule names (references as `type.address`)."""
        return [_child(token) for token in self.tokens if token.startswith(("ALARM(", "OK("))]

    def in_alarm(self, state: Callable[[str], bool]) -> bool:
        """Its rule, given `state(child)`: whether a child alarm is in ALARM."""
        return self._rule(state)

    def _compile(self) -> _Rule:
        """The rule parsed once (`AND` over `OR`, `NOT` tightest) into a function of the children's states."""
        at = 0

        def peek() -> str | None:
            return self.tokens[at] if at < len(self.tokens) else None

        def take() -> str:
            nonlocal at
            at += 1
            return self.tokens[at - 1]

        def either() -> _Rule:
            parts = [both()]
            while peek() == "OR":
                take()
                parts.append(both())
            return parts[0] if len(parts) == 1 else lambda state: any([part(state) for part in parts])

        def both() -> _Rule:
            parts = [negated()]
            while peek() == "AND":
                take()
                parts.append(negated())
            return parts[0] if len(parts) == 1 else lambda state: all([part(state) for part in parts])

        def negated() -> _Rule:
            if peek() == "NOT":
                take()
                inner = negated()
                return lambda state: not inner(state)
            token = take()
            if token == "(":
                value = either()
                if take() != ")":
                    raise ValueError(f"{self.name}: unbalanced rule {self.rule!r}")
                return value
            if token in ("TRUE", "FALSE"):
                constant = token == "TRUE"
                return lambda _state: constant
            if token.startswith(("ALARM(", "OK(")):
                child, wanted = _child(token), token.startswith("ALARM(")
                return lambda state: state(child) is wanted
            raise ValueError(f"{self.name}: {token!r} in {self.rule!r} is not evaluated here")

        rule = either()
        if at != len(self.tokens):
            raise ValueError(f"{self.name}: unexpected {self.tokens[at]!r} in {self.rule!r}")
        return rule


def _child(token: str) -> str:
    inner = token[token.index('"') + 1 : -2]
    found = _REFERENCE.fullmatch(inner)
    return f"{found.group(1)}.{found.group(2)}" if found else inner


class _Alarms(Mapping[str, MetricAlarm]):
    """Metric alarms by `type.address`, each read when first used (the stack's other alarms, on
    statistics this evaluator does not know, are never read)."""

    def __init__(self, bodies: Mapping[str, Mapping[str, Any]]) -> None:
        self._bodies = {f"aws_cloudwatch_metric_alarm.{address}": body for address, body in bodies.items()}
        self._read: dict[str, MetricAlarm] = {}

    def __getitem__(self, address: str) -> MetricAlarm:
        if address not in self._read:
            self._read[address] = MetricAlarm(self._bodies[address])
        return self._read[address]

    def __contains__(self, address: object) -> bool:
        return address in self._bodies

    def __iter__(self) -> Iterator[str]:
        return iter(self._bodies)

    def __len__(self) -> int:
        return len(self._bodies)

    def name(self, address: str) -> str:
        return str(self._bodies[address]["alarm_name"])


class Stack:
    """The alarms of one synthesized stack, by `type.address`, evaluated over the same series."""

    def __init__(self, stack: Mapping[str, Any]) -> None:
        resources = stack.get("resource", {})
        self.metric_alarms = _Alarms(resources.get("aws_cloudwatch_metric_alarm", {}))
        self.composites = {
            f"aws_cloudwatch_composite_alarm.{address}": CompositeAlarm(body)
            for address, body in resources.get("aws_cloudwatch_composite_alarm", {}).items()
        }

    def states(self, windows: Windows, minute: int, addresses: Sequence[str]) -> dict[str, bool]:
        """Whether each of `addresses` (and what their rules name) is in ALARM at `minute`."""
        known: dict[str, bool] = {}

        def state(address: str) -> bool:
            if address not in known:
                if address in self.metric_alarms:
                    known[address] = self.metric_alarms[address].in_alarm(windows, minute)
                elif address in self.composites:
                    known[address] = self.composites[address].in_alarm(state)
                else:
                    raise ValueError(f"a composite rule names {address}, which is no alarm of the stack")
            return known[address]

        for address in addresses:
            state(address)
        return known
