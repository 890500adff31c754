"""Ensure iam:PassRole is never allowed on every role."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iam_support import POLICY_RESOURCES, actions_of, allow_statements, resources_of


class NoPassRoleOnAnyRole(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure iam:PassRole is never allowed on every role",
            id="CKV_MBK_11",
            categories=[CheckCategories.IAM],
            supported_resources=POLICY_RESOURCES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        judged = False
        for statement in allow_statements(conf):
            if statement is None:
                return CheckResult.UNKNOWN
            judged = True
            passes_roles = any(a.lower() in {"iam:passrole", "iam:*", "*"} for a in actions_of(statement))
            if passes_roles and any(r == "*" or r.endswith(":role/*") for r in resources_of(statement)):
                self.details.append("iam:PassRole on any role lets the holder hand itself any permission")
                return CheckResult.FAILED
        return CheckResult.PASSED if judged else CheckResult.UNKNOWN


check = NoPassRoleOnAnyRole()
