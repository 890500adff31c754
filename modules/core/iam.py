"""IAM and KMS policy documents as plain JSON strings.

Policies are rendered here rather than through the `aws_iam_policy_document` data source so
that the synthesized JSON contains the real documents: checkov and our own policies read them
without running Terraform.
"""

from __future__ import annotations

import json
from typing import Any

from modules.core.arn import arn

Statement = dict[str, Any]


def policy_document(*statements: Statement) -> str:
    """A policy document with a stable key order, so synthesized output never churns."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def account_root_arn(partition: str, account_id: str) -> str:
    return arn(partition, "iam", "root", account_id=account_id)


def key_admin_statement(partition: str, account_id: str) -> Statement:
    """The account root administers the key: AWS's default, and what keeps it recoverable."""
    return {
        "Sid": "AccountRootAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": account_root_arn(partition, account_id)},
        "Action": "kms:*",
        "Resource": "*",
    }


def service_trust_policy(service: str, account_id: str | None = None) -> str:
    """A role's trust policy: `service` may assume it, on behalf of `account_id` only when given
    (the confused-deputy guard)."""
    statement: Statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if account_id is not None:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account_id}}
    return policy_document(statement)
