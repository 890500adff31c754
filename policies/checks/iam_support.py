"""IAM documents as our checks see them: every policy-bearing resource type and its statements."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from policy_support import as_list, first, policy_statements

POLICY_RESOURCES = [
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_role",
]
# Where a permission policy sits: a policy's document, a role's inline policies.
PERMISSION_DOCUMENTS = ("policy", "inline_policy")
UNSCOPED_ACTIONS_FILE = Path(__file__).resolve().parent.parent / "unscoped_actions.yaml"


def unscoped_actions() -> set[str]:
    data = yaml.safe_load(UNSCOPED_ACTIONS_FILE.read_text(encoding="utf-8"))
    return {action.lower() for action in data["actions"]}


def permission_documents(conf: dict[str, Any]) -> list[Any]:
    """The permission policies of a resource (a role's inline policies; a policy's document)."""
    policy, inline_policy = PERMISSION_DOCUMENTS
    documents = [conf[policy]] if policy in conf else []
    for inline in as_list(first(conf.get(inline_policy)) or []):
        if isinstance(inline, dict) and "policy" in inline:
            documents.append(inline["policy"])
    return documents


def allow_statements(conf: dict[str, Any]) -> Iterator[dict[str, Any] | None]:
    """Allow statements of every permission document; None for a document that cannot be read."""
    for document in permission_documents(conf):
        statements = policy_statements(document)
        if statements is None:
            yield None
            continue
        for statement in statements:
            if statement.get("Effect") == "Allow":
                yield statement


def actions_of(statement: dict[str, Any]) -> list[str]:
    return [str(action) for action in as_list(statement.get("Action", []))]


def resources_of(statement: dict[str, Any]) -> list[str]:
    return [str(resource) for resource in as_list(statement.get("Resource", []))]


def judge_allow_statements(
    conf: dict[str, Any], details: list[str], problem_of: Callable[[dict[str, Any]], str | None]
) -> Any:
    """FAILED at the first Allow statement `problem_of` objects to (its words go to `details`);
    UNKNOWN when a document cannot be read or there is none; PASSED otherwise (a document of Deny
    statements only grants nothing)."""
    from checkov.common.models.enums import CheckResult

    if not permission_documents(conf):
        return CheckResult.UNKNOWN
    for statement in allow_statements(conf):
        if statement is None:
            return CheckResult.UNKNOWN
        problem = problem_of(statement)
        if problem:
            details.append(problem)
            return CheckResult.FAILED
    return CheckResult.PASSED
