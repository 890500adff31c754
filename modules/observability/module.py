"""The environment's alert topic: every alarm of every module notifies it."""

from __future__ import annotations

from modules.core.cdk import Construct, SnsTopic, SnsTopicPolicy
from modules.core.iam import policy_document
from modules.core.kms import EncryptionKey
from modules.core.label import Context


class AlertTopic(Construct):
    """An SNS topic encrypted with its own rotating key, to which CloudWatch alarms and AWS Budgets publish."""

    def __init__(self, scope: Construct, id_: str, *, context: Context) -> None:
        super().__init__(scope, id_)
        publishers = ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]
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

        self.topic_arn: str = topic.arn
        self.kms_key_arn: str = key.arn
