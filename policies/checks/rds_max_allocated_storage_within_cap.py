"""Ensure database storage autoscaling stays within its environment's cap."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import first, judge_against_cap


class RdsMaxAllocatedStorageWithinCap(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure database storage autoscaling stays within its environment's cap",
            id="CKV_MBK_6",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_db_instance"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        value = first(conf.get("max_allocated_storage"))
        if value is None:
            value = first(conf.get("allocated_storage"))  # no autoscaling: the fixed size is the ceiling
        return judge_against_cap(
            self.details, conf, value, "rds_max_allocated_storage_gib_max", "storage ceiling (GiB)"
        )


check = RdsMaxAllocatedStorageWithinCap()
