"""Ensure every role trusts a named AWS service or a named OIDC subject, never anyone."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import as_list, policy_statements

# The gate requires a result of this check wherever one of these attributes holds a document:
# a document the check cannot read (UNKNOWN) fails the gate (cli/gate_coverage.py).
DOCUMENT_ATTRIBUTES = ("assume_role_policy",)


class TrustPolicyNamesAService(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure every role trusts a named AWS service or a named OIDC subject, never anyone",
            id="CKV_MBK_13",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_iam_role"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        statements = policy_statements(conf.get(DOCUMENT_ATTRIBUTES[0]))
        if statements is None:
            return CheckResult.UNKNOWN
        for statement in statements:
            if statement.get("Effect") != "Allow":
                continue
            principal = statement.get("Principal")
            if (
                isinstance(principal, dict)
                and set(principal) == {"Service"}
                and "*" not in as_list(principal["Service"])
            ):
                continue
            if isinstance(principal, dict) and set(principal) == {"Federated"} and _names_a_subject(statement):
                continue
            self.details.append(f"the role trusts {principal!r}: trust a service principal (or an OIDC subject)")
            return CheckResult.FAILED
        return CheckResult.PASSED


def _names_a_subject(statement: dict[str, Any]) -> bool:
    """An OIDC trust must pin the subject (repository, branch, environment), not the whole issuer."""
    conditions = statement.get("Condition", {})
    return any(key.endswith(":sub") for block in conditions.values() for key in block)


check = TrustPolicyNamesAService()
