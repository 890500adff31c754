"""Ensure cache replica autoscaling stays within its environment's cap."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import judge_scalable_target_max


class CacheReplicasMaxWithinCap(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure cache replica autoscaling stays within its environment's cap",
            id="CKV_MBK_3",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_appautoscaling_target"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        return judge_scalable_target_max(
            self.details, conf, "elasticache:replication-group:Replicas", "cache_replicas_max", "cache replicas max"
        )


check = CacheReplicasMaxWithinCap()
