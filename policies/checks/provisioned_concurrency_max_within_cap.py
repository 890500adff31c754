"""Ensure provisioned-concurrency autoscaling stays within its environment's cap."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import first, judge_against_cap


class ProvisionedConcurrencyMaxWithinCap(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure provisioned-concurrency autoscaling stays within its environment's cap",
            id="CKV_MBK_2",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_appautoscaling_target"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        if first(conf.get("scalable_dimension")) != "lambda:function:ProvisionedConcurrency":
            return CheckResult.PASSED  # another kind of scalable target
        return judge_against_cap(
            self.details, conf, conf.get("max_capacity"), "provisioned_concurrency_max", "provisioned concurrency max"
        )


check = ProvisionedConcurrencyMaxWithinCap()
