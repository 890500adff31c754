"""The account total: every environment (before free tiers), the account stack set, and the free
tiers AWS gives the account each month, credited once.

An environment's estimate records what it uses of each free tier (`Estimate.meters`); the credit
of a tier is what the account's whole use of it would cost up to the free quantity, taken from the
cheapest uses first (so it is never overstated when a tier covers lines priced differently, e.g.
Arm and x86 GB-seconds). The account stack set (`account`, `account-bootstrap`) lives in
us-east-1 and holds budgets, anomaly monitors, an alert topic, its keys and its state bucket; it is
priced with the environments' table (its priced parts, KMS keys, cost the same in every
commercial region).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cli.cost.estimate import NO_USAGE, Estimate, Meter, estimate
from cli.cost.prices import FreeTiers, PriceTable
from stacks.names import bootstrap_stack_name, main_stack_name

ACCOUNT = "account"
ACCOUNT_STACKS = (main_stack_name(ACCOUNT), bootstrap_stack_name(ACCOUNT))


@dataclass(frozen=True)
class Credit:
    """What one free tier takes off the account's month."""

    tier: str
    unit: str
    free: float
    used: float
    usd: float

    @property
    def credited(self) -> float:
        return min(self.free, self.used)


@dataclass(frozen=True)
class AccountEstimate:
    own: Estimate
    environments: tuple[Estimate, ...]
    credits: tuple[Credit, ...]

    def eur(self, usd: float) -> float:
        return self.own.eur(usd)

    @property
    def credit_usd(self) -> float:
        return sum(credit.usd for credit in self.credits)

    @property
    def before_free_tiers_floor_usd(self) -> float:
        return self.own.total_floor_usd + sum(e.total_floor_usd for e in self.environments)

    @property
    def before_free_tiers_ceiling_usd(self) -> float:
        return self.own.total_ceiling_usd + sum(e.total_ceiling_usd for e in self.environments)

    @property
    def total_floor_usd(self) -> float:
        return self.before_free_tiers_floor_usd - self.credit_usd

    @property
    def total_ceiling_usd(self) -> float:
        return self.before_free_tiers_ceiling_usd - self.credit_usd

    def summary_json(self) -> dict[str, Any]:
        """What `make cost` writes to .work/cost/account/account-estimate.json, in EUR."""
        return {
            "account_stacks": {
                "floor_eur": round(self.eur(self.own.total_floor_usd), 2),
                "ceiling_eur": round(self.eur(self.own.total_ceiling_usd), 2),
                "items": [
                    {"address": i.address, "floor_eur": round(self.eur(i.floor_usd), 4), "basis": i.basis}
                    for i in self.own.items
                ],
            },
            "environments_before_free_tiers": {
                e.environment: {
                    "floor_eur": round(e.eur(e.total_floor_usd), 2),
                    "ceiling_eur": round(e.eur(e.total_ceiling_usd), 2),
                }
                for e in self.environments
            },
            "free_tiers": [
                {
                    "tier": c.tier,
                    "free": c.free,
                    "used": round(c.used, 2),
                    "unit": c.unit,
                    "credit_eur": round(self.eur(c.usd), 4),
                }
                for c in self.credits
            ],
            "before_free_tiers_eur": {
                "floor": round(self.eur(self.before_free_tiers_floor_usd), 2),
                "ceiling": round(self.eur(self.before_free_tiers_ceiling_usd), 2),
            },
            "free_tiers_credit_eur": round(self.eur(self.credit_usd), 2),
            "total_eur": {
                "floor": round(self.eur(self.total_floor_usd), 2),
                "ceiling": round(self.eur(self.total_ceiling_usd), 2),
            },
            "usd_per_eur": self.own.usd_per_eur,
            "usd_per_eur_date": self.own.usd_per_eur_date,
        }


def free_tier_credits(meters: list[Meter], tiers: FreeTiers) -> tuple[Credit, ...]:
    """One credit per free tier (in the table's order), from the account's use of it."""
    credits = []
    for name in type(tiers).model_fields:
        tier = tiers.of(name)
        uses = sorted((m for m in meters if m.tier == name), key=lambda m: m.unit_usd)
        remaining, usd = tier.quantity, 0.0
        for use in uses:
            taken = min(remaining, use.quantity)
            usd += taken * use.unit_usd
            remaining -= taken
        credits.append(Credit(name, tier.unit, tier.quantity, sum(m.quantity for m in uses), usd))
    return tuple(credits)


def account_estimate(
    environments: list[Estimate],
    stacks: dict[str, dict[str, Any]],
    prices: PriceTable,
    *,
    usd_per_eur: float,
    usd_per_eur_date: str,
) -> AccountEstimate:
    """The account stack set priced (no usage flows through it), plus every environment, less the free tiers."""
    main, *others = ACCOUNT_STACKS
    own = estimate(
        stacks[main],
        prices,
        NO_USAGE,
        environment=ACCOUNT,
        usd_per_eur=usd_per_eur,
        usd_per_eur_date=usd_per_eur_date,
        others={name: stacks[name] for name in others if name in stacks},
    )
    meters = [m for e in (*environments, own) for m in e.meters]
    return AccountEstimate(own, tuple(environments), free_tier_credits(meters, prices.free_tiers))
