"""CloudWatch Logs: the services' log groups (`/aws/<service>/<prefix>-…`) and WAF's, in us-east-1."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import LOG_GROUPS
from modules.delivery.permissions.grants import Grant, Permissions

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_cloudwatch_log_group": Permissions(
        read=(
            Grant(("logs:DescribeLogGroups",)),
            Grant(("logs:ListTagsForResource", "logs:ListTagsLogGroup"), LOG_GROUPS),
        ),
        write=(
            Grant(
                (
                    "logs:CreateLogGroup",
                    "logs:DeleteLogGroup",
                    "logs:PutRetentionPolicy",
                    "logs:DeleteRetentionPolicy",
                    "logs:AssociateKmsKey",
                    "logs:DisassociateKmsKey",
                    "logs:TagResource",
                    "logs:UntagResource",
                    "logs:TagLogGroup",
                    "logs:UntagLogGroup",
                ),
                LOG_GROUPS,
            ),
        ),
    ),
}
