"""SQS: the environment's queues."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import QUEUES
from modules.delivery.permissions.grants import Grant, Permissions

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_sqs_queue": Permissions(
        read=(Grant(("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"), QUEUES),),
        write=(
            Grant(
                ("sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"),
                QUEUES,
            ),
        ),
    ),
}
