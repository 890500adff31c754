"""Inputs of the cache."""

from __future__ import annotations

from pydantic import Field

from modules.core.base import StrictModel
from modules.core.scaling import ScalingRange


class ElastiCacheConfig(StrictModel):
    """Replica scaling of the cache; defaults are production's."""

    replicas: ScalingRange = Field(
        default=ScalingRange(min=1, max=3), description="Read-replica count bounds of the replication group."
    )
