"""The resize the RDS runbooks name (the next class up), priced: a report's figure, never the plan's
(synthesis reads no price, so editing a price changes no plan)."""

from __future__ import annotations

from dataclasses import dataclass

from cli.cost.prices import PriceTable
from environments.schema import EnvironmentConfig
from modules.rds.config import next_class_up


@dataclass(frozen=True)
class DatabaseResize:
    """The class the CPU and connections runbooks move to, and what it costs more a month (USD)."""

    current_class: str
    next_class: str
    monthly_difference_usd: float


def database_resize(config: EnvironmentConfig, prices: PriceTable) -> DatabaseResize | None:
    """None where there is no class up (the largest of its family) or the table prices either not."""
    database = config.rds
    bigger = next_class_up(database.instance_class)
    if bigger is None:
        return None
    try:
        difference = prices.monthly_instance_price_usd(bigger.name, database.multi_az) - (
            prices.monthly_instance_price_usd(database.instance_class, database.multi_az)
        )
    except KeyError:
        return None
    return DatabaseResize(database.instance_class, bigger.name, difference)
