"""Ensure every role trusts a named AWS service or exactly named OIDC subjects and audience, never anyone."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import as_list, is_unresolved, policy_statements

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
                claims = _claim_conditions(statement.get("Condition") or {})
                if any(is_unresolved(value) for _, _, values in claims for value in values):
                    return CheckResult.UNKNOWN  # a value only Terraform resolves may be a wildcard
                problem = _oidc_problem(claims)
                if problem is None:
                    continue
                self.details.append(f"the role trusts {principal['Federated']!r} {problem}")
                return CheckResult.FAILED
            self.details.append(f"the role trusts {principal!r}: trust a service principal (or an OIDC subject)")
            return CheckResult.FAILED
        return CheckResult.PASSED


def _claim_conditions(conditions: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(operator, claim, values) of each condition on a token's audience or subject (`<issuer>:aud`,
    `<issuer>:sub`)."""
    found = []
    for operator, block in conditions.items():
        if not isinstance(block, dict):
            continue
        for key, values in block.items():
            claim = str(key).rsplit(":", 1)[-1].lower()
            if ":" in str(key) and claim in ("aud", "sub"):
                found.append((str(operator), claim, [str(v) for v in as_list(values)]))
    return found


def _oidc_problem(claims: list[tuple[str, str, list[str]]]) -> str | None:
    """An OIDC trust must pin the audience and every subject exactly, by plain `StringEquals` alone:
    any other operator can match what nobody meant (`StringLike` a wildcard, `ForAnyValue:`/
    `ForAllValues:` a token without the claim), and a wildcard subject admits every workflow that
    matches it, pull requests of forks included. Which workflow a GitHub subject names is CKV_MBK_18's."""
    pinned: dict[str, list[str]] = {"aud": [], "sub": []}
    for operator, claim, values in claims:
        if operator != "StringEquals":
            return f"with its `{claim}` matched by {operator}: pin each value with StringEquals"
        pinned[claim] += values
    if not pinned["aud"]:
        return "without an audience (`aud`) pinned by StringEquals"
    if not pinned["sub"]:
        return "without a subject (`sub`) pinned by StringEquals: it would trust every repository"
    if any("*" in value or "?" in value for value in pinned["aud"] + pinned["sub"]):
        return "with a wildcard in its audience or subject: pin each value exactly"
    return None


check = TrustPolicyNamesAService()
