"""Ensure iam:PassRole is never allowed on every role."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iam_support import PERMISSION_DOCUMENTS, POLICY_RESOURCES, actions_of, judge_allow_statements, resources_of

# The gate requires a result of this check wherever one of these attributes holds a document:
# a document the check cannot read (UNKNOWN) fails the gate (cli/gate_coverage.py).
DOCUMENT_ATTRIBUTES = PERMISSION_DOCUMENTS


class NoPassRoleOnAnyRole(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure iam:PassRole is never allowed on every role",
            id="CKV_MBK_11",
            categories=[CheckCategories.IAM],
            supported_resources=POLICY_RESOURCES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        return judge_allow_statements(conf, self.details, _problem)


def _problem(statement: dict[str, Any]) -> str | None:
    passes_roles = any(a.lower() in {"iam:passrole", "iam:*", "*"} for a in actions_of(statement))
    if passes_roles and any(r == "*" or r.endswith(":role/*") for r in resources_of(statement)):
        return "iam:PassRole on any role lets the holder hand itself any permission"
    return None


check = NoPassRoleOnAnyRole()
