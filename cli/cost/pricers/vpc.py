"""VPC: NAT gateways (hours, and the GB they process) and endpoints (gateway: free; interface:
zone-hours, and the GB they process)."""

from __future__ import annotations

from collections.abc import Iterator

from cli.cost.lines import Line, NotPriced, fixed, usage
from cli.cost.pricers.base import Context, pricer, usage_quantity


@pricer("aws_nat_gateway")
def nat_gateways(context: Context) -> Iterator[Line]:
    vpc, hours = context.prices.vpc, context.hours
    gateways = context.stack.of("aws_nat_gateway")
    for address, _ in gateways:
        hourly = vpc.nat_gateway_hour.usd * hours
        yield fixed(address, "vpc", "NAT gateway", hourly, hourly, f"{hours:g} h", "vpc.nat_gateway_hour")
        gb = usage_quantity(context.usage, "nat_gateway_gb_per_month") / len(gateways)
        yield usage(
            f"{address}#data",
            "vpc",
            "NAT gateway",
            gb * vpc.nat_gateway_gb.usd,
            f"{gb:g} GB processed (usage nat_gateway_gb_per_month)",
            "vpc.nat_gateway_gb",
        )


@pricer("aws_vpc_endpoint")
def endpoints(context: Context) -> Iterator[Line]:
    """Gateway endpoints first (free), then the interface ones, each in the stack's order."""
    vpc, hours = context.prices.vpc, context.hours
    interface = []
    for address, endpoint in context.stack.of("aws_vpc_endpoint"):
        kind = str(endpoint.get("vpc_endpoint_type", "Gateway"))
        if kind == "Gateway":
            yield fixed(address, "vpc", "VPC endpoints", 0, 0, "gateway endpoint (free)")
        elif kind == "Interface":
            interface.append((address, endpoint))
        else:
            yield NotPriced(address, f"aws_vpc_endpoint ({kind})")
    for address, endpoint in interface:
        subnets = endpoint.get("subnet_ids") or []
        zones = len(subnets) if isinstance(subnets, list) else len(context.stack.refs(address, "subnet_ids"))
        zones = max(zones, 1)
        hourly = zones * vpc.interface_endpoint_hour_per_az.usd * hours
        yield fixed(
            address,
            "vpc",
            "VPC endpoints",
            hourly,
            hourly,
            f"interface endpoint in {zones} zone(s) × {hours:g} h at {vpc.interface_endpoint_hour_per_az.usd} USD/h",
            "vpc.interface_endpoint_hour_per_az",
        )
        gb = usage_quantity(context.usage, "vpc_endpoint_gb_per_month") / len(interface)
        yield usage(
            f"{address}#data",
            "vpc",
            "VPC endpoints",
            gb * vpc.interface_endpoint_gb.usd,
            f"{gb:g} GB processed (usage vpc_endpoint_gb_per_month)",
            "vpc.interface_endpoint_gb",
        )
