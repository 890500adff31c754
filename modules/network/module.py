"""A private VPC: subnets without any route to the internet, and a default security group that admits nothing."""

from __future__ import annotations

import ipaddress

from modules.core.cdk import Construct, DefaultSecurityGroup, Subnet, Vpc
from modules.core.label import Context
from modules.network.config import NetworkConfig


def private_subnet_cidrs(cidr_block: str, count: int) -> list[str]:
    """`count` equal subnets, each a sixteenth of the VPC (room for public subnets later)."""
    network = ipaddress.IPv4Network(cidr_block)
    return [str(subnet) for subnet in list(network.subnets(prefixlen_diff=4))[:count]]


class PrivateNetwork(Construct):
    """The VPC the cache lives in: created here, or an existing one from configuration.

    There is no VPC module yet; this is its smallest honest form. It costs nothing (no NAT
    gateway, no internet gateway), so every environment, the emulator included, has one.
    """

    def __init__(self, scope: Construct, id_: str, *, config: NetworkConfig, context: Context) -> None:
        super().__init__(scope, id_)
        if config.existing is not None:
            self.vpc_id: str = config.existing.vpc_id
            self.private_subnet_ids: list[str] = list(config.existing.private_subnet_ids)
            return
        vpc = Vpc(
            self,
            "vpc",
            cidr_block=config.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={**context.tags, "Name": context.id("private")},
        )
        # The default security group admits nothing: every resource gets a group of its own.
        vpc_id = vpc.id
        DefaultSecurityGroup(self, "default_security_group", vpc_id=vpc_id, tags=context.tags)
        subnets = [
            Subnet(
                self,
                f"private_{index}",
                vpc_id=vpc_id,
                cidr_block=cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={**context.tags, "Name": context.id("private", str(index)), "Tier": "private"},
            )
            for index, (zone, cidr) in enumerate(
                zip(
                    config.availability_zones,
                    private_subnet_cidrs(config.cidr_block, len(config.availability_zones)),
                    strict=True,
                )
            )
        ]
        self.vpc_id = vpc_id
        self.private_subnet_ids = [subnet.id for subnet in subnets]
