"""RDS: instances, parameter and subnet groups are named; the proxy is named by id and tagged (created
on `*`, policies/unscoped_actions.yaml); the engine's default option group is AWS's (`BY_ID_REASONS`)."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import (
    DATABASES,
    DB_PARAMETER_GROUPS,
    DB_PROXIES,
    DB_PROXY_TARGET_GROUPS,
    DB_SNAPSHOTS,
    DB_SUBNET_GROUPS,
    DEFAULT_OPTION_GROUPS,
    RDS_MASTER_SECRETS,
)
from modules.delivery.permissions.grants import Grant, Permissions, Tag, pass_role, service_linked_role

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_db_instance": Permissions(
        read=(Grant(("rds:DescribeDBInstances", "rds:ListTagsForResource"), DATABASES),),
        write=(
            Grant(
                (
                    "rds:CreateDBInstance",
                    "rds:CreateDBInstanceReadReplica",
                    "rds:ModifyDBInstance",
                    "rds:RebootDBInstance",
                    "rds:DeleteDBInstance",
                    "rds:AddTagsToResource",
                    "rds:RemoveTagsFromResource",
                ),
                (*DATABASES, *DB_PARAMETER_GROUPS, *DB_SUBNET_GROUPS),
            ),
            # The instances name no option group: RDS authorises their creation (a replica's too: it takes
            # its source's) and a major version upgrade on the engine's default one.
            Grant(
                ("rds:CreateDBInstance", "rds:CreateDBInstanceReadReplica", "rds:ModifyDBInstance"),
                DEFAULT_OPTION_GROUPS,
            ),
            Grant(("rds:CreateDBSnapshot", "rds:AddTagsToResource"), DB_SNAPSHOTS),
            # RDS creates, rotates and deletes the managed master secret with the caller's permissions;
            # it names it by a generated id and tags it with its instance's ARN: only the environment's.
            Grant(
                (
                    "secretsmanager:CreateSecret",
                    "secretsmanager:RotateSecret",
                    "secretsmanager:TagResource",
                    "secretsmanager:UpdateSecret",
                    "secretsmanager:DeleteSecret",
                ),
                RDS_MASTER_SECRETS,
                of_databases=DATABASES,
            ),
            pass_role("monitoring.rds.amazonaws.com"),
            service_linked_role("rds.amazonaws.com"),
        ),
    ),
    "aws_db_parameter_group": Permissions(
        read=(
            Grant(
                ("rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:ListTagsForResource"),
                DB_PARAMETER_GROUPS,
            ),
        ),
        write=(
            Grant(
                (
                    "rds:CreateDBParameterGroup",
                    "rds:ModifyDBParameterGroup",
                    "rds:ResetDBParameterGroup",
                    "rds:DeleteDBParameterGroup",
                    "rds:AddTagsToResource",
                    "rds:RemoveTagsFromResource",
                ),
                DB_PARAMETER_GROUPS,
            ),
        ),
    ),
    "aws_db_subnet_group": Permissions(
        read=(Grant(("rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"), DB_SUBNET_GROUPS),),
        write=(
            Grant(
                (
                    "rds:CreateDBSubnetGroup",
                    "rds:ModifyDBSubnetGroup",
                    "rds:DeleteDBSubnetGroup",
                    "rds:AddTagsToResource",
                    "rds:RemoveTagsFromResource",
                ),
                DB_SUBNET_GROUPS,
            ),
        ),
    ),
    "aws_db_proxy": Permissions(
        read=(Grant(("rds:DescribeDBProxies", "rds:ListTagsForResource"), DB_PROXIES, tag=Tag.RESOURCE),),
        write=(
            # A proxy does not exist before it is created: RDS authorises CreateDBProxy on `*` only, with the
            # request's tags; tagging it at creation is on the new proxy.
            Grant(("rds:CreateDBProxy",), tag=Tag.REQUEST),
            Grant(("rds:AddTagsToResource",), DB_PROXIES, tag=Tag.REQUEST),
            Grant(
                ("rds:ModifyDBProxy", "rds:DeleteDBProxy", "rds:AddTagsToResource", "rds:RemoveTagsFromResource"),
                DB_PROXIES,
                tag=Tag.RESOURCE,
            ),
            pass_role("rds.amazonaws.com"),
        ),
    ),
    "aws_db_proxy_default_target_group": Permissions(
        read=(Grant(("rds:DescribeDBProxyTargetGroups",), DB_PROXIES, tag=Tag.RESOURCE),),  # on the proxy
        write=(Grant(("rds:ModifyDBProxyTargetGroup",), DB_PROXY_TARGET_GROUPS),),
    ),
    "aws_db_proxy_target": Permissions(
        # Describing the targets is authorised on the proxy and its target group; registering on the
        # target group and the instance, deregistering on the proxy as well.
        read=(
            Grant(("rds:DescribeDBProxyTargets",), DB_PROXY_TARGET_GROUPS),
            Grant(("rds:DescribeDBProxyTargets",), DB_PROXIES, tag=Tag.RESOURCE),
        ),
        write=(
            Grant(
                ("rds:RegisterDBProxyTargets", "rds:DeregisterDBProxyTargets"), (*DB_PROXY_TARGET_GROUPS, *DATABASES)
            ),
            Grant(("rds:DeregisterDBProxyTargets",), DB_PROXIES, tag=Tag.RESOURCE),
        ),
    ),
}
