"""moto has no ElastiCache serverless caches: they are kept in memory (create, describe, modify,
delete, tags), `available` at once and gone as soon as deleted, with AWS's endpoint and reader
port; their user group lists them and cannot be deleted while they use it.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

import secrets
from typing import Any

from cli.emulator.patches._elasticache import (
    SERVERLESS_CACHES_STORE,
    USER_GROUPS_STORE,
    _elasticache_fault,
    _elasticache_tags_listed_for,
)

# Region name words → the letters of AWS's short region codes (`eu-central-1` → `euc1`), as in a
# serverless cache's endpoint (`<name>-<id>.serverless.euc1.cache.amazonaws.com`).
REGION_CODE_WORDS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "southeast": "se",
    "northwest": "nw",
    "southwest": "sw",
}
SERVERLESS_ENGINES = {  # engine → (default major version, {major version: full version}, port)
    "valkey": ("8", {"7": "7.2", "8": "8.0"}, 6379),
    "redis": ("7", {"7": "7.1"}, 6379),
    "memcached": ("1.6", {"1.6": "1.6"}, 11211),
}


def _region_code(region: str) -> str:
    """AWS's short code of `region`: `eu-central-1` → `euc1`, `ap-southeast-2` → `apse2`."""
    prefix, *words, number = region.split("-")
    return prefix + "".join(REGION_CODE_WORDS.get(word, word[:1]) for word in words) + number


def _fill_serverless_caches() -> None:
    """moto 5.2.1 has no ElastiCache serverless caches (CreateServerlessCache, DescribeServerlessCaches,
    ModifyServerlessCache, DeleteServerlessCache): they are kept in memory here, per account and region.

    As on AWS: the name is stored in lower case and must be new (`ServerlessCacheAlreadyExistsFault`),
    the user group must exist (`UserGroupNotFound`; it then lists the cache, see `_fill_user_groups`),
    the engine's major version defaults to its latest, writes and reads have one endpoint on two
    ports (6379 and 6380 for Valkey). A cache is `available` at once, and gone as soon as it is
    deleted (Terraform then waits for `ServerlessCacheNotFoundFault`). Tags live in moto's tag store.
    Call after `_fill_user_groups`.
    """
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.elasticache.models import ElastiCacheBackend
    from moto.elasticache.responses import ElastiCacheResponse

    def store(backend: ElastiCacheBackend) -> dict[str, dict[str, Any]]:
        caches: dict[str, dict[str, Any]] = backend.__dict__.setdefault(SERVERLESS_CACHES_STORE, {})
        return caches

    def find(self: ElastiCacheResponse) -> dict[str, Any]:
        name = self._get_param("ServerlessCacheName", "").lower()
        if name not in store(self.elasticache_backend):
            raise _elasticache_fault("ServerlessCacheNotFoundFault", f"Serverless cache {name} not found.")
        return store(self.elasticache_backend)[name]

    def user_group(self: ElastiCacheResponse) -> str:
        group_id: str = self._get_param("UserGroupId").lower()
        if group_id not in self.elasticache_backend.__dict__.get(USER_GROUPS_STORE, {}):
            raise _elasticache_fault("UserGroupNotFound", f"User group {group_id} not found.")
        return group_id

    def limits(self: ElastiCacheResponse) -> dict[str, Any]:
        """The usage limits as sent (only the members given), which the provider reads back as such."""
        given = self._get_param("CacheUsageLimits") or {}
        return {
            kind: {key: value for key, value in given[kind].items() if value is not None}
            for kind in ("DataStorage", "ECPUPerSecond")
            if given.get(kind)
        }

    def supported(engine: str) -> str:
        if engine.lower() not in SERVERLESS_ENGINES:
            raise _elasticache_fault("InvalidParameterValue", f"Engine {engine} is not supported by serverless caches.")
        return engine.lower()

    def versions(engine: str, major: str | None) -> tuple[str, str]:
        default, full, _ = SERVERLESS_ENGINES[engine]
        major = major or default
        return major, full.get(major, major)

    def create_serverless_cache(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        name = self._get_param("ServerlessCacheName").lower()  # AWS stores the name in lower case
        if name in store(backend):
            raise _elasticache_fault("ServerlessCacheAlreadyExistsFault", f"Serverless cache {name} already exists.")
        engine = supported(self._get_param("Engine"))
        group_id = user_group(self) if self._get_param("UserGroupId") else None
        major, full = versions(engine, self._get_param("MajorEngineVersion"))
        arn = f"arn:aws:elasticache:{self.region}:{self.current_account}:serverlesscache:{name}"
        address = f"{name}-{secrets.token_hex(3)}.serverless.{_region_code(self.region)}.cache.amazonaws.com"
        port = SERVERLESS_ENGINES[engine][2]
        retention = None if engine == "memcached" else self._get_int_param("SnapshotRetentionLimit", 0)
        cache = store(backend)[name] = {
            "ServerlessCacheName": name,
            "Description": self._get_param("Description", ""),
            "CreateTime": utcnow(),
            "Status": "available",
            "Engine": engine,
            "MajorEngineVersion": major,
            "FullEngineVersion": full,
            "CacheUsageLimits": limits(self),
            "KmsKeyId": self._get_param("KmsKeyId"),
            "SecurityGroupIds": list(self._get_param("SecurityGroupIds", [])),
            "Endpoint": {"Address": address, "Port": port},
            "ReaderEndpoint": {"Address": address, "Port": port + 1},
            "ARN": arn,
            "UserGroupId": group_id,
            "SubnetIds": list(self._get_param("SubnetIds", [])),
            "SnapshotRetentionLimit": retention,
            "DailySnapshotTime": self._get_param("DailySnapshotTime"),
        }
        tags = self._get_param("Tags", [])
        if tags:
            backend.tagging_service.tag_resource(arn, tags)
        return ActionResult({"ServerlessCache": cache})

    def describe_serverless_caches(self: ElastiCacheResponse) -> ActionResult:
        caches = (
            [find(self)] if self._get_param("ServerlessCacheName") else list(store(self.elasticache_backend).values())
        )
        return ActionResult({"ServerlessCaches": caches})

    def modify_serverless_cache(self: ElastiCacheResponse) -> ActionResult:
        cache = find(self)
        engine = supported(self._get_param("Engine") or cache["Engine"])
        group_id = user_group(self) if self._get_param("UserGroupId") else cache["UserGroupId"]
        for parameter in ("Description", "DailySnapshotTime"):
            if self._get_param(parameter) is not None:
                cache[parameter] = self._get_param(parameter)
        if self._get_param("CacheUsageLimits") is not None:
            cache["CacheUsageLimits"] = limits(self)
        if self._get_param("SecurityGroupIds") is not None:
            cache["SecurityGroupIds"] = list(self._get_param("SecurityGroupIds"))
        if self._get_int_param("SnapshotRetentionLimit") is not None:
            cache["SnapshotRetentionLimit"] = self._get_int_param("SnapshotRetentionLimit")
        cache["UserGroupId"] = None if self._get_bool_param("RemoveUserGroup") else group_id
        if engine != cache["Engine"] or self._get_param("MajorEngineVersion"):
            major = self._get_param("MajorEngineVersion") or cache["MajorEngineVersion"]
            cache["Engine"] = engine
            cache["MajorEngineVersion"], cache["FullEngineVersion"] = versions(engine, major)
        return ActionResult({"ServerlessCache": cache})

    def delete_serverless_cache(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        cache = find(self)
        del store(backend)[cache["ServerlessCacheName"]]
        backend.tagging_service.delete_all_tags_for_resource(cache["ARN"])
        return ActionResult({"ServerlessCache": {**cache, "Status": "deleting"}})

    for handler in (
        create_serverless_cache,
        describe_serverless_caches,
        modify_serverless_cache,
        delete_serverless_cache,
    ):
        setattr(ElastiCacheResponse, handler.__name__, handler)

    _elasticache_tags_listed_for("serverlesscache")
