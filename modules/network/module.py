"""A private VPC: subnets without any route to the internet, a default security group that admits
nothing, and endpoints through which functions in the subnets still reach the AWS APIs they call."""

from __future__ import annotations

import ipaddress

from modules.core.account import AwsAccount
from modules.core.cdk import (
    Construct,
    DefaultSecurityGroup,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    Subnet,
    Vpc,
    VpcEndpoint,
    VpcSecurityGroupEgressRule,
    VpcSecurityGroupIngressRule,
)
from modules.core.label import Context
from modules.network.config import NetworkConfig

HTTPS = 443


def private_subnet_cidrs(cidr_block: str, count: int) -> list[str]:
    """`count` equal subnets, each a sixteenth of the VPC (room for public subnets later)."""
    network = ipaddress.IPv4Network(cidr_block)
    return [str(subnet) for subnet in list(network.subnets(prefixlen_diff=4))[:count]]


class PrivateNetwork(Construct):
    """The VPC the data stores and the functions that use them live in: created here, or an
    existing one from configuration.

    It has no NAT gateway and no internet gateway. What a function in it calls goes through
    endpoints: a gateway endpoint to S3 (free) and the configured interface endpoints (priced per
    zone-hour). A function attaches `endpoint_client_security_group_id` to reach them; with an
    existing network, reaching AWS APIs is that network's business (`endpoint_client_security_group_id`
    is None).
    """

    def __init__(self, scope: Construct, id_: str, *, config: NetworkConfig, context: Context) -> None:
        super().__init__(scope, id_)
        self.endpoint_client_security_group_id: str | None = None
        self.interface_endpoint_services: tuple[str, ...] = ()
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
        # An explicit route table (not the VPC's main one): local routes only, plus the S3 endpoint's.
        routes = RouteTable(self, "private_routes", vpc_id=vpc_id, tags={**context.tags, "Name": context.id("private")})
        route_table_id = routes.id
        for index, subnet_id in enumerate(self.private_subnet_ids):
            RouteTableAssociation(self, f"private_{index}_routes", subnet_id=subnet_id, route_table_id=route_table_id)
        self._endpoints(config, context, route_table_id)

    def _endpoints(self, config: NetworkConfig, context: Context, route_table_id: str) -> None:
        """Endpoints admit HTTPS from the endpoint clients' group only; the clients may send HTTPS
        only to the endpoints (and to S3 through its gateway)."""
        region = AwsAccount.of(self).region
        clients = SecurityGroup(
            self,
            "endpoint_clients",
            name=context.id("endpoint-clients"),
            description=f"Attached to each {context.environment} function in the VPC: HTTPS to the AWS endpoints",
            vpc_id=self.vpc_id,
            tags=context.tags,
        )
        self.endpoint_client_security_group_id = clients_id = clients.id
        if config.s3_gateway_endpoint:
            s3 = VpcEndpoint(
                self,
                "s3",
                vpc_id=self.vpc_id,
                service_name=f"com.amazonaws.{region}.s3",
                vpc_endpoint_type="Gateway",
                route_table_ids=[route_table_id],
                tags={**context.tags, "Name": context.id("s3")},
            )
            VpcSecurityGroupEgressRule(
                self,
                "endpoint_clients_to_s3",
                security_group_id=clients_id,
                prefix_list_id=s3.prefix_list_id,
                ip_protocol="tcp",
                from_port=HTTPS,
                to_port=HTTPS,
                description="To S3 through the gateway endpoint",
                tags=context.tags,
            )
        if not config.interface_endpoints:
            return
        endpoints = SecurityGroup(
            self,
            "interface_endpoints",
            name=context.id("endpoints"),
            description=f"The {context.environment} interface endpoints: admit HTTPS from the endpoint clients",
            vpc_id=self.vpc_id,
            tags=context.tags,
        )
        endpoints_id = endpoints.id
        VpcSecurityGroupIngressRule(
            self,
            "endpoints_from_clients",
            security_group_id=endpoints_id,
            referenced_security_group_id=clients_id,
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            description="From the endpoint clients",
            tags=context.tags,
        )
        VpcSecurityGroupEgressRule(
            self,
            "endpoint_clients_to_endpoints",
            security_group_id=clients_id,
            referenced_security_group_id=endpoints_id,
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            description="To the interface endpoints",
            tags=context.tags,
        )
        for service in config.interface_endpoints:
            VpcEndpoint(
                self,
                f"endpoint_{service}",
                vpc_id=self.vpc_id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[endpoints_id],
                private_dns_enabled=True,
                tags={**context.tags, "Name": context.id("endpoint", service)},
            )
        self.interface_endpoint_services = tuple(config.interface_endpoints)
