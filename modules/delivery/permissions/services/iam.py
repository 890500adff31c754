"""IAM: the environment's service roles (never the CI roles: a Deny in the write policies)."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import ROLES
from modules.delivery.permissions.grants import Grant, Permissions

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_iam_role": Permissions(
        read=(
            Grant(
                (
                    "iam:GetRole",
                    "iam:ListRolePolicies",
                    "iam:ListAttachedRolePolicies",
                    "iam:ListRoleTags",
                    "iam:ListInstanceProfilesForRole",
                ),
                ROLES,
            ),
        ),
        write=(
            # A role exists only under the environment's boundary: created with it, and it can only be
            # set to that one (never removed: iam:DeleteRolePermissionsBoundary is granted nowhere).
            Grant(("iam:CreateRole", "iam:PutRolePermissionsBoundary"), ROLES, bounded=True),
            Grant(
                (
                    "iam:DeleteRole",
                    "iam:UpdateRole",
                    "iam:UpdateRoleDescription",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:TagRole",
                    "iam:UntagRole",
                ),
                ROLES,
            ),
        ),
    ),
    "aws_iam_role_policy": Permissions(
        read=(Grant(("iam:GetRolePolicy", "iam:ListRolePolicies"), ROLES),),
        write=(Grant(("iam:PutRolePolicy", "iam:DeleteRolePolicy"), ROLES, bounded=True),),
    ),
}
