"""Ensure no IAM policy allows every action, or every action of a service."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iam_support import POLICY_RESOURCES, actions_of, allow_statements


class NoWildcardActions(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure no IAM policy allows every action, or every action of a service",
            id="CKV_MBK_9",
            categories=[CheckCategories.IAM],
            supported_resources=POLICY_RESOURCES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        judged = False
        for statement in allow_statements(conf):
            if statement is None:
                return CheckResult.UNKNOWN
            judged = True
            if "NotAction" in statement:
                self.details.append("an Allow statement with NotAction grants everything else")
                return CheckResult.FAILED
            wildcards = [a for a in actions_of(statement) if a == "*" or a.endswith(":*")]
            if wildcards:
                self.details.append(f"Allow of {', '.join(wildcards)}: name the actions instead")
                return CheckResult.FAILED
        return CheckResult.PASSED if judged else CheckResult.UNKNOWN


check = NoWildcardActions()
