"""Ensure no IAM policy allows every action, or every action of a service."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iam_support import PERMISSION_DOCUMENTS, POLICY_RESOURCES, actions_of, judge_allow_statements

# The gate requires a result of this check wherever one of these attributes holds a document:
# a document the check cannot read (UNKNOWN) fails the gate (cli/gate_coverage.py).
DOCUMENT_ATTRIBUTES = PERMISSION_DOCUMENTS


class NoWildcardActions(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure no IAM policy allows every action, or every action of a service",
            id="CKV_MBK_9",
            categories=[CheckCategories.IAM],
            supported_resources=POLICY_RESOURCES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        return judge_allow_statements(conf, self.details, _problem)


def _problem(statement: dict[str, Any]) -> str | None:
    if "NotAction" in statement:
        return "an Allow statement with NotAction grants everything else"
    wildcards = [a for a in actions_of(statement) if a == "*" or a.endswith(":*")]
    return f"Allow of {', '.join(wildcards)}: name the actions instead" if wildcards else None


check = NoWildcardActions()
