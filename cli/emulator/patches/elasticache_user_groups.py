"""moto has ElastiCache users (IAM authentication included) but no user groups: they are kept in
memory (create, describe, modify, delete, tags), as the cache's IAM-authenticated clients need.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any

from cli.emulator.patches._elasticache import (
    SERVERLESS_CACHES_STORE,
    USER_GROUPS_STORE,
    _elasticache_fault,
    _elasticache_tags_listed_for,
)


def _fill_user_groups() -> None:
    """moto 5.2.1 has ElastiCache users but no user groups (CreateUserGroup, DescribeUserGroups,
    ModifyUserGroup, DeleteUserGroup): they are kept in memory here, per account and region.

    As on AWS: the members must exist, each user lists the groups it is in, a group lists the
    replication groups and serverless caches it is attached to and cannot be deleted while it is
    (`InvalidUserGroupState`), and deletion completes at once
    (Terraform then waits for `UserGroupNotFound`). Tags live in moto's tag store.
    """
    from moto.core.responses import ActionResult
    from moto.elasticache.exceptions import UserNotFound
    from moto.elasticache.models import ElastiCacheBackend
    from moto.elasticache.responses import ElastiCacheResponse

    def store(backend: ElastiCacheBackend) -> dict[str, dict[str, Any]]:
        groups: dict[str, dict[str, Any]] = backend.__dict__.setdefault(USER_GROUPS_STORE, {})
        return groups

    def find(self: ElastiCacheResponse) -> dict[str, Any]:
        group_id = self._get_param("UserGroupId")
        if group_id not in store(self.elasticache_backend):
            raise _elasticache_fault("UserGroupNotFound", f"User group {group_id} not found.")
        return store(self.elasticache_backend)[group_id]

    def join(backend: ElastiCacheBackend, group_id: str, user_ids: list[str]) -> None:
        for user_id in user_ids:
            if user_id not in backend.users:
                raise UserNotFound(user_id)
        for user_id in user_ids:
            if group_id not in backend.users[user_id].user_group_ids:
                backend.users[user_id].user_group_ids.append(group_id)

    def leave(backend: ElastiCacheBackend, group_id: str, user_ids: list[str]) -> None:
        for user_id in user_ids:
            user = backend.users.get(user_id)
            if user is not None and group_id in user.user_group_ids:
                user.user_group_ids.remove(group_id)

    def view(backend: ElastiCacheBackend, group: dict[str, Any]) -> dict[str, Any]:
        attached = [
            replication.replication_group_id
            for replication in backend.replication_groups.values()
            if group["UserGroupId"] in (replication.user_group_ids or [])
        ]
        serverless = [  # kept by `_fill_serverless_caches`
            name
            for name, cache in backend.__dict__.get(SERVERLESS_CACHES_STORE, {}).items()
            if cache["UserGroupId"] == group["UserGroupId"]
        ]
        return {
            **group,
            "UserIds": list(group["UserIds"]),
            "ReplicationGroups": attached,
            "ServerlessCaches": serverless,
        }

    def create_user_group(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        group_id = self._get_param("UserGroupId").lower()  # AWS stores the id in lower case
        if group_id in store(backend):
            raise _elasticache_fault("UserGroupAlreadyExists", f"User group {group_id} already exists.")
        engine = self._get_param("Engine", "").lower()
        user_ids = list(self._get_param("UserIds", []))
        join(backend, group_id, user_ids)
        arn = f"arn:aws:elasticache:{self.region}:{self.current_account}:usergroup:{group_id}"
        group = store(backend)[group_id] = {
            "UserGroupId": group_id,
            "Status": "active",
            "Engine": engine,
            "UserIds": user_ids,
            "MinimumEngineVersion": "7.2" if engine == "valkey" else "6.0",
            "ARN": arn,
        }
        tags = self._get_param("Tags", [])
        if tags:
            backend.tagging_service.tag_resource(arn, tags)
        return ActionResult(view(backend, group))

    def describe_user_groups(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        groups = [find(self)] if self._get_param("UserGroupId") else list(store(backend).values())
        return ActionResult({"UserGroups": [view(backend, group) for group in groups]})

    def modify_user_group(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        group = find(self)
        added = [u for u in self._get_param("UserIdsToAdd", []) if u not in group["UserIds"]]
        removed = [u for u in self._get_param("UserIdsToRemove", []) if u in group["UserIds"]]
        join(backend, group["UserGroupId"], added)
        leave(backend, group["UserGroupId"], removed)
        group["UserIds"] = [u for u in group["UserIds"] if u not in removed] + added
        return ActionResult(view(backend, group))

    def delete_user_group(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        group = find(self)
        shown = view(backend, group)
        if shown["ReplicationGroups"] or shown["ServerlessCaches"]:
            caches = ", ".join(shown["ReplicationGroups"] + shown["ServerlessCaches"])
            raise _elasticache_fault(
                "InvalidUserGroupState", f"User group {group['UserGroupId']} is associated with {caches}."
            )
        leave(backend, group["UserGroupId"], group["UserIds"])
        del store(backend)[group["UserGroupId"]]
        backend.tagging_service.delete_all_tags_for_resource(group["ARN"])
        return ActionResult({**shown, "Status": "deleting"})

    for handler in (create_user_group, describe_user_groups, modify_user_group, delete_user_group):
        setattr(ElastiCacheResponse, handler.__name__, handler)

    _elasticache_tags_listed_for("usergroup")
