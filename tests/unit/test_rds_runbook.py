"""The runbooks: every alarm of every configuration renders with StrictUndefined, the short one
fits AWS's 1,024 characters, and the resize runbooks name the next class and the YAML change."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

from cli.config_files import load_environment
from modules.core.cdk import App, AwsProvider, TerraformStack
from modules.lambda_service.module import DataStores, FunctionPackage, LambdaService
from modules.network.module import PrivateNetwork
from modules.observability.module import AlertTopic
from modules.rds.config import INSTANCE_CLASSES, RdsConfig, instance_class, next_class_up
from modules.rds.module import PostgresDatabase
from modules.rds.runbook import RUNBOOK, SUMMARY, AlarmFacts, render_runbook, render_summary

ALARMS = {"cpu", "connections", "freeable-memory", "free-storage", "read-latency", "write-latency"}


def _database(env: str, **changes: Any) -> PostgresDatabase:
    config = load_environment(env)
    rds = RdsConfig.model_validate({**config.rds.model_dump(), **changes})
    stack = TerraformStack(App(outdir="/tmp/unused"), env)
    AwsProvider(stack, "aws", region=config.region)
    alerts = AlertTopic(stack, "alerts", context=config.context)
    network = PrivateNetwork(stack, "network", config=config.network, context=config.context)
    return PostgresDatabase(
        stack,
        "database",
        config=rds,
        context=config.context,
        network=network,
        alerts=alerts,
    )


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_alarm_has_a_runbook(env: str) -> None:
    database = _database(env)
    with_proxy = {"proxy-client-connections"} if load_environment(env).rds.proxy is not None else set()
    assert set(database.runbooks) == ALARMS | with_proxy
    assert bool(with_proxy) == (env == "prod")  # dev's and staging's cost profile has no proxy
    assert set(database.alarm_names) == set(database.runbooks)
    for key, text in database.runbooks.items():
        assert text.startswith(f"Runbook: matbakh-{env}-api-db-{key} ({env})\n\nObserved: ")


def test_replicas_add_a_lag_runbook_each() -> None:
    database = _database("dev", read_replicas=2, running_hours=None)  # a stopped primary has no replicas
    assert {"replica-1-lag", "replica-2-lag"} <= set(database.runbooks)
    assert "Replica matbakh-dev-api-db-replica-2 lags the primary" in database.runbooks["replica-2-lag"]


def test_the_resize_runbooks_point_to_the_cost_report_for_the_price_and_quote_none() -> None:
    """Synthesis reads no price (a price edit changes no plan): the report quotes it."""
    database = _database("prod")
    for key in ("cpu", "connections"):
        assert "Monthly price difference: `make cost ENV=prod` shows it (database resize)." in database.runbooks[key]
    assert not [key for key, text in database.runbooks.items() if "EUR" in text or "USD" in text]


def _facts(**changes: Any) -> AlarmFacts:
    facts: dict[str, Any] = {
        "alarm_key": "cpu",
        "alarm_name": "matbakh-prod-api-db-cpu",
        "environment": "prod",
        "identifier": "matbakh-prod-api-db",
        "observed": "Average CPU above 60 % for 3 periods of 300 s",
        "action": "resize",
        "current": instance_class("db.m7g.large"),
        "next_class": next_class_up("db.m7g.large"),
        "checks": ("a missing index",),
        "multi_az": True,
        "maintenance_window": "sun:04:00-sun:05:00",
        "max_allocated_storage_gib": 500,
    }
    return AlarmFacts(**{**facts, **changes})


def test_the_resize_runbook_says_what_was_observed_the_next_class_and_the_exact_yaml_change() -> None:
    text = render_runbook(_facts())
    assert "Observed: Average CPU above 60 % for 3 periods of 300 s." in text
    assert "db.m7g.large (8 GiB memory, 2 vCPU, default max_connections 901)" in text
    assert "Next class up: db.m7g.xlarge (16 GiB memory, 4 vCPU, default max_connections 1802)." in text
    assert "The change, in environments/prod.yaml:\n\nrds:\n  instance_class: db.m7g.xlarge\n" in text
    assert "with Multi-AZ, RDS resizes the standby first" in text


def test_the_largest_class_of_a_family_points_to_another_family() -> None:
    text = render_runbook(_facts(current=instance_class("db.r7g.8xlarge"), next_class=None))
    assert "db.r7g.8xlarge is the largest r7g class this code knows" in text
    assert "Largest class of its family" in render_summary(_facts(next_class=None))


def test_the_storage_runbook_doubles_the_ceiling() -> None:
    text = render_runbook(_facts(alarm_key="free-storage", action="storage", checks=()))
    assert "rds:\n  max_allocated_storage_gib: 1000\n" in text


@pytest.mark.parametrize("action", ["resize", "storage", "investigate"])
@pytest.mark.parametrize("name", sorted(INSTANCE_CLASSES))
def test_every_combination_renders_and_the_summary_fits_the_alarm_description(action: str, name: str) -> None:
    facts = _facts(
        action=action,
        current=instance_class(name),
        next_class=next_class_up(name),
        checks=("x" * 200, "y" * 200),
    )
    assert render_runbook(facts)
    assert len(render_summary(facts)) <= 1024


def test_a_missing_variable_is_an_error_not_an_empty_string() -> None:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    variables = _facts().variables()
    for template in (RUNBOOK, SUMMARY):
        for missing in ("environment", "current", "yaml_file"):
            with pytest.raises(jinja2.UndefinedError):
                environment.from_string(template).render(**{k: v for k, v in variables.items() if k != missing})


def test_a_summary_too_long_for_aws_is_refused() -> None:
    with pytest.raises(ValueError, match="AWS allows 1024"):
        render_summary(_facts(action="investigate", checks=("z" * 1100,)))


def test_a_function_that_uses_the_database_needs_the_stacks_database() -> None:
    config = load_environment("dev")
    stack = TerraformStack(App(outdir="/tmp/unused"), "dev")
    AwsProvider(stack, "aws", region=config.region)
    network = PrivateNetwork(stack, "network", config=config.network, context=config.context)
    with pytest.raises(ValueError, match="a function uses the database, but the stack has none"):
        LambdaService(
            stack,
            "lambda",
            config=config.lambda_service,
            context=config.context,
            stores=DataStores(network=network),
            packages={"functions/api": FunctionPackage(filename="package.zip", sha256_base64="unused")},
        )
