"""Inputs of the budgets."""

from __future__ import annotations

import datetime
from typing import Literal, Self

from pydantic import Field, model_validator

from modules.core.base import StrictModel

_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class UsdRate(StrictModel):
    """AWS Budgets accept USD only: EUR limits are converted at `usd_per_eur`, a dated rate kept
    here (and in policies/caps.yaml, which the gate reads) so that a change of rate is reviewed."""

    # The ECB's monthly mean of July 2026, as cli/cost/exchange-rate.yaml sources it (a test checks both).
    usd_per_eur: float = Field(default=1.1417, gt=0, description="Conversion rate for the USD-only AWS Budgets.")
    usd_per_eur_date: datetime.date = Field(
        default=datetime.date(2026, 7, 31), description="When `usd_per_eur` was taken."
    )
    alert_emails: tuple[str, ...] = Field(
        default=(), description="Addresses that get budget notifications besides the alert topic."
    )

    @model_validator(mode="after")
    def _emails_look_like_emails(self) -> Self:
        import re

        bad = [address for address in self.alert_emails if not re.match(_EMAIL, address)]
        if bad:
            raise ValueError(f"alert_emails: not an e-mail address: {', '.join(bad)}")
        return self

    def usd(self, amount_eur: float) -> str:
        """An EUR amount as the USD string AWS Budgets take, to the cent."""
        return f"{amount_eur * self.usd_per_eur:.2f}"


class BudgetConfig(UsdRate):
    """Monthly cost limits of one environment, in EUR; defaults are production's."""

    soft_limit_eur: float = Field(default=690, gt=0, description="Expected monthly spend; alerts start below it.")
    burst_limit_eur: float = Field(default=1450, gt=0, description="Hard ceiling the policy gate enforces.")

    @model_validator(mode="after")
    def _soft_not_above_burst(self) -> BudgetConfig:
        if self.soft_limit_eur > self.burst_limit_eur:
            raise ValueError(
                f"soft_limit_eur ({self.soft_limit_eur:g}) must be ≤ burst_limit_eur ({self.burst_limit_eur:g})"
            )
        return self


class AccountBudgetConfig(UsdRate):
    """The account's total monthly budget across every environment and everything untagged."""

    total_limit_eur: float = Field(
        default=100,
        gt=0,
        description="Total monthly limit of the account: the environments' soft budgets added up plus the "
        "account stack set, rounded up (`make cost-update` sets it; the seed's was 100 EUR, at most 200).",
    )
    below_environments_reason: str | None = Field(
        default=None,
        min_length=10,
        description="Why the total may be lower than the soft budgets of the environments in the account "
        "added up (checked at synthesis); null: the total must cover them.",
    )


class AnomalyDetectionConfig(StrictModel):
    """Cost anomaly detection: AWS allows one service-dimension monitor per account."""

    threshold_usd: float = Field(
        default=10, gt=0, description="Report an anomaly whose total impact reaches this many USD."
    )
    environment_monitors: tuple[Literal["dev", "staging", "prod"], ...] = Field(
        default=("dev", "staging", "prod"),
        description="Environments that also get a monitor of their own, on their `Environment` cost-allocation tag.",
    )
    existing_service_monitor_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z-]*:ce::\d{12}:anomalymonitor/[A-Za-z0-9-]+$",
        description="The services monitor the account already has (AWS creates one by default, and an account "
        "may hold only one DIMENSIONAL SERVICE monitor): adopted with an import block instead of created; "
        "null: the stack creates it.",
    )
