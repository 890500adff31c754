"""Customer-managed KMS keys: what every encrypted resource of every module uses.

A module asks its `KeySource` for a key with the `KeyGrant` its services need. `PER_SERVICE_KEYS`
gives each module a key of its own (prod); an `EnvironmentKey` is one key for every module of
the environment in the stack's region, whose policy is the union of their grants (the cost
profile of dev and staging: each key costs ~3 USD a month once rotated twice).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from modules.core.account import AwsAccount
from modules.core.cdk import Construct, KmsAlias, KmsKey, TerraformProvider
from modules.core.iam import Statement, key_admin_statement, policy_document
from modules.core.label import Context

DEFAULT_SERVICE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")
LOGS_KEY_ACTIONS = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*")
"""What CloudWatch Logs needs of a key that encrypts log groups (the key policy AWS documents)."""


class KeyReference(Protocol):
    """What an encrypted resource needs of its key."""

    @property
    def arn(self) -> str: ...

    @property
    def key_id(self) -> str: ...


@dataclass(frozen=True)
class KeyGrant:
    """What one purpose's AWS services may do with its key.

    `service_principals` (e.g. `cloudwatch.amazonaws.com`) may use it for `service_actions` (by
    default decrypt and generate data keys), and nothing more; `statements` adds further
    key-policy statements (e.g. CloudWatch Logs, which needs an encryption-context condition).
    """

    purpose: str
    service_principals: Sequence[str] = ()
    service_actions: Sequence[str] = DEFAULT_SERVICE_ACTIONS
    statements: Sequence[Statement] = ()

    def policy_statements(self, sid_prefix: str = "") -> list[Statement]:
        """The grant as key-policy statements, their ids prefixed (unique within a shared key)."""
        found: list[Statement] = []
        if self.service_principals:
            found.append(
                {
                    "Sid": f"{sid_prefix}ServicesEncryptWithKey",
                    "Effect": "Allow",
                    "Principal": {"Service": sorted(self.service_principals)},
                    "Action": list(self.service_actions),
                    "Resource": "*",
                }
            )
        found.extend({**statement, "Sid": sid_prefix + str(statement.get("Sid", ""))} for statement in self.statements)
        return found


class EncryptionKey(Construct):
    """Rotates yearly, is administered by the account root, and has an alias named by the label.

    `provider` places the key in another region (e.g. us-east-1 for CloudFront's edge resources).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        context: Context,
        grant: KeyGrant,
        deletion_window_days: int = 30,
        provider: TerraformProvider | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(scope, id_)
        # Partition and account are the same whatever the key's region (provider).
        account = AwsAccount.of(self)
        self._policy: list[Statement] = [
            key_admin_statement(account.partition, account.account_id),
            *grant.policy_statements(),
        ]
        self._key = KmsKey(
            self,
            "key",
            description=description or f"{grant.purpose} of {context.environment}",
            enable_key_rotation=True,
            deletion_window_in_days=deletion_window_days,
            policy=policy_document(*self._policy),
            tags=context.tags,
            provider=provider,
        )
        self.arn: str = self._key.arn
        self.key_id: str = self._key.key_id
        KmsAlias(self, "alias", name=f"alias/{context.id(grant.purpose)}", target_key_id=self.key_id, provider=provider)


class KeySource(Protocol):
    """Where a module gets the key of one purpose."""

    @property
    def shared(self) -> bool:
        """Whether other modules' data is under the same key (a grant can then name no resource of the stack)."""
        ...

    def key(
        self,
        scope: Construct,
        id_: str,
        *,
        context: Context,
        grant: KeyGrant,
        provider: TerraformProvider | None = None,
    ) -> KeyReference: ...


class PerServiceKeys:
    """A key of its own for each purpose, in the module that asks (`scope`, `id_`)."""

    shared = False

    def key(
        self,
        scope: Construct,
        id_: str,
        *,
        context: Context,
        grant: KeyGrant,
        provider: TerraformProvider | None = None,
    ) -> KeyReference:
        return EncryptionKey(scope, id_, context=context, grant=grant, provider=provider)


PER_SERVICE_KEYS = PerServiceKeys()


def _pascal(purpose: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", purpose) if part)


class EnvironmentKey(EncryptionKey):
    """One key for every purpose of the stack's region; each purpose's grants join its policy.

    Their statement ids are prefixed with the purpose, so each stays unique and says whose it is.
    A key in another region (`provider`, e.g. the edge's us-east-1) stays a key of its own.
    Because every module's data depends on this key, a grant may not reference a resource that
    itself uses a key (Terraform would find a cycle): the module asks `shared` and conditions on
    the account instead.
    """

    shared = True

    def __init__(self, scope: Construct, id_: str, *, context: Context) -> None:
        super().__init__(
            scope,
            id_,
            context=context,
            grant=KeyGrant("environment"),
            description=f"every service of {context.environment}",
        )
        self._purposes: list[str] = []

    def key(
        self,
        scope: Construct,
        id_: str,
        *,
        context: Context,
        grant: KeyGrant,
        provider: TerraformProvider | None = None,
    ) -> KeyReference:
        if provider is not None:
            return PER_SERVICE_KEYS.key(scope, id_, context=context, grant=grant, provider=provider)
        prefix = _pascal(grant.purpose)
        if prefix in self._purposes:
            raise ValueError(f"the environment key already holds the grants of {grant.purpose!r}")
        self._purposes.append(prefix)
        self._policy.extend(grant.policy_statements(prefix))
        self._key.policy = policy_document(*self._policy)
        return self
