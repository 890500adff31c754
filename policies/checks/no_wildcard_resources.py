"""Ensure no IAM policy allows an action on every resource unless AWS offers no narrower one."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iam_support import (
    PERMISSION_DOCUMENTS,
    POLICY_RESOURCES,
    actions_of,
    judge_allow_statements,
    resources_of,
    unscoped_actions,
)

# The gate requires a result of this check wherever one of these attributes holds a document:
# a document the check cannot read (UNKNOWN) fails the gate (cli/gate_coverage.py).
DOCUMENT_ATTRIBUTES = PERMISSION_DOCUMENTS


class NoWildcardResources(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure no IAM policy allows an action on every resource unless AWS offers no narrower one",
            id="CKV_MBK_10",
            categories=[CheckCategories.IAM],
            supported_resources=POLICY_RESOURCES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        return judge_allow_statements(conf, self.details, _problem)


def _problem(statement: dict[str, Any]) -> str | None:
    if "*" not in resources_of(statement) and "NotResource" not in statement:
        return None
    allowed = unscoped_actions()
    scoped = [a for a in actions_of(statement) if a.lower() not in allowed]
    if not scoped:
        return None
    return (
        f"{', '.join(scoped)} on every resource: scope it, or list it with a reason in "
        "policies/unscoped_actions.yaml if AWS offers no narrower resource"
    )


check = NoWildcardResources()
