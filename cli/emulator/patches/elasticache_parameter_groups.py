"""moto has no ElastiCache parameter groups: they are kept in memory (create, describe, modify,
describe parameters, reset, delete, tags), enough for Terraform's lifecycle of one.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any

from cli.emulator.patches._elasticache import _elasticache_tags_listed_for


def _parameter_group_not_found(name: str) -> Exception:
    from moto.elasticache.exceptions import ElastiCacheException

    class CacheParameterGroupNotFound(ElastiCacheException):
        code = "CacheParameterGroupNotFound"

    return CacheParameterGroupNotFound(f"CacheParameterGroup {name} not found.")


def _fill_cache_parameter_groups() -> None:
    """moto 5.2.1 has no ElastiCache parameter groups: kept in memory, per account and region; only
    user-set parameters are kept."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.elasticache.responses import ElastiCacheResponse

    def store(self: ElastiCacheResponse) -> dict[str, dict[str, Any]]:
        backend = self.elasticache_backend
        groups: dict[str, dict[str, Any]] = backend.__dict__.setdefault("_autoscale_parameter_groups", {})
        return groups

    def find(self: ElastiCacheResponse) -> dict[str, Any]:
        name = self._get_param("CacheParameterGroupName")
        if name not in store(self):
            raise _parameter_group_not_found(name)
        return store(self)[name]

    def create_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
        name = self._get_param("CacheParameterGroupName")
        arn = f"arn:aws:elasticache:{self.region}:{self.current_account}:parametergroup:{name}"
        group = {
            "CacheParameterGroupName": name,
            "CacheParameterGroupFamily": self._get_param("CacheParameterGroupFamily"),
            "Description": self._get_param("Description"),
            "IsGlobal": False,
            "ARN": arn,
        }
        store(self)[name] = {"group": group, "parameters": {}}
        tags = self._get_param("Tags", [])
        if tags:
            self.elasticache_backend.tagging_service.tag_resource(arn, tags)
        return ActionResult({"CacheParameterGroup": group})

    def describe_cache_parameter_groups(self: ElastiCacheResponse) -> ActionResult:
        name = self._get_param("CacheParameterGroupName")
        groups = [find(self)["group"]] if name else [entry["group"] for entry in store(self).values()]
        return ActionResult({"CacheParameterGroups": groups})

    def modify_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
        entry = find(self)
        for item in self._get_param("ParameterNameValues", []):
            entry["parameters"][item["ParameterName"]] = item["ParameterValue"]
        return ActionResult({"CacheParameterGroupName": entry["group"]["CacheParameterGroupName"]})

    def reset_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
        entry = find(self)
        if self._get_bool_param("ResetAllParameters"):
            entry["parameters"].clear()
        for item in self._get_param("ParameterNameValues", []):
            entry["parameters"].pop(item["ParameterName"], None)
        return ActionResult({"CacheParameterGroupName": entry["group"]["CacheParameterGroupName"]})

    def describe_cache_parameters(self: ElastiCacheResponse) -> ActionResult:
        parameters = [
            {"ParameterName": key, "ParameterValue": value, "Source": "user", "IsModifiable": True}
            for key, value in sorted(find(self)["parameters"].items())
        ]
        return ActionResult({"Parameters": parameters})

    def delete_cache_parameter_group(self: ElastiCacheResponse) -> EmptyResult:
        entry = find(self)
        del store(self)[entry["group"]["CacheParameterGroupName"]]
        return EmptyResult()

    for handler in (
        create_cache_parameter_group,
        describe_cache_parameter_groups,
        modify_cache_parameter_group,
        reset_cache_parameter_group,
        describe_cache_parameters,
        delete_cache_parameter_group,
    ):
        setattr(ElastiCacheResponse, handler.__name__, handler)

    _elasticache_tags_listed_for("parametergroup")
