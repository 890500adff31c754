"""The partition, region and account a stack deploys to: three data sources per stack, not per module.

Every module needs them for ARNs and key policies; looking them up once per stack keeps the
stack (and the synthesis, which pays one jsii round trip per construct) small.
"""

from __future__ import annotations

from dataclasses import dataclass

from modules.core.arn import arn
from modules.core.cdk import Construct, DataAwsCallerIdentity, DataAwsPartition, DataAwsRegion, TerraformStack


@dataclass(frozen=True)
class AwsAccount:
    """Terraform references to where the stack deploys; `arn()` builds ARNs from them."""

    partition: str
    region: str
    account_id: str

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return arn(
            self.partition,
            service,
            resource,
            region=self.region if region else "",
            account_id=self.account_id if account else "",
        )

    @staticmethod
    def of(scope: Construct) -> AwsAccount:
        """The account of the stack that `scope` belongs to, its data sources made on first use."""
        stack = TerraformStack.of(scope)
        key = id(stack)
        if key not in _BY_STACK:
            _BY_STACK[key] = (
                stack,
                AwsAccount(
                    partition=DataAwsPartition(stack, "aws_partition").partition,
                    region=DataAwsRegion(stack, "aws_region").name,
                    account_id=DataAwsCallerIdentity(stack, "aws_caller_identity").account_id,
                ),
            )
        return _BY_STACK[key][1]


# Stack object (kept alive, so its id is never reused) → its account.
_BY_STACK: dict[int, tuple[TerraformStack, AwsAccount]] = {}
