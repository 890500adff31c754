"""A customer-managed KMS key: what every encrypted resource of every module uses."""

from __future__ import annotations

from collections.abc import Sequence

from modules.core.account import AwsAccount
from modules.core.cdk import Construct, KmsAlias, KmsKey, TerraformProvider
from modules.core.iam import Statement, key_admin_statement, policy_document
from modules.core.label import Context


class EncryptionKey(Construct):
    """Rotates yearly, is administered by the account root, and has an alias named by the label.

    `service_principals` (e.g. `cloudwatch.amazonaws.com`) may use it for `service_actions` (by
    default decrypt and generate data keys), and nothing more; `statements` adds further
    key-policy statements (e.g. CloudWatch Logs, which needs an encryption-context condition).
    `provider` places the key in another region (e.g. us-east-1 for CloudFront's edge resources).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        context: Context,
        purpose: str,
        service_principals: Sequence[str] = (),
        service_actions: Sequence[str] = ("kms:Decrypt", "kms:GenerateDataKey*"),
        deletion_window_days: int = 30,
        statements: Sequence[Statement] = (),
        provider: TerraformProvider | None = None,
    ) -> None:
        super().__init__(scope, id_)
        # Partition and account are the same whatever the key's region (provider).
        account = AwsAccount.of(self)
        policy: list[Statement] = [key_admin_statement(account.partition, account.account_id)]
        if service_principals:
            policy.append(
                {
                    "Sid": "ServicesEncryptWithKey",
                    "Effect": "Allow",
                    "Principal": {"Service": sorted(service_principals)},
                    "Action": list(service_actions),
                    "Resource": "*",
                }
            )
        policy.extend(statements)
        key = KmsKey(
            self,
            "key",
            description=f"{purpose} of {context.environment}",
            enable_key_rotation=True,
            deletion_window_in_days=deletion_window_days,
            policy=policy_document(*policy),
            tags=context.tags,
            provider=provider,
        )
        self.arn: str = key.arn
        self.key_id: str = key.key_id
        KmsAlias(self, "alias", name=f"alias/{context.id(purpose)}", target_key_id=self.key_id, provider=provider)
