"""Inputs of the budgets."""

from __future__ import annotations

from pydantic import Field, model_validator

from modules.core.base import StrictModel


class BudgetConfig(StrictModel):
    """Monthly cost limits of one environment, in EUR; defaults are production's."""

    soft_limit_eur: float = Field(default=60, gt=0, description="Expected monthly spend; alerts start below it.")
    burst_limit_eur: float = Field(default=120, gt=0, description="Hard ceiling the policy gate enforces.")

    @model_validator(mode="after")
    def _soft_not_above_burst(self) -> BudgetConfig:
        if self.soft_limit_eur > self.burst_limit_eur:
            raise ValueError(
                f"soft_limit_eur ({self.soft_limit_eur:g}) must be ≤ burst_limit_eur ({self.burst_limit_eur:g})"
            )
        return self
