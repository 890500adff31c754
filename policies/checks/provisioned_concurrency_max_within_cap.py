"""Ensure provisioned-concurrency autoscaling stays within its environment's cap."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import judge_scalable_target_max


class ProvisionedConcurrencyMaxWithinCap(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure provisioned-concurrency autoscaling stays within its environment's cap",
            id="CKV_MBK_2",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_appautoscaling_target"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        return judge_scalable_target_max(
            self.details,
            conf,
            "lambda:function:ProvisionedConcurrency",
            "provisioned_concurrency_max",
            "provisioned concurrency max",
        )


check = ProvisionedConcurrencyMaxWithinCap()
