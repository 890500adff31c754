"""The pieces every stack has: its AWS providers pinned to the account, and its remote state."""

from __future__ import annotations

from environments.schema import StackSetConfig
from modules.core.cdk import AwsProvider, S3Backend, TerraformStack
from modules.state.module import state_bucket_name


def remote_state(stack: TerraformStack, config: StackSetConfig) -> None:
    """The stack set's state: its bucket, its own key, encrypted, S3-native locking."""
    S3Backend(
        stack,
        bucket=state_bucket_name(config.state, config.context, config.account_id),
        key=config.state_key,
        region=config.region,
        encrypt=True,
    )
    # S3-native locking (Terraform ≥ 1.10); cdktf 0.21 predates the argument.
    stack.add_override("terraform.backend.s3.use_lockfile", True)


def aws_provider(
    stack: TerraformStack,
    config: StackSetConfig,
    *,
    id_: str = "aws",
    region: str | None = None,
    alias: str | None = None,
) -> AwsProvider:
    """Every AWS provider of the stacks is made here: credentials of another account than the configured
    one fail before anything is read or created (unpinned only while `account_id` is null)."""
    return AwsProvider(
        stack,
        id_,
        region=region or config.region,
        alias=alias,
        allowed_account_ids=[config.account_id] if config.account_id else None,
    )
