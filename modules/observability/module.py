"""The environment's alert topic, which every alarm of every module notifies, and its ticket topic."""

from __future__ import annotations

import re
from collections.abc import Sequence

from modules.core.account import AwsAccount
from modules.core.cdk import (
    Construct,
    SnsTopic,
    SnsTopicPolicy,
    SnsTopicSubscription,
    TerraformProvider,
)
from modules.core.iam import Statement, policy_document
from modules.core.kms import PER_SERVICE_KEYS, KeyGrant, KeyReference, KeySource
from modules.core.label import Context

EVENTBRIDGE = "events.amazonaws.com"


class AlertTopic(Construct):
    """An SNS topic encrypted with its own rotating key, to which CloudWatch alarms and AWS Budgets publish.

    `purpose` names the topic and its key (`alerts` is the environment's topic). `provider` places
    it in another region: CloudWatch alarms notify only a topic of their own region, so alarms on
    CloudFront's us-east-1 metrics need a topic there. `accepts_eventbridge` lets EventBridge rules
    of this account publish (the edge alarms' state changes are forwarded to the environment's topic).
    `key` encrypts it with another topic's key (whose grant must cover `publishers`) rather than one
    of its own: the ticket topic shares the alert topic's (a key costs ~3 USD a month once rotated).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        context: Context,
        emails: Sequence[str] = (),
        publishers: Sequence[str] = ("budgets.amazonaws.com", "cloudwatch.amazonaws.com"),
        purpose: str = "alerts",
        provider: TerraformProvider | None = None,
        accepts_eventbridge: bool = False,
        keys: KeySource = PER_SERVICE_KEYS,
        key: KeyReference | None = None,
    ) -> None:
        """`publishers`: the AWS services allowed to publish (and to use the topic's key)."""
        super().__init__(scope, id_)
        publishers = list(publishers)
        key_statements: list[Statement] = []
        topic_statements: list[Statement] = []
        if accepts_eventbridge:
            account_id = AwsAccount.of(self).account_id  # the same in every region
            key_statements.append(
                {
                    "Sid": "EventBridgeRulesEncryptWithKey",
                    "Effect": "Allow",
                    "Principal": {"Service": EVENTBRIDGE},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                }
            )
            topic_statements.append(
                {
                    "Sid": "EventBridgeRulesForwardAlerts",
                    "Effect": "Allow",
                    "Principal": {"Service": EVENTBRIDGE},
                    "Action": "sns:Publish",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            )
        if key is None:
            key = keys.key(
                self,
                "key",
                context=context,
                grant=KeyGrant(purpose, service_principals=publishers, statements=key_statements),
                provider=provider,
            )
        topic = SnsTopic(
            self, "topic", name=context.id(purpose), kms_master_key_id=key.arn, tags=context.tags, provider=provider
        )
        topic_arn = topic.arn
        SnsTopicPolicy(
            self,
            "publishers",
            arn=topic_arn,
            policy=policy_document(
                {
                    "Sid": "AwsServicesPublishAlerts",
                    "Effect": "Allow",
                    "Principal": {"Service": publishers},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                },
                *({**statement, "Resource": topic_arn} for statement in topic_statements),
            ),
            provider=provider,
        )
        for address in emails:  # keyed by address: reordering the list changes nothing
            construct_id = "email_" + re.sub(r"[^a-z0-9]+", "_", address.lower())
            SnsTopicSubscription(
                self, construct_id, topic_arn=topic_arn, protocol="email", endpoint=address, provider=provider
            )

        self.topic_arn: str = topic_arn
        self.key: KeyReference = key
        self.kms_key_arn: str = key.arn
