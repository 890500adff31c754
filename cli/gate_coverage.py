"""What the gate expects checkov to have judged: our custom checks, and every IAM document.

checkov drops a custom check that fails to import (it only logs it), and leaves out of its
report every result that is UNKNOWN: an IAM document our checks cannot read would pass
unseen. So the gate reads the checks' declarations from `policies/checks/` without importing
them (checkov's imports are not ours) and the scanned resources from the scanned JSON, and
asks for
* a result of each custom check whose resource types the scan holds (terraform_json scans:
  in a plan, values known only after apply are absent, so a check may rightly judge nothing), and
* a result of each IAM document check (those that declare `DOCUMENT_ATTRIBUTES`) on every
  resource of its types where one of those attributes holds a document; a missing one was UNKNOWN.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_CHECK_ID = re.compile(r"CKV2?_MBK_\d+")
_NOT_CHECKS = ("__init__.py",)


@dataclass(frozen=True)
class CustomCheck:
    """One check of `policies/checks/`, as its file declares it."""

    id: str
    source: str
    resource_types: frozenset[str]
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scanned:
    """A resource of a scanned file: its address (`type.name`, or the plan's address) and values."""

    file: Path
    address: str
    type: str
    values: dict[str, Any]


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
    return found


def _strings(node: ast.expr | None, local: dict[str, ast.expr], shared: dict[str, ast.expr]) -> tuple[str, ...]:
    """A literal list/tuple of strings, or a module constant (of this file or a support module)."""
    if node is None:
        return ()
    if isinstance(node, ast.Name):
        target = local.get(node.id, shared.get(node.id))
        return _strings(target, {}, shared) if target is not None and target is not node else ()
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return ()
    return tuple(str(item) for item in value) if isinstance(value, (list, tuple, set, frozenset)) else ()


def _keyword(tree: ast.Module, name: str) -> Iterator[ast.expr]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield from (keyword.value for keyword in node.keywords if keyword.arg == name)


def _yaml_resource_types(definition: Any) -> set[str]:
    if isinstance(definition, dict):
        found = {str(t) for t in definition.get("resource_types", []) or []}
        for key, value in definition.items():
            if key in ("and", "or"):
                found.update(*(_yaml_resource_types(item) for item in value or []))
        return found
    return set()


def custom_checks(directory: Path) -> tuple[dict[str, CustomCheck], list[str]]:
    """The checks declared in `directory` by id, and the files that declare none or cannot be read."""
    problems: list[str] = []
    trees: dict[Path, ast.Module] = {}
    for path in sorted(directory.glob("*.py")):
        if path.name in _NOT_CHECKS:
            continue
        try:
            trees[path] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as error:
            problems.append(f"{directory.name}/{path.name}: cannot be imported: SyntaxError line {error.lineno}")
    shared: dict[str, ast.expr] = {}
    for tree in trees.values():
        shared.update(_constants(tree))
    checks: dict[str, CustomCheck] = {}
    for path, tree in trees.items():
        ids = [n.value for n in _keyword(tree, "id") if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        ids = [value for value in ids if _CHECK_ID.fullmatch(value)]
        if not ids:
            if not path.stem.endswith("_support"):
                problems.append(f'{directory.name}/{path.name}: declares no check id (id="CKV_MBK_…")')
            continue
        local = _constants(tree)
        types = frozenset(t for node in _keyword(tree, "supported_resources") for t in _strings(node, local, shared))
        documents = _strings(local.get("DOCUMENT_ATTRIBUTES"), local, shared)
        checks[ids[0]] = CustomCheck(ids[0], path.name, types, documents)
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        check_id = str((data.get("metadata") or {}).get("id", ""))
        if not _CHECK_ID.fullmatch(check_id):
            problems.append(f"{directory.name}/{path.name}: declares no check id (metadata.id)")
            continue
        checks[check_id] = CustomCheck(check_id, path.name, frozenset(_yaml_resource_types(data.get("definition"))))
    return checks, problems


def _plan_resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", []) or []
    for child in module.get("child_modules", []) or []:
        yield from _plan_resources(child)


def scanned_resources(file: Path, document: dict[str, Any]) -> list[Scanned]:
    """The managed resources of a synthesized stack (`resource`) or of a plan (`planned_values`)."""
    found: list[Scanned] = []
    for kind, instances in (document.get("resource") or {}).items():
        for name, values in (instances or {}).items():
            found.append(Scanned(file, f"{kind}.{name}", kind, values if isinstance(values, dict) else {}))
    root = (document.get("planned_values") or {}).get("root_module") or {}
    for resource in _plan_resources(root):
        if resource.get("mode", "managed") == "managed":
            values = resource.get("values")
            found.append(Scanned(file, str(resource["address"]), str(resource["type"]), values or {}))
    return found


def holds_document(value: Any) -> bool:
    """Whether an attribute's value holds a policy document (inline_policy: a block with `policy`)."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return holds_document(value["policy"]) if "policy" in value else bool(value)
    if isinstance(value, list):
        return any(holds_document(item) for item in value)
    return False
