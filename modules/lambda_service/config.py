"""Inputs of the Lambda functions."""

from __future__ import annotations

from pydantic import Field

from modules.core.base import StrictModel
from modules.core.scaling import ScalingRange


class LambdaServiceConfig(StrictModel):
    """Scaling of the API's critical functions; defaults are production's."""

    provisioned_concurrency: ScalingRange = Field(
        default=ScalingRange(min=2, max=20),
        description="Provisioned-concurrency autoscaling bounds per critical function.",
    )
