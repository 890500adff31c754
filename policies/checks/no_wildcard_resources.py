"""Ensure no IAM policy allows an action on every resource unless AWS offers no narrower one, nor a
tag write on resources AWS names by id without their own tag (or creation) scoping it."""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iam_support import (
    PERMISSION_DOCUMENTS,
    POLICY_RESOURCES,
    actions_of,
    judge_allow_statements,
    resources_of,
    unscoped_actions,
)
from policy_support import as_list, first

# The gate requires a result of this check wherever one of these attributes holds a document:
# a document the check cannot read (UNKNOWN) fails the gate (cli/gate_coverage.py).
DOCUMENT_ATTRIBUTES = PERMISSION_DOCUMENTS

# Tag writes by the action's name (`TagResource`, `UntagRole`, `ec2:CreateTags`, `rds:AddTagsToResource`,
# `s3:PutBucketTagging`, …); a wildcard action counts when it matches one of the usual names.
TAG_WRITE = re.compile(
    r"^(?:Tag|Untag)[A-Z]|^(?:Create|Delete)Tags$|^(?:AddTagsTo|RemoveTagsFrom)[A-Z]|^Put\w*Tagging$"
)
TAG_WRITE_NAMES = (
    "TagResource",
    "UntagResource",
    "CreateTags",
    "DeleteTags",
    "AddTagsToResource",
    "RemoveTagsFromResource",
    "PutBucketTagging",
)
# The id part of an ARN's resource that names no resource: `*`, `key/*`, `db-proxy:*`, `distribution/*`.
BY_ID = re.compile(r"^(?:[^/:]*[/:])?[*?/:]*$")


class NoWildcardResources(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure no IAM policy allows an action on every resource unless AWS offers no narrower one, "
            "nor a tag write on resources named by id without their tag or creation scoping it",
            id="CKV_MBK_10",
            categories=[CheckCategories.IAM],
            supported_resources=POLICY_RESOURCES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        return judge_allow_statements(conf, self.details, _problem)


def _problem(statement: dict[str, Any]) -> str | None:
    return _on_every_resource(statement) or _retag(statement)


def _on_every_resource(statement: dict[str, Any]) -> str | None:
    if "*" not in resources_of(statement) and "NotResource" not in statement:
        return None
    allowed = unscoped_actions()
    scoped = [a for a in actions_of(statement) if a.lower() not in allowed]
    if not scoped:
        return None
    return (
        f"{', '.join(scoped)} on every resource: scope it, or list it with a reason in "
        "policies/unscoped_actions.yaml if AWS offers no narrower resource"
    )


def _is_tag_write(action: str) -> bool:
    name = action.split(":", 1)[-1]
    if "*" in name or "?" in name:
        return any(fnmatch.fnmatchcase(candidate, name) for candidate in TAG_WRITE_NAMES)
    return bool(TAG_WRITE.match(name))


def _named_by_id(arn: str) -> bool:
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return False
    if parts[2] == "s3":  # `bucket/key`: the resource is a name from its first character
        return not parts[5].strip("*?/")
    return bool(BY_ID.match(parts[5]))


def _scoped_by_the_resource_or_creation(condition: Any) -> bool:
    """A positive `aws:ResourceTag/…` match of a value (the resource is already the holder's; `IfExists`
    also admits an untagged one), or creation only: `Null aws:ResourceTag/… = true` (no tag yet) or
    `ec2:CreateAction` (EC2 names the creating call)."""
    if not isinstance(condition, dict):
        return False
    for operator, keys in condition.items():
        if not isinstance(keys, dict):
            continue
        base = str(operator).rsplit(":", 1)[-1].removesuffix("IfExists")
        for key, value in keys.items():
            key, values = str(key).lower(), [str(v) for v in as_list(value)]
            names_values = values and not all(set(v) <= set("*?") for v in values)  # `*` is every tag value
            scoping_key = key.startswith("aws:resourcetag/") or key == "ec2:createaction"
            if base in ("StringEquals", "StringLike") and names_values and scoping_key:
                return True
            if base == "Null" and key.startswith("aws:resourcetag/") and str(first(values)).lower() == "true":
                return True
    return False


def _retag(statement: dict[str, Any]) -> str | None:
    writes = [a for a in actions_of(statement) if _is_tag_write(a)]
    by_id = [r for r in resources_of(statement) if _named_by_id(r)]
    if not writes or not by_id or _scoped_by_the_resource_or_creation(statement.get("Condition")):
        return None
    return (
        f"{', '.join(writes)} on {', '.join(by_id)} (named by id) by the request's tag alone: the holder could "
        "re-tag another environment's resource as its own; condition it on aws:ResourceTag/Environment, or "
        "to creation (ec2:CreateAction, or Null aws:ResourceTag/Environment = true)"
    )


check = NoWildcardResources()
