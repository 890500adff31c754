"""Ensure every Lambda function reserves concurrency within its environment's cap."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import first, judge_against_cap


class LambdaReservedConcurrencyWithinCap(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure every Lambda function reserves concurrency within its environment's cap",
            id="CKV_MBK_1",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_lambda_function"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        value = first(conf.get("reserved_concurrent_executions"))
        if value is not None and not isinstance(value, str) and int(value) < 0:
            value = None  # -1 means "unreserved": no cost cap at all
        return judge_against_cap(self.details, conf, value, "lambda_reserved_concurrency_max", "reserved concurrency")


check = LambdaReservedConcurrencyWithinCap()
