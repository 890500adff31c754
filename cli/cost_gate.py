"""The cost gate: an environment's estimated monthly cost must fit its budgets.

The estimate (the cost-estimate issue's `make cost`) is JSON:
`{"environment", "floor_eur", "ceiling_eur", "items": [{"address", "service", "floor_eur", "ceiling_eur"}]}`.
The ceiling (every autoscaling target at its maximum) must be ≤ the burst budget and the floor
(every target at its minimum) ≤ the soft budget; a failure lists the largest items.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cli.errors import UserError


@dataclass(frozen=True)
class CostItem:
    address: str
    service: str
    floor_eur: float
    ceiling_eur: float


@dataclass(frozen=True)
class CostEstimate:
    environment: str
    floor_eur: float
    ceiling_eur: float
    items: tuple[CostItem, ...]


def load_estimate(path: Path) -> CostEstimate:
    try:
        data = json.loads(path.read_text())
        return CostEstimate(
            environment=str(data["environment"]),
            floor_eur=float(data["floor_eur"]),
            ceiling_eur=float(data["ceiling_eur"]),
            items=tuple(
                CostItem(str(i["address"]), str(i["service"]), float(i["floor_eur"]), float(i["ceiling_eur"]))
                for i in data["items"]
            ),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UserError(f"{path}: not a cost estimate ({type(error).__name__}: {error})", exit_code=2) from None


def _largest(items: tuple[CostItem, ...], key: str, count: int = 3) -> str:
    ranked = sorted(items, key=lambda item: getattr(item, key), reverse=True)[:count]
    return ", ".join(f"{item.address} {getattr(item, key):.2f}" for item in ranked)


def judge(estimate: CostEstimate, *, soft_limit_eur: float, burst_limit_eur: float) -> list[str]:
    """Every way the estimate breaks the budgets; empty when it fits."""
    problems = []
    if estimate.ceiling_eur > burst_limit_eur:
        problems.append(
            f"estimated ceiling {estimate.ceiling_eur:.2f} EUR/month exceeds {estimate.environment}'s burst budget "
            f"{burst_limit_eur:g} EUR; largest items: {_largest(estimate.items, 'ceiling_eur')}"
        )
    if estimate.floor_eur > soft_limit_eur:
        problems.append(
            f"estimated floor {estimate.floor_eur:.2f} EUR/month exceeds {estimate.environment}'s soft budget "
            f"{soft_limit_eur:g} EUR; largest items: {_largest(estimate.items, 'floor_eur')}"
        )
    return problems


def gate(estimate_path: Path, *, environment: str, soft_limit_eur: float, burst_limit_eur: float) -> None:
    estimate = load_estimate(estimate_path)
    if estimate.environment != environment:
        raise UserError(f"{estimate_path} estimates {estimate.environment}, not {environment}", exit_code=2)
    problems = judge(estimate, soft_limit_eur=soft_limit_eur, burst_limit_eur=burst_limit_eur)
    print(
        f"cost gate: {environment} floor {estimate.floor_eur:.2f} / ceiling {estimate.ceiling_eur:.2f} EUR/month "
        f"against soft {soft_limit_eur:g} / burst {burst_limit_eur:g} EUR"
    )
    if problems:
        raise UserError("cost gate failed:\n  " + "\n  ".join(problems))
