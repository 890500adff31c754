"""moto's replication groups have no member cache clusters (Terraform reads the first one) and
stay `deleting` forever: members are created with the group, and a deleted group is gone.
moto cannot delete a cache subnet group either: it can here.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any


def _fill_replication_group_members() -> None:
    """moto 5.2.1 creates no member clusters for a replication group (Terraform reads the first) and never
    finishes deleting one: members exist as long as their group; deletion completes at once."""
    from moto.core.responses import EmptyResult
    from moto.elasticache.models import ElastiCacheBackend, ReplicationGroup
    from moto.elasticache.responses import ElastiCacheResponse

    create = ElastiCacheBackend.create_replication_group
    delete = ElastiCacheBackend.delete_replication_group

    def create_replication_group(self: ElastiCacheBackend, **arguments: Any) -> ReplicationGroup:
        group = create(self, **arguments)
        for member in group.member_clusters:
            settings: dict[str, Any] = {
                "cache_cluster_id": member,
                "replication_group_id": group.replication_group_id,
                "az_mode": None,
                "preferred_availability_zone": None,
                "num_cache_nodes": 1,
                "cache_node_type": arguments["cache_node_type"],
                "engine": arguments["engine"],
                "engine_version": arguments["engine_version"],
                "cache_parameter_group_name": arguments["cache_parameter_group_name"],
                "cache_subnet_group_name": arguments["cache_subnet_group_name"],
                "transit_encryption_enabled": arguments["transit_encryption_enabled"],
                "network_type": None,
                "ip_discovery": None,
                "snapshot_name": None,
                "preferred_maintenance_window": arguments["preferred_maintenance_window"],
                "port": arguments["port"],
                "notification_topic_arn": None,
                "auto_minor_version_upgrade": arguments["auto_minor_version_upgrade"],
                "snapshot_retention_limit": arguments["snapshot_retention_limit"],
                "snapshot_window": arguments["snapshot_window"],
                "auth_token": None,
                "outpost_mode": None,
                "preferred_outpost_arn": None,
                "preferred_availability_zones": None,
                "cache_security_group_names": None,
                "security_group_ids": arguments["security_group_ids"],
                "tags": [],
                "snapshot_arns": None,
                "preferred_outpost_arns": None,
                "log_delivery_configurations": [],
                "cache_node_ids_to_remove": [],
                "cache_node_ids_to_reboot": [],
            }
            cluster = self.create_cache_cluster(**settings)
            cluster.replication_group_id = group.replication_group_id  # moto sets it for engine redis only
        return group

    def delete_replication_group(
        self: ElastiCacheBackend, replication_group_id: str, retain_primary_cluster: bool | None
    ) -> ReplicationGroup:
        members = list(getattr(self.replication_groups.get(replication_group_id), "member_clusters", []))
        group = delete(self, replication_group_id, retain_primary_cluster)
        self.replication_groups.pop(replication_group_id, None)
        for member in members:
            self.cache_clusters.pop(member, None)
        return group

    def delete_cache_subnet_group(self: ElastiCacheResponse) -> EmptyResult:
        name = self._get_param("CacheSubnetGroupName")
        self.elasticache_backend.describe_cache_subnet_groups(name)  # raises CacheSubnetGroupNotFound
        del self.elasticache_backend.cache_subnet_groups[name]
        return EmptyResult()

    setattr(ElastiCacheResponse, "delete_cache_subnet_group", delete_cache_subnet_group)  # noqa: B010
    setattr(ElastiCacheBackend, "create_replication_group", create_replication_group)  # noqa: B010
    setattr(ElastiCacheBackend, "delete_replication_group", delete_replication_group)  # noqa: B010
