"""Inputs of observability: the service-level objectives, where alerts go, and how much is watched."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from modules.core.base import StrictModel

Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
BurnTierName = Literal["page-fast", "page-slow", "ticket-fast", "ticket-slow"]


class SloConfig(StrictModel):
    """The environment's service-level objectives; every SLO alarm derives from these."""

    latency_p95_ms: float = Field(default=200, gt=0, description="p95 API latency objective, milliseconds.")
    error_rate_percent: float = Field(default=1.0, gt=0, lt=100, description="Highest acceptable error rate.")
    availability_percent: float = Field(default=99.9, gt=0, lt=100, description="Availability objective.")

    @property
    def error_budget_percent(self) -> float:
        """The share of requests that may fail over the SLO period (30 days)."""
        return self.error_rate_percent

    @property
    def unavailability_budget_percent(self) -> float:
        return round(100 - self.availability_percent, 6)


class AlertsConfig(StrictModel):
    """Who hears the environment's alarms (the topic also gets budget notifications)."""

    emails: tuple[Email, ...] = Field(
        default=(), description="E-mail subscriptions of the alert topic (each must confirm once)."
    )


class MonitoringConfig(StrictModel):
    """What the environment pays to watch beyond its SLO alarms, which every environment has."""

    dashboard: bool = Field(
        default=True,
        description="The environment's CloudWatch dashboard (3 USD a month; the account's first 3 are free).",
    )
    operational_alarms: bool = Field(
        default=True,
        description="Per function, throttle and near-timeout alarms beside its SLO alarms (0.10 USD each a "
        "month). false: a smaller alarm set, the cost profile of dev; the error-rate, latency and "
        "availability alarms and the service's composite alarm stay.",
    )
    burn_tiers: tuple[BurnTierName, ...] = Field(
        default=("page-fast", "page-slow", "ticket-fast", "ticket-slow"),
        min_length=1,
        description="The SRE workbook's burn-rate tiers the SLO alarms have (modules/observability/burn.py): "
        "page-fast 14.4 × over 1 h and 5 min, page-slow 6 × over 6 h and 30 min, ticket-fast 3 × over 1 d "
        "and 2 h, ticket-slow 1 × over 3 d and 6 h. Each is two window alarms of three metrics per critical "
        "function (priced in docs/cost.md). Fewer: the cost profile of dev and staging.",
    )

    @field_validator("burn_tiers")
    @classmethod
    def _distinct_tiers(cls, tiers: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(tiers)) != len(tiers):
            raise ValueError("each tier at most once")
        return tiers
