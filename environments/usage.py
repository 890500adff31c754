"""Usage assumptions of an environment: what the cost estimate's usage-based part is priced on.

Not infrastructure: nothing is created from these; `make cost` prices them (defaults are production's).
"""

from __future__ import annotations

from pydantic import Field

from modules.core.base import StrictModel


class UsageAssumptions(StrictModel):
    """Expected monthly traffic; the estimate shows what it costs apart from the fixed floor and ceiling."""

    requests_per_month: int = Field(
        default=3_000_000, ge=0, description="API requests reaching the functions, spread evenly over them."
    )
    average_duration_ms: float = Field(default=120, gt=0, le=900_000, description="Average function duration.")
    data_transfer_gb: float = Field(default=50, ge=0, description="Data served to the internet (CloudFront), GB.")
    cdn_cache_hit_ratio: float = Field(
        default=0.5, ge=0, lt=1, description="Share of CloudFront requests served from its cache, not the origin."
    )
    bucket_storage_gb: float = Field(
        default=5, ge=0, description="Data kept in the stack's S3 buckets (Standard), spread evenly over them, GB."
    )
    log_gb_per_month: float = Field(
        default=5, ge=0, description="Log volume ingested into CloudWatch Logs, spread evenly over the log groups."
    )
