"""Ensure the CloudFront price class is allowed in its environment."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import first, judge_against_cap


class CloudFrontPriceClassAllowed(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the CloudFront price class is allowed in its environment",
            id="CKV_MBK_7",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_cloudfront_distribution"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        value = first(conf.get("price_class")) or "PriceClass_All"  # the provider default
        return judge_against_cap(self.details, conf, value, "cloudfront_price_classes", "price class")


check = CloudFrontPriceClassAllowed()
