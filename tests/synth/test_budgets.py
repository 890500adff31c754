"""Budgets: two per environment, in USD at the configured rate, notifying the alert topic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from cli.config_files import load_environment
from tests.conftest import REPO, resources

ENVIRONMENTS = ("dev", "staging", "prod")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_soft_and_burst_budgets_in_usd_filtered_by_environment_tag(stacks: dict[str, Any], env: str) -> None:
    budgets = {body["name"]: body for body in resources(stacks[env], "aws_budgets_budget").values()}
    budget = load_environment(env).budget
    soft_eur, burst_eur, rate = budget.soft_limit_eur, budget.burst_limit_eur, budget.usd_per_eur
    assert {name: body["limit_amount"] for name, body in budgets.items()} == {
        f"matbakh-{env}-api-budget-soft": f"{soft_eur * rate:.2f}",
        f"matbakh-{env}-api-budget-burst": f"{burst_eur * rate:.2f}",
    }
    topic = next(iter(resources(stacks[env], "aws_sns_topic")))
    for body in budgets.values():
        assert (body["budget_type"], body["time_unit"], body["limit_unit"]) == ("COST", "MONTHLY", "USD")
        assert body["cost_filter"] == [{"name": "TagKeyValue", "values": [f"user:Environment${env}"]}]
        assert [(n["threshold"], n["notification_type"]) for n in body["notification"]] == [
            (50, "ACTUAL"),
            (80, "ACTUAL"),
            (100, "ACTUAL"),
            (100, "FORECASTED"),
        ]
        assert all(n["subscriber_sns_topic_arns"] == [f"${{aws_sns_topic.{topic}.arn}}"] for n in body["notification"])


def test_budgets_may_publish_to_the_encrypted_alert_topic(stacks: dict[str, Any]) -> None:
    import json

    (topic_name,) = [name for name in resources(stacks["prod"], "aws_sns_topic") if name.startswith("alerts_")]
    (policy_name,) = [name for name in resources(stacks["prod"], "aws_sns_topic_policy") if name.startswith("alerts_")]
    policy = json.loads(resources(stacks["prod"], "aws_sns_topic_policy")[policy_name]["policy"])
    statement = next(s for s in policy["Statement"] if s["Sid"] == "AwsServicesPublishAlerts")
    assert statement["Principal"] == {"Service": ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]}
    assert statement["Action"] == "sns:Publish"
    # ${aws_kms_key.<name>.arn}
    key_address = resources(stacks["prod"], "aws_sns_topic")[topic_name]["kms_master_key_id"]
    key_name = key_address.split(".")[1]
    key_policy = json.loads(resources(stacks["prod"], "aws_kms_key")[key_name]["policy"])
    services = [s for s in key_policy["Statement"] if s["Sid"] == "ServicesEncryptWithKey"]
    assert services[0]["Principal"]["Service"] == ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]


def test_the_gate_and_the_configuration_use_the_same_rate_and_the_budgets_fit_the_caps() -> None:
    caps = yaml.safe_load(Path(REPO / "policies" / "caps.yaml").read_text())
    for env in ENVIRONMENTS:
        config = load_environment(env)
        assert config.budget.usd_per_eur == caps["eur_to_usd"]["rate"]
        assert str(config.budget.usd_per_eur_date) == str(caps["eur_to_usd"]["date"])
        assert config.budget.burst_limit_eur <= caps["environments"][env]["budget_limit_eur_max"]
        assert (
            config.lambda_service.provisioned_concurrency.max
            <= caps["environments"][env]["provisioned_concurrency_max"]
        )
        assert config.elasticache is not None
        assert config.elasticache.replicas.max <= caps["environments"][env]["cache_replicas_max"]
