"""Inputs of the PostgreSQL database."""

from __future__ import annotations

from pydantic import Field

from modules.core.base import StrictModel


class RdsConfig(StrictModel):
    """Database capacity alarms; defaults are production's."""

    cpu_alarm_threshold_percent: float = Field(
        default=60, gt=0, le=100, description="Average CPU above which the capacity alarm fires."
    )
