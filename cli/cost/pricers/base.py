"""A pricer: a function declaring the Terraform types it prices, yielding their lines; the registry.

As checkov's checks declare their `supported_resources`, each pricer declares the resource types
it prices (`@pricer("aws_kms_key")`) and yields `cli.cost.lines` for resources of those types
only, reading the stack's immutable index (cli/cost/stack.py) and anything of it, never what
another pricer produced. The registry keys the pricers by type (a type has at most one) and
concatenates their lines in its order, then sweeps what none of them handled: free where the
price table lists the type as free, otherwise NOT PRICED (never 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from cli.cost.lines import Free, Line, Lines, NotPriced
from cli.cost.prices import PriceTable
from cli.cost.stack import StackIndex, _number
from environments.usage import UsageAssumptions


class RegistryError(RuntimeError):
    """A pricer that breaks the registry's rules: a type claimed twice, a line for a type not declared."""


@dataclass(frozen=True)
class Context:
    """What every pricer reads: the stack's index, the price table and the usage assumptions."""

    stack: StackIndex
    prices: PriceTable
    usage: UsageAssumptions

    @property
    def hours(self) -> float:
        return self.prices.hours_per_month


PriceFunction = Callable[[Context], Iterable[Line]]


@dataclass(frozen=True)
class Pricer:
    name: str
    types: tuple[str, ...]
    """The Terraform resource types it prices (its `supported_resources`)."""
    price: PriceFunction

    def __call__(self, context: Context) -> Lines:
        """Its lines for one stack; a line about a resource of a type it does not declare is an error."""
        lines = Lines.of(self.price(context))
        strays = sorted(a for a in lines.addresses() if a.split(".", 1)[0] not in self.types)
        if strays:
            raise RegistryError(f"pricer {self.name} priced {', '.join(strays)}: not of its types {self.types}")
        return lines


def pricer(*types: str) -> Callable[[PriceFunction], Pricer]:
    """Make `function` a pricer of `types` (the registry, cli/cost/pricers/__init__.py, lists it)."""
    if not types:
        raise RegistryError("a pricer declares at least one resource type")

    def register(function: PriceFunction) -> Pricer:
        return Pricer(f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}", types, function)

    return register


class Registry:
    """The pricers in the order their lines appear in an estimate, keyed by the types they price."""

    def __init__(self, pricers: Iterable[Pricer]) -> None:
        self.pricers = tuple(pricers)
        by_type: dict[str, Pricer] = {}
        for one in self.pricers:
            for kind in one.types:
                if kind in by_type:
                    raise RegistryError(f"{kind} is priced by both {by_type[kind].name} and {one.name}")
                by_type[kind] = one
        self.by_type: Mapping[str, Pricer] = MappingProxyType(by_type)

    def __iter__(self) -> Iterator[Pricer]:
        return iter(self.pricers)

    def supported_types(self) -> list[str]:
        return sorted(self.by_type)

    def pricer_for(self, kind: str) -> Pricer | None:
        return self.by_type.get(kind)

    def price(self, stack: StackIndex, prices: PriceTable, usage: UsageAssumptions) -> Lines:
        """Every pricer's lines in the registry's order, then the sweep of what none handled."""
        context = Context(stack, prices, usage)
        priced = Lines()
        for one in self.pricers:
            priced += one(context)
        return priced + Lines.of(sweep(stack, prices, priced.handled))


def sweep(stack: StackIndex, prices: PriceTable, handled: set[str]) -> Iterator[Free | NotPriced]:
    """Every resource no pricer handled, by type then in the stack's order: free where the price
    table lists its type as free (with why), otherwise not priced (its type: the estimate is too low by it)."""
    for kind in stack.types:
        for address, _ in stack.of(kind):
            if address in handled:
                continue
            if kind in prices.free:
                yield Free(address, prices.free[kind])
            else:
                yield NotPriced(address, kind)


def usage_quantity(usage: UsageAssumptions, name: str) -> float:
    """A usage assumption the estimate can price where the environment's `usage:` model has it
    (e.g. `vpc_endpoint_gb_per_month` once functions reach AWS through endpoints); 0 until then."""
    return _number(getattr(usage, name, 0.0))
