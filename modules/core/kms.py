"""Customer-managed KMS keys: what every encrypted resource of every module uses.

A module asks its `KeySource` for a key with the grants its services need. `PER_SERVICE_KEYS`
gives each module a key of its own (prod); an `EnvironmentKey` is one key for every module of
the environment in the stack's region, whose policy is the union of their grants (the cost
profile of dev and staging: each key costs ~3 USD a month once rotated twice).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from modules.core.account import AwsAccount
from modules.core.cdk import Construct, KmsAlias, KmsKey, TerraformProvider
from modules.core.iam import Statement, key_admin_statement, policy_document
from modules.core.label import Context

DEFAULT_SERVICE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")


class KeyReference(Protocol):
    """What an encrypted resource needs of its key."""

    @property
    def arn(self) -> str: ...

    @property
    def key_id(self) -> str: ...


def _service_statement(sid: str, principals: Sequence[str], actions: Sequence[str]) -> Statement:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": sorted(principals)},
        "Action": list(actions),
        "Resource": "*",
    }


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
        service_actions: Sequence[str] = DEFAULT_SERVICE_ACTIONS,
        deletion_window_days: int = 30,
        statements: Sequence[Statement] = (),
        provider: TerraformProvider | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(scope, id_)
        # Partition and account are the same whatever the key's region (provider).
        account = AwsAccount.of(self)
        policy: list[Statement] = [key_admin_statement(account.partition, account.account_id)]
        if service_principals:
            policy.append(_service_statement("ServicesEncryptWithKey", service_principals, service_actions))
        policy.extend(statements)
        self._policy = policy
        self._key = KmsKey(
            self,
            "key",
            description=description or f"{purpose} of {context.environment}",
            enable_key_rotation=True,
            deletion_window_in_days=deletion_window_days,
            policy=policy_document(*policy),
            tags=context.tags,
            provider=provider,
        )
        self.arn: str = self._key.arn
        self.key_id: str = self._key.key_id
        KmsAlias(self, "alias", name=f"alias/{context.id(purpose)}", target_key_id=self.key_id, provider=provider)


class KeySource(Protocol):
    """Where a module gets the key of one purpose (its services' grants as `EncryptionKey` takes them)."""

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
        purpose: str,
        service_principals: Sequence[str] = (),
        service_actions: Sequence[str] = DEFAULT_SERVICE_ACTIONS,
        statements: Sequence[Statement] = (),
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
        purpose: str,
        service_principals: Sequence[str] = (),
        service_actions: Sequence[str] = DEFAULT_SERVICE_ACTIONS,
        statements: Sequence[Statement] = (),
        provider: TerraformProvider | None = None,
    ) -> KeyReference:
        return EncryptionKey(
            scope,
            id_,
            context=context,
            purpose=purpose,
            service_principals=service_principals,
            service_actions=service_actions,
            statements=statements,
            provider=provider,
        )


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
            scope, id_, context=context, purpose="environment", description=f"every service of {context.environment}"
        )
        self._purposes: list[str] = []

    def key(
        self,
        scope: Construct,
        id_: str,
        *,
        context: Context,
        purpose: str,
        service_principals: Sequence[str] = (),
        service_actions: Sequence[str] = DEFAULT_SERVICE_ACTIONS,
        statements: Sequence[Statement] = (),
        provider: TerraformProvider | None = None,
    ) -> KeyReference:
        if provider is not None:
            return PER_SERVICE_KEYS.key(
                scope,
                id_,
                context=context,
                purpose=purpose,
                service_principals=service_principals,
                service_actions=service_actions,
                statements=statements,
                provider=provider,
            )
        prefix = _pascal(purpose)
        if prefix in self._purposes:
            raise ValueError(f"the environment key already holds the grants of {purpose!r}")
        self._purposes.append(prefix)
        if service_principals:
            self._policy.append(
                _service_statement(f"{prefix}ServicesEncryptWithKey", service_principals, service_actions)
            )
        self._policy.extend({**statement, "Sid": prefix + str(statement.get("Sid", ""))} for statement in statements)
        self._key.policy = policy_document(*self._policy)
        return self
