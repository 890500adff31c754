"""Ensure no IAM policy allows an action on every resource unless AWS offers no narrower one."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iam_support import POLICY_RESOURCES, actions_of, allow_statements, resources_of, unscoped_actions


class NoWildcardResources(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure no IAM policy allows an action on every resource unless AWS offers no narrower one",
            id="CKV_MBK_10",
            categories=[CheckCategories.IAM],
            supported_resources=POLICY_RESOURCES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        allowed = unscoped_actions()
        judged = False
        for statement in allow_statements(conf):
            if statement is None:
                return CheckResult.UNKNOWN
            judged = True
            if "*" not in resources_of(statement) and "NotResource" not in statement:
                continue
            scoped = [a for a in actions_of(statement) if a.lower() not in allowed]
            if scoped:
                self.details.append(
                    f"{', '.join(scoped)} on every resource: scope it, or list it with a reason in "
                    "policies/unscoped_actions.yaml if AWS offers no narrower resource"
                )
                return CheckResult.FAILED
        return CheckResult.PASSED if judged else CheckResult.UNKNOWN


check = NoWildcardResources()
