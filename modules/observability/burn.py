"""The SRE workbook's multiwindow, multi-burn-rate tiers, and what each means for an SLO.

Constants of the scheme, not configuration: the SLO (`SloConfig`) says how much may fail; the
tiers say how fast a budget may burn before a person hears of it. Pure arithmetic, shared by the
alarms (modules/observability/alarms.py) and the generated budget-burn table (README.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from modules.observability.config import SloConfig

SLO_PERIOD_DAYS = 30
Severity = Literal["page", "ticket"]


def duration_text(seconds: float) -> str:
    """`5 min`, `1 h`, `1 d`, `2.5 h`: the largest unit the duration reaches."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


@dataclass(frozen=True)
class BurnTier:
    """Fires while the budget burns at `factor` × its sustainable rate or faster over both windows.

    The long window says the burn matters (it spends `budget_spent_percent` of the 30-day budget);
    the short one says it is still going on, so the alert resets soon after the burn stops.
    """

    name: str
    severity: Severity
    factor: float
    long_seconds: int
    short_seconds: int

    def budget_spent_percent(self) -> float:
        """How much of the 30-day budget is gone when the long window first reaches the factor."""
        return round(100 * self.factor * self.long_seconds / (SLO_PERIOD_DAYS * 86400), 2)

    @property
    def windows(self) -> tuple[int, int]:
        return self.long_seconds, self.short_seconds

    def window_name(self, seconds: int) -> str:
        """`page-fast-1h`: the tier and the window, the suffix of its window alarm's name."""
        return f"{self.name}-{duration_text(seconds).replace(' ', '')}"


PAGE_FAST = BurnTier("page-fast", "page", 14.4, 3600, 300)
PAGE_SLOW = BurnTier("page-slow", "page", 6.0, 6 * 3600, 30 * 60)
TICKET_FAST = BurnTier("ticket-fast", "ticket", 3.0, 86400, 2 * 3600)
TICKET_SLOW = BurnTier("ticket-slow", "ticket", 1.0, 3 * 86400, 6 * 3600)
TIERS = (PAGE_FAST, PAGE_SLOW, TICKET_FAST, TICKET_SLOW)


def budgets_percent(slo: SloConfig) -> tuple[float, float]:
    """The error budget and the unavailability budget, in % of requests."""
    return slo.error_budget_percent, slo.unavailability_budget_percent


def error_rate_threshold_percent(slo: SloConfig, tier: BurnTier) -> float:
    """The sustained error rate (%) that fires `tier`: errors spend the error budget and, being
    unavailable requests too, the availability budget; whichever is smaller burns first. Never above 100."""
    return round(min(100.0, tier.factor * min(budgets_percent(slo))), 4)


def availability_threshold_percent(slo: SloConfig, tier: BurnTier) -> float:
    """The sustained availability (%) below which `tier` fires; never below 0."""
    return round(max(0.0, 100 - tier.factor * slo.unavailability_budget_percent), 4)


def time_to_fire_seconds(tier: BurnTier, burn: float) -> float | None:
    """How long a burn of `burn` × the budget rate, starting from a clean history, takes to fire
    `tier`: the long window's average reaches the factor after `long × factor / burn`. None if never."""
    if burn < tier.factor:
        return None
    return tier.long_seconds * tier.factor / burn
