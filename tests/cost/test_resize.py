"""The RDS runbooks' resize, priced at report time: `make cost` quotes what the next class up costs."""

from __future__ import annotations

from typing import Any

import pytest

from cli.config_files import load_environment
from cli.cost.command import cost_of, table
from cli.cost.prices import load_price_table
from cli.cost.resize import database_resize
from modules.rds.config import next_class_up


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_the_cost_report_prices_the_next_database_class_up(stacks: dict[str, dict[str, Any]], env: str) -> None:
    config = load_environment(env)
    prices, database = load_price_table(config.region), config.rds
    bigger = next_class_up(database.instance_class)
    assert bigger is not None
    by_hand = prices.rds.instance_hour[bigger.name], prices.rds.instance_hour[database.instance_class]
    per_hour = [price.multi_az if database.multi_az else price.single_az for price in by_hand]
    difference_usd = (per_hour[0] - per_hour[1]) * prices.hours_per_month
    resize = database_resize(config, prices)
    assert resize is not None
    assert (resize.current_class, resize.next_class) == (database.instance_class, bigger.name)
    assert difference_usd > 0
    assert resize.monthly_difference_usd == pytest.approx(difference_usd)
    cost = cost_of(config, stacks[env], stacks[f"{env}-bootstrap"])
    eur = cost.estimate.eur(difference_usd)
    assert (
        f"  database resize (the CPU and connections runbooks' next class up): {database.instance_class} → "
        f"{bigger.name}, +{eur:.2f} EUR per month"
    ) in table(cost).splitlines()


def test_no_resize_is_priced_past_the_largest_class_or_for_a_class_the_table_lacks() -> None:
    config = load_environment("prod")
    prices = load_price_table(config.region)
    largest = config.model_copy(update={"rds": config.rds.model_copy(update={"instance_class": "db.r7g.8xlarge"})})
    assert next_class_up("db.r7g.8xlarge") is None
    assert database_resize(largest, prices) is None
    unpriced = prices.model_copy(update={"rds": prices.rds.model_copy(update={"instance_hour": {}})})
    assert database_resize(config, unpriced) is None
