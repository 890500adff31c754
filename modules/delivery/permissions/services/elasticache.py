"""ElastiCache: everything named `<prefix>-…`."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import CACHE
from modules.delivery.permissions.grants import Grant, Permissions, service_linked_role

# ElastiCache makes its service-linked role with the first replication group or serverless cache.
_SERVICE_LINKED_ROLE = service_linked_role("elasticache.amazonaws.com")

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_elasticache_replication_group": Permissions(
        read=(Grant(("elasticache:Describe*", "elasticache:ListTagsForResource"), CACHE),),
        write=(
            Grant(
                (
                    "elasticache:CreateReplicationGroup",
                    "elasticache:ModifyReplicationGroup",
                    "elasticache:DeleteReplicationGroup",
                    "elasticache:IncreaseReplicaCount",
                    "elasticache:DecreaseReplicaCount",
                    "elasticache:AddTagsToResource",
                    "elasticache:RemoveTagsFromResource",
                ),
                CACHE,
            ),
            _SERVICE_LINKED_ROLE,
        ),
    ),
    # A serverless cache: ElastiCache's service-linked role makes its VPC endpoints in the subnets.
    "aws_elasticache_serverless_cache": Permissions(
        read=(Grant(("elasticache:DescribeServerlessCaches", "elasticache:ListTagsForResource"), CACHE),),
        write=(
            Grant(
                (
                    "elasticache:CreateServerlessCache",
                    "elasticache:ModifyServerlessCache",
                    "elasticache:DeleteServerlessCache",
                    "elasticache:AddTagsToResource",
                    "elasticache:RemoveTagsFromResource",
                ),
                CACHE,
            ),
            _SERVICE_LINKED_ROLE,
        ),
    ),
    "aws_elasticache_parameter_group": Permissions(
        read=(Grant(("elasticache:Describe*", "elasticache:ListTagsForResource"), CACHE),),
        write=(
            Grant(
                (
                    "elasticache:CreateCacheParameterGroup",
                    "elasticache:ModifyCacheParameterGroup",
                    "elasticache:ResetCacheParameterGroup",
                    "elasticache:DeleteCacheParameterGroup",
                    "elasticache:AddTagsToResource",
                    "elasticache:RemoveTagsFromResource",
                ),
                CACHE,
            ),
        ),
    ),
    # Users and the user group (IAM authentication): `user:` and `usergroup:` ARNs under the prefix.
    # Creating a user group, adding users to it, and creating or modifying a replication group
    # with it are authorized on the user and user-group ARNs too: all named, all in CACHE.
    "aws_elasticache_user": Permissions(
        read=(Grant(("elasticache:DescribeUsers", "elasticache:ListTagsForResource"), CACHE),),
        write=(
            Grant(
                (
                    "elasticache:CreateUser",
                    "elasticache:ModifyUser",
                    "elasticache:DeleteUser",
                    "elasticache:AddTagsToResource",
                    "elasticache:RemoveTagsFromResource",
                ),
                CACHE,
            ),
        ),
    ),
    "aws_elasticache_user_group": Permissions(
        read=(Grant(("elasticache:DescribeUserGroups", "elasticache:ListTagsForResource"), CACHE),),
        write=(
            Grant(
                (
                    "elasticache:CreateUserGroup",
                    "elasticache:ModifyUserGroup",
                    "elasticache:DeleteUserGroup",
                    "elasticache:AddTagsToResource",
                    "elasticache:RemoveTagsFromResource",
                ),
                CACHE,
            ),
        ),
    ),
    "aws_elasticache_subnet_group": Permissions(
        read=(Grant(("elasticache:Describe*", "elasticache:ListTagsForResource"), CACHE),),
        write=(
            Grant(
                (
                    "elasticache:CreateCacheSubnetGroup",
                    "elasticache:ModifyCacheSubnetGroup",
                    "elasticache:DeleteCacheSubnetGroup",
                    "elasticache:AddTagsToResource",
                    "elasticache:RemoveTagsFromResource",
                ),
                CACHE,
            ),
        ),
    ),
}
