"""What a pricer returns: the lines of an estimate, each an immutable value.

A pricer (cli/cost/pricers/) yields, for the resources of the types it declares, any of

* `Fixed`: a line of the floor and the ceiling (`fixed(…)`);
* `Usage`: a line of the usage part, the same in floor and ceiling (`usage(…)`);
* `Meter`: what a line uses of an account-wide free tier (`meter(…)`: none for a zero quantity);
* `NotPriced`: a resource it cannot price (e.g. an instance class the table lacks), never 0;
* `Free`: a resource it knows costs nothing of its own (e.g. priced on another).

`Lines` gathers them in the order yielded. A resource that has a fixed line, or is explicitly
not priced or free, is *handled*; every other one the registry sweeps into `free` (the price
table lists its type as free) or `not_priced` (`sweep`, cli/cost/pricers/base.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """One priced line: a resource (or its usage) with what it costs a month, in USD."""

    address: str
    service: str
    feature: str
    floor_usd: float
    ceiling_usd: float
    basis: str
    prices: tuple[str, ...] = ()
    """Dotted names of the price-table figures the line rests on (for the unverified share)."""


@dataclass(frozen=True)
class Meter:
    """What one line uses of an account-wide free tier: `quantity` at `unit_usd` each."""

    tier: str
    address: str
    quantity: float
    unit_usd: float


@dataclass(frozen=True)
class Fixed:
    item: Item


@dataclass(frozen=True)
class Usage:
    item: Item


@dataclass(frozen=True)
class NotPriced:
    address: str
    kind: str
    """The resource type, with why in parentheses when the type is priced but this resource is not."""


@dataclass(frozen=True)
class Free:
    address: str
    why: str


Line = Fixed | Usage | Meter | NotPriced | Free


def fixed(address: str, service: str, feature: str, floor: float, ceiling: float, basis: str, *prices: str) -> Fixed:
    return Fixed(Item(address, service, feature, floor, ceiling, basis, prices))


def usage(address: str, service: str, feature: str, usd: float, basis: str, *prices: str) -> Usage:
    return Usage(Item(address, service, feature, usd, usd, basis, prices))


def meter(tier: str, address: str, quantity: float, unit_usd: float) -> tuple[Meter, ...]:
    """The meter of a line (`yield from`): none when it uses nothing of the tier."""
    return (Meter(tier, address, quantity, unit_usd),) if quantity > 0 else ()


def resource_of(address: str) -> str:
    """The resource a line's address is about: `aws_db_instance.database#storage` → `aws_db_instance.database`."""
    return address.split("#", 1)[0]


@dataclass(frozen=True)
class Lines:
    items: tuple[Item, ...] = ()
    usage: tuple[Item, ...] = ()
    meters: tuple[Meter, ...] = ()
    not_priced: tuple[tuple[str, str], ...] = ()
    free: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, lines: Iterable[Line]) -> Lines:
        items: list[Item] = []
        usage_items: list[Item] = []
        meters: list[Meter] = []
        not_priced: list[tuple[str, str]] = []
        free: list[tuple[str, str]] = []
        for line in lines:
            if isinstance(line, Fixed):
                items.append(line.item)
            elif isinstance(line, Usage):
                usage_items.append(line.item)
            elif isinstance(line, Meter):
                meters.append(line)
            elif isinstance(line, NotPriced):
                not_priced.append((line.address, line.kind))
            else:
                free.append((line.address, line.why))
        return cls(tuple(items), tuple(usage_items), tuple(meters), tuple(not_priced), tuple(free))

    def __add__(self, other: Lines) -> Lines:
        return Lines(
            self.items + other.items,
            self.usage + other.usage,
            self.meters + other.meters,
            self.not_priced + other.not_priced,
            self.free + other.free,
        )

    def addresses(self) -> set[str]:
        """The resources every line (usage and meters included) is about."""
        return (
            {resource_of(i.address) for i in (*self.items, *self.usage)}
            | {resource_of(m.address) for m in self.meters}
            | {address for address, _ in (*self.not_priced, *self.free)}
        )

    @property
    def handled(self) -> set[str]:
        """The resources with a fixed line, or explicitly not priced or free: the sweep leaves them alone."""
        return {resource_of(i.address) for i in self.items} | {a for a, _ in (*self.not_priced, *self.free)}

    def prefixed(self, prefix: str) -> Lines:
        """Every address prefixed (another stack's lines, e.g. `dev-bootstrap/`)."""
        if not prefix:
            return self
        return Lines(
            tuple(dataclasses.replace(i, address=f"{prefix}{i.address}") for i in self.items),
            tuple(dataclasses.replace(i, address=f"{prefix}{i.address}") for i in self.usage),
            tuple(dataclasses.replace(m, address=f"{prefix}{m.address}") for m in self.meters),
            tuple((f"{prefix}{a}", k) for a, k in self.not_priced),
            tuple((f"{prefix}{a}", why) for a, why in self.free),
        )
