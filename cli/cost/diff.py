"""What a change does to each environment's monthly cost: the floor and ceiling before and after,
and the resources that moved them, as a cost comment on a pull request shows it
(`make cost-diff BASE=<ref>`). Figures are EUR a month before free tiers, usage included."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cli.cost.estimate import Estimate, Item

SIGNIFICANT_EUR = 0.005
"""A line whose floor and ceiling both move less than this (a rounding) has not moved."""


@dataclass(frozen=True)
class Range:
    floor: float
    ceiling: float

    def __sub__(self, other: Range) -> Range:
        return Range(self.floor - other.floor, self.ceiling - other.ceiling)

    @property
    def moved(self) -> bool:
        return abs(self.floor) >= SIGNIFICANT_EUR or abs(self.ceiling) >= SIGNIFICANT_EUR


NOTHING = Range(0.0, 0.0)


@dataclass(frozen=True)
class MovedLine:
    """One resource's priced feature whose cost changed (`before` NOTHING: added; `after`: removed)."""

    address: str
    feature: str
    before: Range
    after: Range

    @property
    def delta(self) -> Range:
        return self.after - self.before


@dataclass(frozen=True)
class EnvironmentDiff:
    environment: str
    before: Range
    after: Range
    moved: tuple[MovedLine, ...]

    @property
    def delta(self) -> Range:
        return self.after - self.before


def _lines(estimate: Estimate | None) -> dict[tuple[str, str], Range]:
    """EUR per (address, feature); a resource's fixed and usage parts of one feature add up."""
    if estimate is None:
        return {}
    lines: dict[tuple[str, str], Range] = {}
    items: Iterable[Item] = (*estimate.items, *estimate.usage)
    for item in items:
        key = (item.address, item.feature)
        old = lines.get(key, NOTHING)
        lines[key] = Range(old.floor + estimate.eur(item.floor_usd), old.ceiling + estimate.eur(item.ceiling_usd))
    return lines


def _total(estimate: Estimate | None) -> Range:
    if estimate is None:
        return NOTHING
    return Range(estimate.eur(estimate.total_floor_usd), estimate.eur(estimate.total_ceiling_usd))


def compare(environment: str, before: Estimate | None, after: Estimate | None) -> EnvironmentDiff:
    """The change from `before` (None: the environment is new) to `after` (None: it is gone)."""
    old, new = _lines(before), _lines(after)
    moved = [
        MovedLine(address, feature, old.get((address, feature), NOTHING), new.get((address, feature), NOTHING))
        for address, feature in sorted(old.keys() | new.keys())
    ]
    moved = [line for line in moved if line.delta.moved]
    moved.sort(key=lambda line: (-abs(line.delta.ceiling), -abs(line.delta.floor), line.address))
    return EnvironmentDiff(environment, _total(before), _total(after), tuple(moved))


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-0.00", "+0.00")


def _change(before: float, after: float) -> str:
    return f"{before:.2f} → {after:.2f} ({_signed(after - before)})"


def _what(line: MovedLine) -> str:
    if line.before == NOTHING:
        return "added"
    return "removed" if line.after == NOTHING else "changed"


def render_text(diffs: list[EnvironmentDiff], *, base: str, shown: int = 10) -> str:
    """The printed diff: per environment its totals, then the lines that moved, largest first."""
    out = [f"cost diff: {base} → this working tree (EUR/month, before free tiers, usage included)"]
    for diff in diffs:
        if not diff.delta.moved and not diff.moved:
            totals = f"floor {diff.after.floor:.2f}, ceiling {diff.after.ceiling:.2f}"
            out.append(f"  {diff.environment}: no change ({totals})")
            continue
        out.append(
            f"  {diff.environment}: floor {_change(diff.before.floor, diff.after.floor)}, "
            f"ceiling {_change(diff.before.ceiling, diff.after.ceiling)}"
        )
        for line in diff.moved[:shown]:
            out.append(
                f"    {_what(line):7} {line.address} ({line.feature}): floor {_signed(line.delta.floor)}, "
                f"ceiling {_signed(line.delta.ceiling)}"
            )
        if len(diff.moved) > shown:
            out.append(f"    … and {len(diff.moved) - shown} more (the Markdown report lists every line)")
    return "\n".join(out)


def render_markdown(diffs: list[EnvironmentDiff], *, base: str) -> str:
    """The pull request's cost comment: a summary table, then each environment's moved lines."""
    out = [
        f"### Cost diff against `{base}`",
        "",
        "EUR a month, before free tiers, usage included.",
        "",
        "| environment | floor before | floor after | Δ floor | ceiling before | ceiling after | Δ ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for diff in diffs:
        b, a, d = diff.before, diff.after, diff.delta
        out.append(
            f"| {diff.environment} | {b.floor:.2f} | {a.floor:.2f} | {_signed(d.floor)} "
            f"| {b.ceiling:.2f} | {a.ceiling:.2f} | {_signed(d.ceiling)} |"
        )
    for diff in diffs:
        if not diff.moved:
            continue
        out += ["", f"#### {diff.environment}", "", "| resource | feature | | Δ floor | Δ ceiling |"]
        out.append("|---|---|---|---:|---:|")
        out += [
            f"| `{line.address}` | {line.feature} | {_what(line)} | {_signed(line.delta.floor)} "
            f"| {_signed(line.delta.ceiling)} |"
            for line in diff.moved
        ]
    return "\n".join(out) + "\n"
