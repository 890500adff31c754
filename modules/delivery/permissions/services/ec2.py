"""EC2 (the VPC): AWS names network resources by id: created with, then changed by, the Environment tag.

A create call authorizes every resource it names: the new one by the request's tag (`Tag.REQUEST`),
the existing ones it is made in (the VPC, its subnets, security groups) by theirs (`Tag.RESOURCE`),
so each create action is in both. `ec2:CreateTags` at creation is granted only with the creating call
(`ec2:CreateAction`); on an existing resource only where it carries the environment's tag."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import NETWORK, SECURITY_GROUPS
from modules.delivery.permissions.grants import Grant, Permissions, Tag

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_vpc": Permissions(
        read=(Grant(("ec2:Describe*",)),),
        write=(
            Grant(("ec2:CreateVpc", "ec2:CreateTags"), NETWORK, tag=Tag.REQUEST),
            Grant(
                ("ec2:DeleteVpc", "ec2:ModifyVpcAttribute", "ec2:CreateTags", "ec2:DeleteTags"),
                NETWORK,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
    "aws_subnet": Permissions(
        read=(Grant(("ec2:Describe*",)),),
        write=(
            Grant(("ec2:CreateSubnet", "ec2:CreateTags"), NETWORK, tag=Tag.REQUEST),
            Grant(("ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute"), NETWORK, tag=Tag.RESOURCE),
        ),
    ),
    "aws_security_group": Permissions(
        read=(Grant(("ec2:Describe*",)),),
        write=(
            Grant(("ec2:CreateSecurityGroup", "ec2:CreateTags"), NETWORK, tag=Tag.REQUEST),
            Grant(
                (
                    "ec2:CreateSecurityGroup",
                    "ec2:DeleteSecurityGroup",
                    "ec2:RevokeSecurityGroupIngress",
                    "ec2:RevokeSecurityGroupEgress",
                    "ec2:CreateTags",
                    "ec2:DeleteTags",
                ),
                NETWORK,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
    "aws_route_table": Permissions(
        read=(Grant(("ec2:Describe*",)),),
        write=(
            Grant(("ec2:CreateRouteTable", "ec2:CreateTags"), NETWORK, tag=Tag.REQUEST),
            Grant(
                ("ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateTags", "ec2:DeleteTags"),
                NETWORK,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
    "aws_route_table_association": Permissions(
        read=(Grant(("ec2:Describe*",)),),
        write=(
            Grant(
                ("ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation"),
                NETWORK,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
    "aws_vpc_endpoint": Permissions(
        read=(Grant(("ec2:Describe*",)),),
        write=(
            Grant(("ec2:CreateVpcEndpoint", "ec2:CreateTags"), NETWORK, tag=Tag.REQUEST),
            Grant(
                (
                    "ec2:CreateVpcEndpoint",
                    "ec2:ModifyVpcEndpoint",
                    "ec2:DeleteVpcEndpoints",
                    "ec2:CreateTags",
                    "ec2:DeleteTags",
                ),
                NETWORK,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
    "aws_default_security_group": Permissions(
        read=(Grant(("ec2:Describe*",)),),
        write=(
            # AWS makes the VPC's default security group with the VPC, untagged: Terraform adopts it by tagging.
            Grant(("ec2:CreateTags",), SECURITY_GROUPS, untagged=True),
            Grant(
                ("ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags", "ec2:DeleteTags"),
                NETWORK,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
    "aws_vpc_security_group_ingress_rule": Permissions(
        read=(Grant(("ec2:Describe*",)),),
        write=(
            Grant(("ec2:AuthorizeSecurityGroupIngress", "ec2:CreateTags"), NETWORK, tag=Tag.REQUEST),
            Grant(
                (
                    "ec2:AuthorizeSecurityGroupIngress",
                    "ec2:RevokeSecurityGroupIngress",
                    "ec2:ModifySecurityGroupRules",
                    "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
                ),
                NETWORK,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
    "aws_vpc_security_group_egress_rule": Permissions(
        read=(Grant(("ec2:Describe*",)),),
        write=(
            Grant(("ec2:AuthorizeSecurityGroupEgress", "ec2:CreateTags"), NETWORK, tag=Tag.REQUEST),
            Grant(
                (
                    "ec2:AuthorizeSecurityGroupEgress",
                    "ec2:RevokeSecurityGroupEgress",
                    "ec2:ModifySecurityGroupRules",
                    "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
                ),
                NETWORK,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
}
