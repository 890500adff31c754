"""Figures the topic pages quote about shipped values, recomputed from the files they come from (the
tables are generated: tests/unit/test_configuration_reference.py; these are the ones in prose)."""

from __future__ import annotations

from cli.config_files import load_environment
from cli.cost.prices import load_exchange_rate, load_price_table
from tests.conftest import REPO

CONFIGURATION = (REPO / "docs" / "configuration.md").read_text()
OBSERVABILITY = (REPO / "docs" / "observability.md").read_text()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _eur_a_month(usd_per_hour: float) -> float:
    prices = load_price_table(load_environment("dev").region)
    return usd_per_hour * prices.hours_per_month / load_exchange_rate().usd_per_eur


def test_the_slo_columns_of_the_alarm_table_are_dev_and_prod_as_shipped() -> None:
    def slo(env: str) -> str:
        objective = load_environment(env).slo
        return f"{objective.latency_p95_ms:g} ms / {objective.error_rate_percent:g} % / {objective.availability_percent:g} %"

    assert f"| alarm | rule | dev ({slo('dev')}) | prod ({slo('prod')}) |" in OBSERVABILITY


def test_the_running_hours_quoted_are_dev_and_stagings() -> None:
    for env in ("dev", "staging"):
        hours = load_environment(env).rds.running_hours
        assert hours is not None
        quoted = f'(dev and staging: `{{days: {hours.days}, start: "{hours.start}", end: "{hours.end}"}}`, time zone `{hours.time_zone}`)'
        assert quoted in _one_line(CONFIGURATION), env
    assert load_environment("prod").rds.running_hours is None


def test_staging_has_no_provisioned_concurrency_outside_its_windows_as_quoted() -> None:
    schedule = load_environment("staging").lambda_service.schedule
    assert schedule is not None and schedule.max_outside_windows == 0
    assert "(staging: 0, so no provisioned concurrency at all outside them" in _one_line(CONFIGURATION)


def test_the_prices_quoted_in_prose_are_the_price_tables() -> None:
    prices = load_price_table(load_environment("dev").region)
    proxy = _eur_a_month(prices.rds.proxy_min_vcpus * prices.rds.proxy_vcpu_hour.usd)
    assert f"billed for at least {prices.rds.proxy_min_vcpus} vCPUs, ~{proxy:.0f} EUR a month" in CONFIGURATION
    endpoint = _eur_a_month(prices.vpc.interface_endpoint_hour_per_az.usd)
    assert f"(about {endpoint:.1f} EUR a month per zone each)" in _one_line(CONFIGURATION)
    for env in ("dev", "staging"):
        assert load_environment(env).rds.proxy is None  # "dev's and staging's cost profile"
        assert not load_environment(env).network.interface_endpoints
    assert tuple(load_environment("prod").network.interface_endpoints) == ("xray",)
