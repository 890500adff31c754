"""Price a synthesized stack (`cdk.tf.json`) resource by resource: floor, ceiling and usage.

* floor: every autoscaling target at its minimum, raised inside its scheduled windows for the
  hours those windows cover in a month;
* ceiling: every target at its maximum around the clock;
* usage: what the environment's `usage:` assumptions cost (requests, duration, data, logs), the
  same in floor and ceiling, shown apart.

Each stack is indexed once (cli/cost/stack.py: resources by type and address, references
resolved, autoscaling targets linked); the registry of pricers (cli/cost/pricers/, one module per
service, each declaring the Terraform types it prices) yields the lines from that index, in the
registry's order, none depending on another. A resource type the table neither prices nor lists
as free is reported as not priced, never as 0.
An environment's estimate is before free tiers: what it uses of them is recorded as `meters`, and
the account total (cli/cost/account.py) credits each free tier once. Its bootstrap stack (state key
and bucket) is priced with it (`others`), its addresses prefixed with the stack's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cli.cost.lines import Item, Lines, Meter
from cli.cost.pricers import REGISTRY, usage_quantity
from cli.cost.pricers.cloudwatch import dashboard_metrics
from cli.cost.pricers.kms import KMS_DEFAULT_ROTATION_DAYS
from cli.cost.pricers.lambda_ import XRAY_FIXED_RATE, XRAY_RESERVOIR_PER_SECOND
from cli.cost.prices import PriceTable
from cli.cost.stack import (
    MINUTES_PER_WEEK,
    ScalingBound,
    _first_block,
    _flag,
    _number,
    _references,
    average_minimum,
    database_schedule,
    index_stack,
)
from environments.usage import UsageAssumptions

__all__ = [
    "KMS_DEFAULT_ROTATION_DAYS",
    "MINUTES_PER_WEEK",
    "NO_USAGE",
    "XRAY_FIXED_RATE",
    "XRAY_RESERVOIR_PER_SECOND",
    "Estimate",
    "Item",
    "Meter",
    "ScalingBound",
    "_first_block",
    "_flag",
    "_number",
    "_references",
    "average_minimum",
    "dashboard_metrics",
    "database_schedule",
    "estimate",
    "usage_quantity",
]
"""The names callers import from here (the helpers `_first_block` … are cli/cost/stack.py's, for profiles and
recommendations)."""


@dataclass(frozen=True)
class Estimate:
    environment: str
    region: str
    prices_version: int
    prices_date: str
    usd_per_eur: float
    usd_per_eur_date: str
    items: tuple[Item, ...]
    usage: tuple[Item, ...]
    not_priced: tuple[tuple[str, str], ...]
    free: tuple[tuple[str, str], ...]
    scaling: tuple[ScalingBound, ...]
    meters: tuple[Meter, ...] = ()
    stacks: tuple[str, ...] = ()

    @property
    def floor_usd(self) -> float:
        return sum(item.floor_usd for item in self.items)

    @property
    def ceiling_usd(self) -> float:
        return sum(item.ceiling_usd for item in self.items)

    @property
    def usage_usd(self) -> float:
        return sum(item.floor_usd for item in self.usage)

    @property
    def total_floor_usd(self) -> float:
        return self.floor_usd + self.usage_usd

    @property
    def total_ceiling_usd(self) -> float:
        return self.ceiling_usd + self.usage_usd

    def eur(self, usd: float) -> float:
        return usd / self.usd_per_eur

    def prices_used(self) -> set[str]:
        return {name for item in (*self.items, *self.usage) for name in item.prices}

    def resting_on(self, names: set[str]) -> tuple[float, float]:
        """(floor, ceiling) USD, usage included, of the lines that rest on any of the figures `names`."""
        fixed = [item for item in self.items if names.intersection(item.prices)]
        usage = sum(item.floor_usd for item in self.usage if names.intersection(item.prices))
        return sum(i.floor_usd for i in fixed) + usage, sum(i.ceiling_usd for i in fixed) + usage

    def by_service(self) -> list[tuple[str, float, float, float]]:
        """(service, floor, ceiling, usage) in USD, largest ceiling first."""
        services: dict[str, list[float]] = {}
        for item in self.items:
            row = services.setdefault(item.service, [0.0, 0.0, 0.0])
            row[0] += item.floor_usd
            row[1] += item.ceiling_usd
        for item in self.usage:
            services.setdefault(item.service, [0.0, 0.0, 0.0])[2] += item.floor_usd
        rows = [(name, floor, ceiling, usage) for name, (floor, ceiling, usage) in services.items()]
        return sorted(rows, key=lambda row: (-(row[2] + row[3]), row[0]))

    def by_feature(self) -> list[tuple[str, float, float]]:
        """(feature, floor + usage, ceiling + usage) in USD, largest ceiling first."""
        features: dict[str, list[float]] = {}
        for item in (*self.items, *self.usage):
            row = features.setdefault(item.feature, [0.0, 0.0])
            row[0] += item.floor_usd
            row[1] += item.ceiling_usd
        return sorted(((name, f, c) for name, (f, c) in features.items()), key=lambda row: (-row[2], row[0]))

    def gate_json(self) -> dict[str, Any]:
        """What `cli gate --cost-estimate` reads: totals (usage included) and every priced item, in EUR."""
        return {
            "environment": self.environment,
            "floor_eur": round(self.eur(self.total_floor_usd), 2),
            "ceiling_eur": round(self.eur(self.total_ceiling_usd), 2),
            "floor_usd": round(self.total_floor_usd, 2),
            "ceiling_usd": round(self.total_ceiling_usd, 2),
            "usage_eur": round(self.eur(self.usage_usd), 2),
            "usd_per_eur": self.usd_per_eur,
            "usd_per_eur_date": self.usd_per_eur_date,
            "free_tiers": "not applied: credited once per account, in the account total",
            "stacks": list(self.stacks),
            "prices": {"region": self.region, "version": self.prices_version, "date": self.prices_date},
            "items": [
                {
                    "address": item.address,
                    "service": item.service,
                    "part": part,
                    "floor_eur": round(self.eur(item.floor_usd), 4),
                    "ceiling_eur": round(self.eur(item.ceiling_usd), 4),
                    "basis": item.basis,
                }
                for part, items in (("fixed", self.items), ("usage", self.usage))
                for item in items
            ],
            "not_priced": [{"address": address, "type": kind} for address, kind in self.not_priced],
        }


NO_USAGE = UsageAssumptions(
    requests_per_month=0, data_transfer_gb=0, bucket_storage_gb=0, log_gb_per_month=0, cdn_cache_hit_ratio=0
)
"""What a bootstrap or account stack is priced with: nothing flows through it (its state bucket holds kilobytes)."""


def _price(
    stack: Mapping[str, Any], prices: PriceTable, usage: UsageAssumptions, prefix: str
) -> tuple[Lines, tuple[ScalingBound, ...]]:
    """One stack's lines and scaling bounds, its addresses prefixed with `prefix`."""
    index = index_stack(stack)
    lines = REGISTRY.price(index, prices, usage)
    if not prefix:
        return lines, index.scaling
    return lines.prefixed(prefix), tuple(bound.prefixed(prefix) for bound in index.scaling)


def estimate(
    stack: dict[str, Any],
    prices: PriceTable,
    usage: UsageAssumptions,
    *,
    environment: str,
    usd_per_eur: float,
    usd_per_eur_date: str,
    others: Mapping[str, dict[str, Any]] | None = None,
) -> Estimate:
    """Price every resource of one synthesized stack, and of the `others` (name → stack: its
    bootstrap) with no usage, their addresses prefixed `<name>/`."""
    priced = [_price(stack, prices, usage, "")]
    priced += [_price(other, prices, NO_USAGE, f"{name}/") for name, other in (others or {}).items()]
    lines = Lines()
    for one, _ in priced:
        lines += one
    return Estimate(
        environment=environment,
        region=prices.region,
        prices_version=prices.version,
        prices_date=prices.date.isoformat(),
        usd_per_eur=usd_per_eur,
        usd_per_eur_date=usd_per_eur_date,
        items=lines.items,
        usage=lines.usage,
        not_priced=lines.not_priced,
        free=lines.free,
        scaling=tuple(bound for _, scaling in priced for bound in scaling),
        meters=lines.meters,
        stacks=(environment, *(others or {})),
    )
