"""A small IAM policy evaluator for tests: identity policies and a permissions boundary, for one request.

What a request is allowed to do, as AWS decides it within one account without resource policies,
SCPs or session policies: an explicit Deny in any policy wins; otherwise an identity policy must
Allow, and so must the boundary where there is one. A statement applies when its Action (or
NotAction) names the action, its Resource (or NotResource) the ARN, and every condition holds.

Conditions: `String(Not)Equals`, `String(Not)Like`, `Arn(Not)Equals`/`Arn(Not)Like`, `Null`, `Bool`,
each with `IfExists`, and the `ForAllValues:`/`ForAnyValue:` set operators. Negated operators hold
when the key is absent (as in IAM); keys are case-insensitive, values case-sensitive. Policy
variables (`${aws:username}`, …) are not supported: a value holding one is an error, never a guess.

Used by tests/synth/test_iam_isolation.py (the CI roles of two environments in one account), since
the emulator evaluates no conditions (see that file); unit tests in tests/support/test_iam_simulator.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

Document = Mapping[str, Any]
ContextValue = str | Sequence[str]


class Decision(Enum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitly denied"
    IMPLICIT_DENY = "not allowed"


@dataclass(frozen=True)
class Request:
    """One call: the action (`service:Name`), the resource's ARN and the request context."""

    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(document: Document | str) -> list[Mapping[str, Any]]:
    parsed = json.loads(document) if isinstance(document, str) else document
    return [dict(s) for s in _as_list(parsed["Statement"])]


def _glob(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    """IAM's wildcards: `*` any run of characters (`/` and `:` included), `?` one character."""
    if not case_sensitive:
        pattern, value = pattern.lower(), value.lower()
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _action_matches(pattern: str, action: str) -> bool:
    return _glob(pattern, action, case_sensitive=False)


def _arn_matches(pattern: str, arn: str) -> bool:
    """`*` alone matches everything; otherwise the six ARN fields match one by one (the last one
    spanning the rest: `role/a/b`, `log-group:x:log-stream:y`)."""
    if pattern == "*":
        return True
    parts, values = pattern.split(":", 5), arn.split(":", 5)
    if len(parts) != 6 or len(values) != 6:
        return pattern == arn
    return all(_glob(p, v, case_sensitive=True) for p, v in zip(parts, values, strict=True))


def _reject_variables(values: Iterable[str]) -> None:
    for value in values:
        if "${" in value:
            raise ValueError(f"policy variables are not supported by this simulator: {value!r}")


def _lookup(context: Mapping[str, ContextValue], key: str) -> list[str] | None:
    """The context's values for `key` (case-insensitive key), or None when absent."""
    for name, value in context.items():
        if name.lower() == key.lower():
            return [value] if isinstance(value, str) else list(value)
    return None


def _string_equals(pattern: str, value: str) -> bool:
    return pattern == value


def _string_like(pattern: str, value: str) -> bool:
    return _glob(pattern, value, case_sensitive=True)


_MATCHERS = {
    "StringEquals": _string_equals,
    "StringLike": _string_like,
    "ArnEquals": _arn_matches,
    "ArnLike": _arn_matches,
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _condition_holds(operator: str, key: str, expected: list[str], context: Mapping[str, ContextValue]) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    actual = _lookup(context, key)
    if base == "Null":
        (wanted,) = {str(e).lower() for e in expected}
        return (actual is None or actual == []) == (wanted == "true")
    if base == "Bool":
        if actual is None:
            return if_exists
        return any(a.lower() == str(e).lower() for a in actual for e in expected)
    negated = base in _NEGATED
    matcher = _MATCHERS.get(_NEGATED.get(base, base))
    if matcher is None:
        raise ValueError(f"condition operator {operator!r} is not supported by this simulator")
    _reject_variables(expected)

    def any_expected(value: str) -> bool:
        return any(matcher(pattern, value) for pattern in expected)

    if qualifier == "ForAllValues":  # every value in the request matches (true when there is none)
        if not actual:
            return True
        return all(any_expected(v) != negated for v in actual)
    if qualifier == "ForAnyValue":  # some value in the request matches (false when there is none)
        if not actual:
            return False
        return any(any_expected(v) != negated for v in actual)
    if qualifier:
        raise ValueError(f"condition qualifier {qualifier!r} is not supported by this simulator")
    if actual is None:
        return True if if_exists else negated
    if len(actual) != 1:
        raise ValueError(f"{key} has several values: use ForAnyValue or ForAllValues")
    return any_expected(actual[0]) != negated


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    if "Action" in statement:
        if not any(_action_matches(a, request.action) for a in _as_list(statement["Action"])):
            return False
    elif any(_action_matches(a, request.action) for a in _as_list(statement["NotAction"])):
        return False
    if "Resource" in statement:
        patterns = [str(r) for r in _as_list(statement["Resource"])]
        _reject_variables(patterns)
        if not any(_arn_matches(r, request.resource) for r in patterns):
            return False
    elif "NotResource" in statement and any(
        _arn_matches(str(r), request.resource) for r in _as_list(statement["NotResource"])
    ):
        return False
    for operator, keys in statement.get("Condition", {}).items():
        for key, expected in keys.items():
            if not _condition_holds(operator, key, [str(e) for e in _as_list(expected)], request.context):
                return False
    return True


def _effects(documents: Iterable[Document | str], request: Request) -> set[str]:
    return {s["Effect"] for d in documents for s in _statements(d) if _applies(s, request)}


def evaluate(
    identity: Iterable[Document | str], request: Request, *, boundary: Document | str | None = None
) -> Decision:
    """What IAM decides for `request` made by a principal with these identity policies and boundary."""
    identity = list(identity)
    effects = _effects(identity, request)
    bounded = _effects([boundary], request) if boundary is not None else {"Allow"}
    if "Deny" in effects or "Deny" in bounded:
        return Decision.EXPLICIT_DENY
    if "Allow" in effects and "Allow" in bounded:
        return Decision.ALLOWED
    return Decision.IMPLICIT_DENY
