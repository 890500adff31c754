"""The environment's alert topic: every alarm of every module notifies it."""

from __future__ import annotations

from modules.core.cdk import Construct, DataAwsCallerIdentity, DataAwsPartition, KmsAlias, KmsKey, SnsTopic
from modules.core.iam import key_admin_statement, policy_document
from modules.core.label import Context


class AlertTopic(Construct):
    """An SNS topic encrypted with its own rotating key that CloudWatch may use to publish."""

    def __init__(self, scope: Construct, id_: str, *, context: Context) -> None:
        super().__init__(scope, id_)
        partition = DataAwsPartition(self, "partition").partition
        account_id = DataAwsCallerIdentity(self, "caller").account_id
        key = KmsKey(
            self,
            "key",
            description=f"Alert topic of {context.environment}",
            enable_key_rotation=True,
            policy=policy_document(
                key_admin_statement(partition, account_id),
                {
                    "Sid": "CloudWatchPublishesEncryptedAlerts",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                },
            ),
            tags=context.tags,
        )
        KmsAlias(self, "key_alias", name=f"alias/{context.id('alerts')}", target_key_id=key.key_id)
        topic = SnsTopic(self, "topic", name=context.id("alerts"), kms_master_key_id=key.arn, tags=context.tags)

        self.topic_arn: str = topic.arn
        self.kms_key_arn: str = key.arn
