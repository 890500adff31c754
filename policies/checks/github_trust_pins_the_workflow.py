"""Ensure each subject a GitHub Actions trust names is one workflow file's (the job_workflow_ref claim)."""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import as_list, is_unresolved, policy_statements

# The gate requires a result of this check wherever one of these attributes holds a document:
# a document the check cannot read (UNKNOWN) fails the gate (cli/gate_coverage.py).
DOCUMENT_ATTRIBUTES = ("assume_role_policy",)

GITHUB = "token.actions.githubusercontent.com"
# The repository's customised subject (include_claim_keys repo, context, job_workflow_ref):
# `repo:<owner>/<repo>:<context>:job_workflow_ref:<owner>/<repo>/.github/workflows/<file>@<ref>`,
# the context being an environment, a ref or a pull request.
_SUBJECT = re.compile(
    r"repo:[^:/]+/[^:/]+"
    r":(?:environment:[^:]+|ref:refs/[^:]+|pull_request)"
    r":job_workflow_ref:[^:/@]+/[^:/@]+/\.github/workflows/[^:/@]+\.ya?ml@[^:@]+"
)


class GitHubTrustPinsTheWorkflow(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure each subject of a GitHub Actions trust names the job's workflow file",
            id="CKV_MBK_18",
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
            trusts_github = _trusts_github(statement)
            if trusts_github is None:
                return CheckResult.UNKNOWN
            if not trusts_github:
                continue
            conditions = statement.get("Condition") or {}
            if any(is_unresolved(value) for _, _, values in _github_conditions(conditions) for value in values):
                return CheckResult.UNKNOWN
            problem = _problem(conditions)
            if problem is not None:
                self.details.append(f"the role's GitHub Actions trust {problem}")
                return CheckResult.FAILED
        return CheckResult.PASSED


def _trusts_github(statement: dict[str, Any]) -> bool | None:
    """Whether the statement trusts GitHub's OIDC provider: its ARN names GitHub's host, or a condition
    key does; None for a provider given by a reference with no condition naming any issuer (which
    provider it is shows only once Terraform resolves it)."""
    principal = statement.get("Principal")
    federated = [str(p) for p in as_list(principal.get("Federated", []))] if isinstance(principal, dict) else []
    conditions = statement.get("Condition") or {}
    keys = [str(key).lower() for block in conditions.values() if isinstance(block, dict) for key in block]
    if any(key.startswith(f"{GITHUB}:") for key in keys) or any(f"oidc-provider/{GITHUB}" in p for p in federated):
        return True
    if any(is_unresolved(key) for key in keys):
        return None  # a condition key made by Terraform may name GitHub's host
    names_an_issuer = any(key.endswith((":aud", ":sub")) for key in keys)
    if any(is_unresolved(p) for p in federated) and not names_an_issuer:
        return None
    return False


def _problem(conditions: dict[str, Any]) -> str | None:
    """A subject of the trust that names no workflow, or None. Whether the audience and the subjects
    are pinned exactly (`StringEquals` alone, no wildcard) is CKV_MBK_13's to judge, for every
    OIDC provider; this check adds what only a GitHub subject can say: which workflow file runs."""
    for _, claim, texts in _github_conditions(conditions):
        for subject in texts if claim == "sub" else ():
            if not _SUBJECT.fullmatch(subject):
                return (
                    f"pins the subject {subject!r}, which names no workflow (`job_workflow_ref`): any workflow "
                    "of the repository on that branch or environment would do; customise the repository's "
                    "subject (include_claim_keys repo, context, job_workflow_ref) and trust each workflow file"
                )
    return None


def _github_conditions(conditions: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(operator, claim, values) of each condition on a claim of GitHub's tokens (`aud`, `sub`, …)."""
    found = []
    for operator, block in conditions.items():
        if not isinstance(block, dict):
            continue
        for key, values in block.items():
            if str(key).lower().startswith(f"{GITHUB}:"):
                found.append((str(operator), str(key)[len(GITHUB) + 1 :].lower(), [str(v) for v in as_list(values)]))
    return found


check = GitHubTrustPinsTheWorkflow()
