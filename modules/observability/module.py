"""The environment's alert topic: every alarm of every module notifies it."""

from __future__ import annotations

from modules.core.cdk import Construct, SnsTopic
from modules.core.kms import EncryptionKey
from modules.core.label import Context


class AlertTopic(Construct):
    """An SNS topic encrypted with its own rotating key that CloudWatch may use to publish."""

    def __init__(self, scope: Construct, id_: str, *, context: Context) -> None:
        super().__init__(scope, id_)
        key = EncryptionKey(
            self, "key", context=context, purpose="alerts", service_principals=["cloudwatch.amazonaws.com"]
        )
        topic = SnsTopic(self, "topic", name=context.id("alerts"), kms_master_key_id=key.arn, tags=context.tags)

        self.topic_arn: str = topic.arn
        self.kms_key_arn: str = key.arn
