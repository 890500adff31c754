"""The provider's own data sources (modules/core/account.py): where the stack deploys, at no permission."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.grants import Permissions

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_caller_identity": Permissions(),  # sts:GetCallerIdentity needs no permission
    "aws_partition": Permissions(),
    "aws_region": Permissions(),
}
