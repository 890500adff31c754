"""Ensure a policy may create or change roles only under the environment's permissions boundary."""

from __future__ import annotations

import fnmatch
from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iam_support import PERMISSION_DOCUMENTS, POLICY_RESOURCES, actions_of, judge_allow_statements

# The gate requires a result of this check wherever one of these attributes holds a document:
# a document the check cannot read (UNKNOWN) fails the gate (cli/gate_coverage.py).
DOCUMENT_ATTRIBUTES = PERMISSION_DOCUMENTS

# What gives a role permissions: each supports the `iam:PermissionsBoundary` condition key.
BOUNDED_ACTIONS = frozenset(
    {
        "iam:createrole",
        "iam:putrolepolicy",
        "iam:attachrolepolicy",
        "iam:putrolepermissionsboundary",
        "iam:deleterolepolicy",
        "iam:detachrolepolicy",
    }
)
# Takes the boundary away: never allowed.
UNBOUNDING_ACTIONS = frozenset({"iam:deleterolepermissionsboundary"})
BOUNDARY_KEY = "iam:permissionsboundary"


class RoleWritesNeedTheBoundary(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure a policy may create or change roles only under the environment's permissions boundary",
            id="CKV_MBK_17",
            categories=[CheckCategories.IAM],
            supported_resources=POLICY_RESOURCES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        return judge_allow_statements(conf, self.details, _problem)


def _covered(pattern: str, actions: frozenset[str]) -> list[str]:
    return sorted(a for a in actions if fnmatch.fnmatchcase(a, pattern.lower()))


def _problem(statement: dict[str, Any]) -> str | None:
    actions = [a.lower() for a in actions_of(statement)]
    unbounding = sorted({a for p in actions for a in _covered(p, UNBOUNDING_ACTIONS)})
    if unbounding:
        return f"{', '.join(unbounding)} removes a role's permissions boundary: allow it nowhere"
    writes = sorted({a for p in actions for a in _covered(p, BOUNDED_ACTIONS)})
    if not writes:
        return None
    pinned = statement.get("Condition", {}).get("StringEquals", {})
    if any(key.lower() == BOUNDARY_KEY and value for key, value in pinned.items()):
        return None
    return (
        f"{', '.join(writes)} without a StringEquals iam:PermissionsBoundary condition lets the holder make "
        "a role with any permission (and use it): require the environment's boundary"
    )


check = RoleWritesNeedTheBoundary()
