"""The reviewer's diff: what a plan changes, resource by resource, deletions and replacements first.

`make plan` and `make bootstrap` print it after `terraform show -json`, so the CI job summary that
tees their output shows it too. Creations are listed by address only; updates and replacements
name each changed attribute with its old and new value (capped), the attributes that force a
replacement marked. Nothing secret is shown: a value Terraform marks sensitive
(`before_sensitive` / `after_sensitive`), a value under a secret attribute of cli/secret_scan.py,
and any text that contains one of those values read as `(sensitive)`; a value the apply decides
reads `(known after apply)`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cli import secret_scan

SENSITIVE = "(sensitive)"
UNKNOWN = "(known after apply)"
VALUE_CHARS = 60
"""A value longer than this (as printed) is cut, ending in `…`."""
ATTRIBUTE_LINES = 12
"""Changed attributes shown per resource; the rest are counted."""
_MIN_HIDDEN_CHARS = 6  # shorter sensitive strings ("true", "5432") would hide harmless text elsewhere

# (order, marker, label) of each kind of change: the destructive ones first, marked loudly.
_KINDS = {
    "delete": (0, "!!", "DELETE"),
    "replace": (1, "!!", "REPLACE"),
    "create": (2, "+ ", "create"),
    "update": (3, "~ ", "update"),
    "import": (4, "<=", "import"),
    "move": (5, "->", "move"),
    "forget": (6, "- ", "forget"),
}
_COUNTED = {"create": "to create", "update": "to update", "delete": "to delete", "replace": "to replace"}
_REASONS = {
    "replace_because_cannot_update": "cannot be updated in place",
    "replace_because_tainted": "tainted",
    "replace_by_request": "replacement requested",
    "replace_by_triggers": "replace_triggered_by",
    "delete_because_no_resource_config": "removed from the configuration",
    "delete_because_no_module": "its module was removed",
    "delete_because_wrong_repetition": "no longer repeated this way",
    "delete_because_count_index": "its count index is gone",
    "delete_because_each_key": "its for_each key is gone",
    "delete_because_no_move_target": "its moved target does not exist",
}
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class _Redaction:
    """What must not be printed: Terraform's sensitive marks, secret attribute names, secret values."""

    secret_keys: frozenset[str]
    hidden: frozenset[str]

    def hides(self, text: str) -> bool:
        return any(value in text for value in self.hidden)


def render(
    plan_json: Mapping[str, Any], *, value_chars: int = VALUE_CHARS, attribute_lines: int = ATTRIBUTE_LINES
) -> list[str]:
    """The diff's lines: one per changed resource (destructive ones first, each group in plan
    order), its attribute lines indented below it, then one count line; `["no changes"]` if none."""
    hidden = frozenset(_hidden_values(plan_json))
    entries: list[tuple[int, int, list[str]]] = []
    counts: Counter[str] = Counter()
    for position, change in enumerate(plan_json.get("resource_changes", []) or []):
        kind = _kind(change)
        if kind is None:
            continue
        counts[kind] += 1
        order, marker, label = _KINDS[kind]
        redaction = _Redaction(_secret_keys(change), hidden)
        lines = [f"{marker} {label:<7} {change['address']}{_note(change, kind)}"]
        if kind in ("update", "replace", "import"):
            lines += _attribute_lines(change, redaction, value_chars=value_chars, limit=attribute_lines)
        entries.append((order, position, lines))
    if not entries:
        return ["no changes"]
    lines = [line for _, _, group in sorted(entries, key=lambda entry: entry[:2]) for line in group]
    return [*lines, count_line(counts)]


def count_line(counts: Mapping[str, int]) -> str:
    """`3 to create, 1 to update, 0 to delete, 1 to replace` (and any imports, moves, forgets)."""
    parts = [f"{counts.get(kind, 0)} {words}" for kind, words in _COUNTED.items()]
    parts += [f"{counts[kind]} to {kind}" for kind in ("import", "move", "forget") if counts.get(kind)]
    return ", ".join(parts)


def _kind(change: Mapping[str, Any]) -> str | None:
    """What happens to the resource; `None` for nothing (no-op, or a data source read)."""
    if change.get("mode", "managed") != "managed":
        return None
    body = change.get("change", {})
    actions = list(body.get("actions", []))
    if "delete" in actions and "create" in actions:
        return "replace"
    if actions in (["delete"], ["create"], ["update"], ["forget"]):
        return str(actions[0])
    if actions == ["no-op"]:
        if body.get("importing"):
            return "import"
        if change.get("previous_address") and change["previous_address"] != change.get("address"):
            return "move"
    return None


def _note(change: Mapping[str, Any], kind: str) -> str:
    """Why, in parentheses: the action's reason, an import's id, a move's origin, a deposed object."""
    notes = []
    reason = str(change.get("action_reason") or "")
    if reason and not reason.startswith("read_"):
        notes.append(_REASONS.get(reason, reason.replace("_", " ")))
    if kind == "replace" and change["change"]["actions"][0] == "create":
        notes.append("the new one is created first")
    importing = change["change"].get("importing")
    if importing:
        notes.append(f"import id {importing.get('id', '?')}")
    previous = change.get("previous_address")
    if previous and previous != change.get("address"):
        notes.append(f"moved from {previous}")
    if change.get("deposed"):
        notes.append(f"deposed object {change['deposed']}")
    if kind == "forget":
        notes.append("removed from the state, not destroyed")
    return f" ({'; '.join(notes)})" if notes else ""


def _secret_keys(change: Mapping[str, Any]) -> frozenset[str]:
    return secret_scan.SECRET_ATTRIBUTES | secret_scan.SECRET_ATTRIBUTES_OF_TYPE.get(
        str(change.get("type")), frozenset()
    )


def _hidden_values(plan_json: Mapping[str, Any]) -> Iterator[str]:
    """Every secret string of the plan: under a secret attribute anywhere in it, or marked sensitive
    in a resource change; printed nowhere, not even inside another value."""
    yield from (
        value for _, value in secret_scan.find_secrets(dict(plan_json)) if len(value.strip()) >= _MIN_HIDDEN_CHARS
    )
    for change in plan_json.get("resource_changes", []) or []:
        body = change.get("change", {})
        for side in ("before", "after"):
            yield from _marked_strings(body.get(side), body.get(f"{side}_sensitive"), marked=False)


def _marked_strings(value: Any, sensitivity: Any, *, marked: bool) -> Iterator[str]:
    marked = marked or sensitivity is True
    if isinstance(value, str):
        if marked and len(value.strip()) >= _MIN_HIDDEN_CHARS:
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _marked_strings(item, _child(sensitivity, key), marked=marked)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _marked_strings(item, _child(sensitivity, index), marked=marked)


def _child(structure: Any, step: str | int) -> Any:
    """The part of a `*_sensitive` / `after_unknown` structure at one step (`True` covers all below)."""
    if structure is True:
        return True
    if isinstance(structure, dict) and isinstance(step, str):
        return structure.get(step)
    if isinstance(structure, list) and isinstance(step, int) and step < len(structure):
        return structure[step]
    return None


def _path(prefix: str, step: str | int) -> str:
    if isinstance(step, int):
        return f"{prefix}[{step}]"
    key = step if _PLAIN_KEY.fullmatch(step) else json.dumps(step)
    if not prefix:
        return key
    return f"{prefix}.{key}" if _PLAIN_KEY.fullmatch(step) else f"{prefix}[{key}]"


@dataclass(frozen=True)
class _Side:
    """One side of a change at one place: its value and whether it is sensitive (or, after, unknown)."""

    value: Any
    sensitive: Any
    unknown: Any = None

    def at(self, step: str | int) -> _Side:
        value = None
        if isinstance(self.value, dict) and isinstance(step, str):
            value = self.value.get(step)
        elif isinstance(self.value, list) and isinstance(step, int) and step < len(self.value):
            value = self.value[step]
        return _Side(value, _child(self.sensitive, step), _child(self.unknown, step))


def _attribute_lines(change: Mapping[str, Any], redaction: _Redaction, *, value_chars: int, limit: int) -> list[str]:
    body = change["change"]
    before = _Side(body.get("before"), body.get("before_sensitive"))
    after = _Side(body.get("after"), body.get("after_sensitive"), body.get("after_unknown"))
    forcing = [_path_of(steps) for steps in body.get("replace_paths", []) or []]
    ranked: list[tuple[int, int, str]] = []
    for path, old, new in _differences("", before, after, redaction, secret=False):
        shown = f"{path}: {_shown(old, redaction, value_chars)} → {_shown(new, redaction, value_chars)}"
        forces = any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in forcing)
        # What forces the replacement first, what the apply decides last: a cut loses the least.
        rank = 0 if forces else 2 if isinstance(new, _Hidden) and new.text == UNKNOWN else 1
        ranked.append((rank, len(ranked), f"     {shown}" + (" (forces replacement)" if forces else "")))
    found = [line for _, _, line in sorted(ranked)]
    if len(found) > limit:
        more = len(found) - limit
        found = [*found[:limit], f"     … and {more} more changed attribute{'' if more == 1 else 's'}"]
    return found


def _path_of(steps: list[str | int]) -> str:
    path = ""
    for step in steps:
        path = _path(path, step)
    return path


class _Hidden:
    """A value shown as a placeholder (sensitive, or not known before the apply)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _differences(
    path: str, before: _Side, after: _Side, redaction: _Redaction, *, secret: bool
) -> Iterator[tuple[str, Any, Any]]:
    """(path, old, new) of every leaf that differs; sensitive and unknown leaves as placeholders."""
    hidden_before, hidden_after = before.sensitive is True or secret, after.sensitive is True or secret
    if after.unknown is True:
        yield path, _Hidden(SENSITIVE) if hidden_before and before.value is not None else before.value, _Hidden(UNKNOWN)
        return
    if hidden_before or hidden_after:
        if before.value != after.value:
            old = _Hidden(SENSITIVE) if hidden_before and before.value is not None else before.value
            new = _Hidden(SENSITIVE) if hidden_after and after.value is not None else after.value
            yield path, old, new
        return
    old_value, new_value = _parsed(before.value), _parsed(after.value)
    # Inside a JSON document held in a string, Terraform's marks no longer apply (the string had none).
    old_side = _Side(old_value, None) if old_value is not before.value else before
    new_side = _Side(new_value, None) if new_value is not after.value else after
    if isinstance(old_value, dict) and isinstance(new_value, dict):
        for key in sorted(old_value.keys() | new_value.keys() | _unknown_keys(new_side.unknown)):
            yield from _differences(
                _path(path, key), old_side.at(key), new_side.at(key), redaction, secret=key in redaction.secret_keys
            )
        return
    if isinstance(old_value, list) and isinstance(new_value, list) and len(old_value) == len(new_value):
        for index in range(len(old_value)):
            yield from _differences(_path(path, index), old_side.at(index), new_side.at(index), redaction, secret=False)
        return
    if before.value != after.value:
        yield path, before.value, after.value


def _unknown_keys(unknown: Any) -> set[str]:
    return {key for key, value in unknown.items() if value} if isinstance(unknown, dict) else set()


def _parsed(value: Any) -> Any:
    """A JSON document held in a string (a policy) as its structure, to diff what it says."""
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _shown(value: Any, redaction: _Redaction, value_chars: int) -> str:
    if isinstance(value, _Hidden):
        return value.text
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    if redaction.hides(text):
        return SENSITIVE
    return text if len(text) <= value_chars else f"{text[: value_chars - 1]}…"
