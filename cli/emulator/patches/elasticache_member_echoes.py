"""moto's cache clusters echo neither at-rest encryption nor security groups nor their parameter
group, which the provider reads of a replication group from its first member: the members echo
their group's.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any


def _cache_members_echo_encryption_and_security_groups() -> None:
    """moto 5.2.1's cache clusters have no `AtRestEncryptionEnabled` and no `SecurityGroups`; the
    provider reads both of a replication group from its first member, so a second plan replaced
    the group. Here each member echoes its group's at-rest encryption and security group ids (call
    after `_fill_replication_group_members`, which creates the members), and its parameter group
    (`CacheParameterGroup`, which moto keeps as a bare name it never answers): an imported group
    read without it planned a `ModifyReplicationGroup` moto lacks."""
    from moto.elasticache.models import ElastiCacheBackend, ReplicationGroup

    create = ElastiCacheBackend.create_replication_group

    def create_replication_group(self: ElastiCacheBackend, **arguments: Any) -> ReplicationGroup:
        group = create(self, **arguments)
        for member in group.member_clusters:
            cluster = self.cache_clusters[member]
            cluster.at_rest_encryption_enabled = bool(arguments.get("at_rest_encryption_enabled"))
            cluster.security_groups = [
                {"SecurityGroupId": group_id, "Status": "active"}
                for group_id in arguments.get("security_group_ids") or []
            ]
            if arguments.get("cache_parameter_group_name"):
                cluster.cache_parameter_group = {
                    "CacheParameterGroupName": arguments["cache_parameter_group_name"],
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                }
        return group

    setattr(ElastiCacheBackend, "create_replication_group", create_replication_group)  # noqa: B010
