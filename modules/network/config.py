"""Inputs of the private network."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, field_validator

from modules.core.base import StrictModel

VpcId = Annotated[str, Field(pattern=r"^vpc-[0-9a-f]{8,17}$")]
AvailabilityZone = Annotated[str, Field(pattern=r"^[a-z]{2}-[a-z]+-\d[a-z]$")]
SubnetId = Annotated[str, Field(pattern=r"^subnet-[0-9a-f]{8,17}$")]


class ExistingNetwork(StrictModel):
    """A VPC made elsewhere (e.g. by a platform team): the stack then creates no network."""

    vpc_id: VpcId = Field(description="The VPC every security group of the stack belongs to.")
    private_subnet_ids: tuple[SubnetId, ...] = Field(
        min_length=2, description="Private subnets in at least two Availability Zones (Multi-AZ needs two)."
    )


InterfaceEndpointService = Literal["xray", "secretsmanager", "sqs", "kms", "sts", "logs"]
"""AWS APIs a function in the private subnets may need to call: each is an interface endpoint (priced per zone-hour)."""


class NetworkConfig(StrictModel):
    """A private VPC of the stack's own, unless `existing` names one; defaults are production's."""

    cidr_block: str = Field(default="10.40.0.0/16", description="IPv4 range of the created VPC (/16 to /24).")
    availability_zones: tuple[AvailabilityZone, ...] = Field(
        default=("eu-central-1a", "eu-central-1b", "eu-central-1c"),
        min_length=2,
        max_length=6,
        description="One private subnet per zone; named, so the set never grows when AWS adds a zone.",
    )
    existing: ExistingNetwork | None = Field(
        default=None, description="Use this VPC and these subnets instead of creating a network."
    )
    s3_gateway_endpoint: bool = Field(
        default=True, description="A gateway endpoint to S3 in the created VPC (free): functions reach S3 without NAT."
    )
    interface_endpoints: tuple[InterfaceEndpointService, ...] = Field(
        default=("xray",),
        description=(
            "Interface endpoints in every private subnet of the created VPC, for the AWS APIs functions call from "
            "inside it (there is no NAT gateway). `xray`: the traces of active tracing. Each costs per zone-hour."
        ),
    )

    @field_validator("interface_endpoints")
    @classmethod
    def _unique_endpoints(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({service for service in value if value.count(service) > 1})
        if repeated:
            raise ValueError(f"lists {', '.join(repeated)} more than once")
        return value

    @field_validator("cidr_block")
    @classmethod
    def _private_ipv4_range(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value)
        except ValueError:
            raise ValueError("must be an IPv4 network such as 10.40.0.0/16") from None
        if not network.is_private or not 16 <= network.prefixlen <= 24:
            raise ValueError("must be a private IPv4 range from /16 to /24, such as 10.40.0.0/16")
        return value
