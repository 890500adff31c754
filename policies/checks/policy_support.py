"""What our checks share: the caps file, the environment of a resource, unresolved values.

checkov executes every file of this folder as a top-level module, with the folder on
`sys.path`, so checks import this module as `policy_support`. It never imports our
`modules/`: checks read Terraform JSON only, as checkov does in CI.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import yaml

CAPS_FILE = Path(__file__).resolve().parent.parent / "caps.yaml"
_REFERENCE = re.compile(r"\$\{")


@functools.cache
def caps() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(CAPS_FILE.read_text(encoding="utf-8"))
    return data


def first(value: Any) -> Any:
    """checkov wraps every HCL/JSON value in a one-element list; unwrap it."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def is_unresolved(value: Any) -> bool:
    """A `${…}` reference that only Terraform can resolve: the check cannot judge it."""
    return isinstance(value, str) and bool(_REFERENCE.search(value))


def environment_of(conf: dict[str, Any]) -> str | None:
    tags = first(conf.get("tags")) or {}
    environment = tags.get("Environment") if isinstance(tags, dict) else None
    return str(first(environment)) if environment is not None else None


def environment_caps(conf: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    """The environment named by the resource's tags and its caps (None when not listed)."""
    environment = environment_of(conf)
    listed: dict[str, Any] = caps()["environments"]
    return environment, listed.get(environment or "")


def policy_statements(document: Any) -> list[dict[str, Any]] | None:
    """Statements of a policy given as a JSON string or a parsed object; None if unresolvable."""
    document = first(document)
    if isinstance(document, str):
        if is_unresolved(document) and not document.lstrip().startswith("{"):
            return None
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return None
    if not isinstance(document, dict):
        return None
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def judge_against_cap(details: list[str], conf: dict[str, Any], value: Any, cap_key: str, what: str) -> Any:
    """PASSED when `value` ≤ the environment's `cap_key` (or is in it, for a list of allowed values).

    FAILED names the value, the environment and the cap in `details`; UNKNOWN for a `${…}` value.
    """
    from checkov.common.models.enums import CheckResult

    value = first(value)
    if is_unresolved(value):
        return CheckResult.UNKNOWN
    environment, environment_limits = environment_caps(conf)
    if environment_limits is None:
        details.append(f"no caps for environment {environment!r} (Environment tag) in policies/caps.yaml")
        return CheckResult.FAILED
    cap = environment_limits[cap_key]
    if value is None:
        details.append(f"{what} is not set; {environment}'s cap {cap_key} is {cap}")
        return CheckResult.FAILED
    within = value in cap if isinstance(cap, list) else float(value) <= float(cap)
    if not within:
        relation = "is not one of" if isinstance(cap, list) else "exceeds"
        shown = value if isinstance(cap, list) else f"{float(value):.6g}"
        details.append(f"{what} {shown} {relation} {environment}'s cap {cap_key} = {cap} (policies/caps.yaml)")
        return CheckResult.FAILED
    return CheckResult.PASSED


def judge_scalable_target_max(details: list[str], conf: dict[str, Any], dimension: str, cap_key: str, what: str) -> Any:
    """Judge `max_capacity` of an Application Auto Scaling target of `dimension`; others pass."""
    from checkov.common.models.enums import CheckResult

    if first(conf.get("scalable_dimension")) != dimension:
        return CheckResult.PASSED  # another kind of scalable target
    return judge_against_cap(details, conf, conf.get("max_capacity"), cap_key, what)
