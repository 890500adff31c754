"""Ensure no role, user or group gets an administrator policy."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import as_list, first, is_unresolved

ADMIN_POLICIES = {"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"}


class NoAdminPolicyAttached(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure no role, user or group gets an administrator policy",
            id="CKV_MBK_12",
            categories=[CheckCategories.IAM],
            supported_resources=[
                "aws_iam_role_policy_attachment",
                "aws_iam_policy_attachment",
                "aws_iam_user_policy_attachment",
                "aws_iam_group_policy_attachment",
                "aws_iam_role",
            ],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        arns = [first(conf.get("policy_arn")), *as_list(first(conf.get("managed_policy_arns")) or [])]
        arns = [arn for arn in arns if arn is not None]
        if any(is_unresolved(arn) for arn in arns):
            return CheckResult.UNKNOWN
        admin = [arn for arn in arns if str(arn).rsplit("/", 1)[-1] in ADMIN_POLICIES]
        if admin:
            self.details.append(f"{admin[0]} grants far more than any service here needs")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = NoAdminPolicyAttached()
