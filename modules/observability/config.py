"""Inputs of observability: the service-level objectives."""

from __future__ import annotations

from pydantic import Field

from modules.core.base import StrictModel


class SloConfig(StrictModel):
    """The environment's service-level objectives; every SLO alarm derives from these."""

    latency_p95_ms: float = Field(default=200, gt=0, description="p95 API latency objective, milliseconds.")
    error_rate_percent: float = Field(default=1.0, gt=0, lt=100, description="Highest acceptable error rate.")
    availability_percent: float = Field(default=99.9, gt=0, lt=100, description="Availability objective.")
