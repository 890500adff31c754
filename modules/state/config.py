"""Inputs of the state bucket."""

from __future__ import annotations

from pydantic import Field

from modules.core.base import StrictModel

_BUCKET_NAME = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


class StateBucketConfig(StrictModel):
    """Where an environment's Terraform state lives; created once by the bootstrap stack."""

    bucket_name: str | None = Field(
        default=None,
        pattern=_BUCKET_NAME,
        description="Globally unique bucket name; default `<namespace>-<environment>-<service>-tfstate`, "
        "then `-<account_id>` when it is configured.",
    )
    noncurrent_version_expiration_days: int = Field(
        default=90, ge=1, le=3650, description="Days an overwritten state version is kept for restores."
    )
    kms_deletion_window_days: int = Field(
        default=30, ge=7, le=30, description="Waiting period before the state key is deleted."
    )
