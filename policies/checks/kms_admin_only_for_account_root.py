"""Ensure a KMS key policy grants kms:* to the account root only."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import as_list, policy_statements

# The gate requires a result of this check wherever one of these attributes holds a document:
# a document the check cannot read (UNKNOWN) fails the gate (cli/gate_coverage.py).
DOCUMENT_ATTRIBUTES = ("policy",)


class KmsAdminOnlyForAccountRoot(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure a KMS key policy grants kms:* to the account root only",
            id="CKV_MBK_14",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_kms_key"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        statements = policy_statements(conf.get(DOCUMENT_ATTRIBUTES[0]))
        if statements is None:
            return CheckResult.UNKNOWN
        for statement in statements:
            actions = as_list(statement.get("Action", []))
            if statement.get("Effect") != "Allow" or not any(a in {"*", "kms:*"} for a in actions):
                continue
            principal = statement.get("Principal")
            aws = as_list(principal.get("AWS", [])) if isinstance(principal, dict) else []
            if set(principal or {}) != {"AWS"} or not aws or not all(str(p).endswith(":root") for p in aws):
                self.details.append(f"kms:* is granted to {principal!r}: only the account root administers keys")
                return CheckResult.FAILED
        return CheckResult.PASSED


check = KmsAdminOnlyForAccountRoot()
