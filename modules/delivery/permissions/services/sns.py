"""SNS: the environment's alert topics."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import TOPICS
from modules.delivery.permissions.grants import Grant, Permissions

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_sns_topic": Permissions(
        read=(Grant(("sns:GetTopicAttributes", "sns:ListTagsForResource"), TOPICS),),
        write=(
            Grant(
                (
                    "sns:CreateTopic",
                    "sns:DeleteTopic",
                    "sns:SetTopicAttributes",
                    "sns:TagResource",
                    "sns:UntagResource",
                ),
                TOPICS,
            ),
        ),
    ),
    "aws_sns_topic_policy": Permissions(
        read=(Grant(("sns:GetTopicAttributes",), TOPICS),),
        write=(Grant(("sns:SetTopicAttributes",), TOPICS),),
    ),
    "aws_sns_topic_subscription": Permissions(
        read=(Grant(("sns:GetSubscriptionAttributes",)), Grant(("sns:ListSubscriptionsByTopic",), TOPICS)),
        # Unsubscribe and SetSubscriptionAttributes take a subscription ARN, but IAM authorizes them on
        # no resource and with no condition key (Service Authorization Reference): `*` is all there is.
        write=(Grant(("sns:Subscribe",), TOPICS), Grant(("sns:Unsubscribe", "sns:SetSubscriptionAttributes"))),
    ),
}
