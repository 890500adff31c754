"""KMS: keys are named by id (tagged); aliases by name. Services use the keys through the caller."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import KEY_ALIASES, KEYS
from modules.delivery.permissions.grants import Grant, Permissions, Tag

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_kms_key": Permissions(
        read=(
            Grant(
                ("kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
                KEYS,
                tag=Tag.RESOURCE,
            ),
        ),
        write=(
            Grant(("kms:CreateKey",), tag=Tag.REQUEST),  # a key does not exist before it is created
            Grant(
                (
                    "kms:PutKeyPolicy",
                    "kms:EnableKeyRotation",
                    "kms:UpdateKeyDescription",
                    "kms:ScheduleKeyDeletion",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:CreateGrant",
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:GenerateDataKey",
                ),
                KEYS,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
    "aws_kms_alias": Permissions(
        read=(Grant(("kms:ListAliases",)),),
        write=(  # an alias call needs the alias (named) and the key (tagged)
            Grant(("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"), KEY_ALIASES),
            Grant(("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"), KEYS, tag=Tag.RESOURCE),
        ),
    ),
}
