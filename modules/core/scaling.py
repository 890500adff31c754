"""A min–max range shared by every autoscaling target."""

from __future__ import annotations

from pydantic import Field, model_validator

from modules.core.base import StrictModel


class ScalingRange(StrictModel):
    """Inclusive bounds of an Application Auto Scaling target's capacity."""

    min: int = Field(ge=0, description="Capacity the target never scales below.")
    max: int = Field(ge=0, description="Capacity the target never scales above (the cost ceiling).")

    @model_validator(mode="after")
    def _min_not_above_max(self) -> ScalingRange:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must be ≤ max ({self.max})")
        return self
