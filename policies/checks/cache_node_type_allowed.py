"""Ensure the cache node type is allowed in its environment."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import judge_against_cap


class CacheNodeTypeAllowed(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the cache node type is allowed in its environment",
            id="CKV_MBK_5",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_elasticache_replication_group"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        return judge_against_cap(self.details, conf, conf.get("node_type"), "cache_node_types", "node type")


check = CacheNodeTypeAllowed()
