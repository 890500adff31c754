"""The account's CloudWatch Logs resource policy that admits WAF's log delivery to every environment.

WAF logging to CloudWatch Logs needs a resource policy letting `delivery.logs.amazonaws.com` write
the `aws-waf-logs-…` group. Where none admits it, whoever enables the logging must write one with
`logs:PutResourcePolicy`, which IAM scopes to no resource: an environment's CI role holding it could
rewrite the account's log resource policies, the other environments' included. So the account stack
set writes this one, once, in us-east-1 (the web ACLs of scope CLOUDFRONT, hence their log groups,
are there); CloudWatch Logs creates no log-group policy where an account-level one already admits the
group (the Logs guide, "Logs sent to CloudWatch Logs"), and the environments need only
`logs:CreateLogDelivery`.
"""

from __future__ import annotations

from modules.cdn.edge import EDGE_REGION
from modules.core.account import AwsAccount
from modules.core.arn import arn
from modules.core.cdk import CloudwatchLogResourcePolicy, Construct, TerraformProvider
from modules.core.iam import policy_document
from modules.core.label import Context

LOG_DELIVERY = "delivery.logs.amazonaws.com"


class WafLogDelivery(Construct):
    """Log delivery may write the log streams of the namespace's WAF log groups, for this account only."""

    def __init__(
        self, scope: Construct, id_: str, *, context: Context, edge_provider: TerraformProvider | None = None
    ) -> None:
        """`edge_provider`: the stack's provider for us-east-1; None where the stack's own is there."""
        super().__init__(scope, id_)
        account = AwsAccount.of(self)

        def logs(resource: str) -> str:
            return arn(account.partition, "logs", resource, region=EDGE_REGION, account_id=account.account_id)

        policy = CloudwatchLogResourcePolicy(
            self,
            "policy",
            provider=edge_provider,
            policy_name=context.id("waf-log-delivery"),
            policy_document=policy_document(
                {
                    "Sid": "WafLogDeliveryToEveryEnvironment",
                    "Effect": "Allow",
                    "Principal": {"Service": LOG_DELIVERY},
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": logs(f"log-group:aws-waf-logs-{context.namespace}-*:log-stream:*"),
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account.account_id},
                        "ArnLike": {"aws:SourceArn": logs("*")},
                    },
                }
            ),
        )
        self.policy_name: str = policy.policy_name
