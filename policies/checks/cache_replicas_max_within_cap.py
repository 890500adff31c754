"""Ensure cache replica autoscaling stays within its environment's cap."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import first, judge_against_cap


class CacheReplicasMaxWithinCap(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure cache replica autoscaling stays within its environment's cap",
            id="CKV_MBK_3",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_appautoscaling_target"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        if first(conf.get("scalable_dimension")) != "elasticache:replication-group:Replicas":
            return CheckResult.PASSED  # another kind of scalable target
        return judge_against_cap(
            self.details, conf, conf.get("max_capacity"), "cache_replicas_max", "cache replicas max"
        )


check = CacheReplicasMaxWithinCap()
