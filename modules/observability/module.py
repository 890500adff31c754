"""The environment's alert topic: every alarm of every module notifies it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from modules.core.cdk import Construct, SnsTopic, SnsTopicPolicy, SnsTopicSubscription
from modules.core.iam import policy_document
from modules.core.kms import EncryptionKey
from modules.core.label import Context


class AlertTopic(Construct):
    """An SNS topic encrypted with its own rotating key, to which CloudWatch alarms and AWS Budgets publish."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        context: Context,
        emails: Sequence[str] = (),
        publishers: Sequence[str] = ("budgets.amazonaws.com", "cloudwatch.amazonaws.com"),
    ) -> None:
        """`publishers`: the AWS services allowed to publish (and to use the topic's key)."""
        super().__init__(scope, id_)
        publishers = list(publishers)
        key = EncryptionKey(self, "key", context=context, purpose="alerts", service_principals=publishers)
        topic = SnsTopic(self, "topic", name=context.id("alerts"), kms_master_key_id=key.arn, tags=context.tags)
        SnsTopicPolicy(
            self,
            "publishers",
            arn=topic.arn,
            policy=policy_document(
                {
                    "Sid": "AwsServicesPublishAlerts",
                    "Effect": "Allow",
                    "Principal": {"Service": publishers},
                    "Action": "sns:Publish",
                    "Resource": topic.arn,
                }
            ),
        )
        for address in emails:  # keyed by address: reordering the list changes nothing
            construct_id = "email_" + re.sub(r"[^a-z0-9]+", "_", address.lower())
            SnsTopicSubscription(self, construct_id, topic_arn=topic.arn, protocol="email", endpoint=address)

        self.topic_arn: str = topic.arn
        self.kms_key_arn: str = key.arn
