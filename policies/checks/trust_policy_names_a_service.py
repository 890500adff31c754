"""Ensure every role trusts a named AWS service or exactly named OIDC subjects and audience, never anyone."""

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
            if isinstance(principal, dict) and set(principal) == {"Federated"}:
                problem = _oidc_problem(statement)
                if problem is None:
                    continue
                self.details.append(f"the role trusts {principal['Federated']!r} {problem}")
                return CheckResult.FAILED
            self.details.append(f"the role trusts {principal!r}: trust a service principal (or an OIDC subject)")
            return CheckResult.FAILED
        return CheckResult.PASSED


def _oidc_problem(statement: dict[str, Any]) -> str | None:
    """An OIDC trust must pin the audience and the subject (repository and branch or environment)
    exactly, with `StringEquals`: a `StringLike` or wildcard subject admits every workflow that
    matches it, pull requests of forks included."""
    conditions = statement.get("Condition", {})
    exact = conditions.get("StringEquals", {})
    if not any(key.endswith(":aud") for key in exact):
        return "without an audience (`aud`) pinned by StringEquals"
    subjects = [value for key, values in exact.items() if key.endswith(":sub") for value in as_list(values)]
    loose = [
        key
        for operator, block in conditions.items()
        if operator != "StringEquals"
        for key in block
        if key.endswith(":sub")
    ]
    if loose:
        return "with a subject (`sub`) matched by another operator than StringEquals: pin each subject exactly"
    if not subjects:
        return "without a subject (`sub`) pinned by StringEquals: it would trust every repository"
    if any("*" in str(s) or "?" in str(s) for s in subjects):
        return "with a wildcard in its subject (`sub`): pin each subject exactly"
    return None


check = TrustPolicyNamesAService()
