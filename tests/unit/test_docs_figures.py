"""Figures the topic pages quote about shipped values, recomputed from the files they come from (the
tables are generated: tests/unit/test_configuration_reference.py; these are the ones in prose)."""

from __future__ import annotations

import re
from typing import Any

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

    assert f"| alarm | rule | notifies | dev ({slo('dev')}) | prod ({slo('prod')}) |" in OBSERVABILITY


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


def test_the_near_timeout_alarm_is_at_the_quoted_share_of_each_functions_timeout(
    stacks: dict[str, dict[str, Any]],
) -> None:
    quoted = re.search(r"duration above (\d+) % of the timeout", _one_line(OBSERVABILITY))
    assert quoted is not None
    share = int(quoted.group(1)) / 100
    resources = stacks["prod"]["resource"]
    timeouts_s = sorted(f["timeout"] for f in resources["aws_lambda_function"].values())
    near_timeout = [a for name, a in resources["aws_cloudwatch_metric_alarm"].items() if "near_timeout" in name]
    assert len(near_timeout) == len(timeouts_s)
    assert all(a["metric_name"] == "Duration" and a["statistic"] == "Maximum" for a in near_timeout)
    assert sorted(a["threshold"] for a in near_timeout) == [t * 1000 * share for t in timeouts_s]


def test_the_budget_notifications_are_the_quoted_percentages(stacks: dict[str, dict[str, Any]]) -> None:
    quoted = re.search(r"notifications at ([\d/]+) % actual and (\d+) % forecasted", _one_line(OBSERVABILITY))
    assert quoted is not None
    expected = {("ACTUAL", int(p)) for p in quoted.group(1).split("/")} | {("FORECASTED", int(quoted.group(2)))}
    budgets = [
        budget
        for name in ("dev", "staging", "prod", "account")
        for budget in stacks[name]["resource"]["aws_budgets_budget"].values()
    ]
    assert len(budgets) == 7  # a soft and a burst budget per environment, and the account's total
    for budget in budgets:
        got = {(n["notification_type"], n["threshold"]) for n in budget["notification"]}
        assert got == expected and all(n["threshold_type"] == "PERCENTAGE" for n in budget["notification"])


STACKS = (REPO / "docs" / "stacks.md").read_text()
DELIVERY = (REPO / "docs" / "delivery.md").read_text()


def test_the_state_buckets_retention_quoted_is_every_environments() -> None:
    from modules.state.module import SAVED_PLAN_DAYS

    (days,) = {load_environment(env).state.noncurrent_version_expiration_days for env in ("dev", "staging", "prod")}
    text = _one_line(STACKS)
    assert f"non-current versions expiring after {days} days" in text
    assert f"(non-current versions are kept {days} days)" in text
    assert (
        SAVED_PLAN_DAYS == 1
        and "saved plans (`plans/`) readable only by the apply role and expiring after a day" in text
    )


def test_the_apply_jobs_credentials_last_its_whole_timeout_as_quoted() -> None:
    import yaml

    from modules.delivery.module import APPLY_SESSION_SECONDS

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "deliver-environment.yml").read_text())
    (apply,) = [
        job
        for job in workflow["jobs"].values()
        if any("role-duration-seconds" in (step.get("with") or {}) for step in job.get("steps", []))
    ]
    (session,) = [
        int(step["with"]["role-duration-seconds"])
        for step in apply["steps"]
        if "role-duration-seconds" in (step.get("with") or {})
    ]
    minutes = apply["timeout-minutes"]
    assert session == minutes * 60 <= APPLY_SESSION_SECONDS
    assert f"apply job's credentials last {minutes} minutes, its whole timeout" in _one_line(DELIVERY)
