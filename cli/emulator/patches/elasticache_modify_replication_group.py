"""moto has no `ModifyReplicationGroup` (an adopted group plans one): it changes what moto models of
a group here.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations


def _replication_groups_can_be_modified() -> None:
    """moto 5.2.1 has no `ModifyReplicationGroup`, which the provider calls for any in-place change
    of a group (an adopted group plans one: import does not read `auth_token_update_strategy` back).
    Here it changes what moto models of a group: description, node type, engine version, windows,
    snapshot retention, failover, Multi-AZ, parameter, security and user groups, auto minor version
    upgrade, notifications; a new auth token is dated and `DELETE` removes it (call after
    `_cache_members_echo_encryption_and_security_groups`: members echo the new security groups)."""
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.elasticache.responses import ElastiCacheResponse

    settable = {  # request parameter → the group's attribute, as given
        "ReplicationGroupDescription": "description",
        "CacheNodeType": "cache_node_type",
        "EngineVersion": "engine_version",
        "PreferredMaintenanceWindow": "preferred_maintenance_window",
        "SnapshotWindow": "snapshot_window",
        "CacheParameterGroupName": "cache_parameter_group_name",
        "NotificationTopicArn": "notification_topic_arn",
        "TransitEncryptionMode": "transit_encryption_mode",
    }

    def modify_replication_group(self: ElastiCacheResponse) -> ActionResult:
        (group,) = self.elasticache_backend.describe_replication_groups(self._get_param("ReplicationGroupId"))
        for parameter, attribute in settable.items():
            if self._get_param(parameter) is not None:
                setattr(group, attribute, self._get_param(parameter))
        if self._get_int_param("SnapshotRetentionLimit") is not None:
            group.snapshot_retention_limit = self._get_int_param("SnapshotRetentionLimit")
        switches = (("AutomaticFailoverEnabled", "automatic_failover"), ("MultiAZEnabled", "multi_az"))
        for parameter, attribute in switches:
            if self._get_bool_param(parameter) is not None:
                setattr(group, attribute, "enabled" if self._get_bool_param(parameter) else "disabled")
        if self._get_bool_param("AutoMinorVersionUpgrade") is not None:
            group.auto_minor_version_upgrade = self._get_bool_param("AutoMinorVersionUpgrade")
        if self._get_param("AuthToken"):
            group.auth_token_enabled, group.auth_token_last_modified_date = True, utcnow()
        elif self._get_param("AuthTokenUpdateStrategy") == "DELETE":
            group.auth_token_enabled = False
        removed = set(self._get_param("UserGroupIdsToRemove", []))
        added = [g for g in self._get_param("UserGroupIdsToAdd", []) if g not in (group.user_group_ids or [])]
        group.user_group_ids = [g for g in group.user_group_ids or [] if g not in removed] + added
        security_groups = self._get_param("SecurityGroupIds")
        if security_groups is not None:
            group.security_group_ids = security_groups
            for member in group.member_clusters:
                self.elasticache_backend.cache_clusters[member].security_groups = [
                    {"SecurityGroupId": group_id, "Status": "active"} for group_id in security_groups
                ]
        return ActionResult({"ReplicationGroup": group})

    setattr(ElastiCacheResponse, "modify_replication_group", modify_replication_group)  # noqa: B010
