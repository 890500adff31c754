"""SLO and service alarms, the composite alarm, the dashboard and the account-level stack,
asserted on the synthesized JSON of every shipped environment."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli.config_files import load_account, load_environment
from environments.loader import ConfigError
from tests.conftest import only, resources, synthesize

ENVIRONMENTS = ("dev", "staging", "prod")
WITH_DASHBOARD = [env for env in ENVIRONMENTS if load_environment(env).monitoring.dashboard]
WITH_EDGE_ALARMS = [env for env in ENVIRONMENTS if load_environment(env).cdn.alarms is not None]
SMALL = [env for env in ENVIRONMENTS if not load_environment(env).monitoring.operational_alarms]
"""dev's cost profile: no dashboard, no throttle or near-timeout alarms, no edge alarms."""
# The SRE workbook's tiers (modules/observability/burn.py): window alarm → (burn factor, period).
WINDOWS = {
    "burn-page-fast-1h": (14.4, 3600),
    "burn-page-fast-5min": (14.4, 300),
    "burn-page-slow-6h": (6, 21600),
    "burn-page-slow-30min": (6, 1800),
    "burn-ticket-fast-1d": (3, 86400),
    "burn-ticket-fast-2h": (3, 7200),
    "burn-ticket-slow-3d": (1, 259200),
    "burn-ticket-slow-6h": (1, 21600),
}


def _windows(env: str) -> dict[str, tuple[float, int]]:
    """The window alarms of the tiers `env` pays for (monitoring.burn_tiers)."""
    tiers = load_environment(env).monitoring.burn_tiers
    return {kind: value for kind, value in WINDOWS.items() if any(kind.startswith(f"burn-{t}-") for t in tiers)}


def _slo_alarms(env: str) -> tuple[str, ...]:
    """A critical function's SLO metric alarms; the composites `slo-page` and `slo-ticket` join the windows."""
    return ("latency-p95", *_windows(env))


def _alarms(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {body["alarm_name"]: body for body in resources(stack, "aws_cloudwatch_metric_alarm").values()}


def _critical_functions(env: str) -> dict[str, str]:
    """Function key → function name of every critical function of `env`."""
    config = load_environment(env)
    return {
        key: config.context.id(key) for key, settings in config.lambda_service.functions.items() if settings.critical
    }


def _periods(alarm: dict[str, Any]) -> set[int]:
    return {query["metric"]["period"] for query in alarm["metric_query"] if "metric" in query}


def _expressions(alarm: dict[str, Any]) -> dict[str, str]:
    return {query["id"]: query["expression"] for query in alarm["metric_query"] if "expression" in query}


def _assert_burn_alarms(stack: dict[str, Any], env: str, function_name: str, slo: dict[str, float]) -> None:
    """Each window alarm: the tier's factor over its window, on both budgets of `slo`."""
    alarms = _alarms(stack)
    unavailable = round(100 - slo["availability_percent"], 6)
    assert {n.removeprefix(f"{function_name}-") for n in alarms if n.startswith(f"{function_name}-burn-")} == set(
        _windows(env)
    )
    for kind, (factor, period) in _windows(env).items():
        alarm = alarms[f"{function_name}-{kind}"]
        assert (alarm["threshold"], alarm["comparison_operator"]) == (factor, "GreaterThanOrEqualToThreshold")
        assert (alarm["evaluation_periods"], alarm["datapoints_to_alarm"]) == (1, 1)
        assert _periods(alarm) == {period}
        assert alarm["treat_missing_data"] == "notBreaching"
        assert _expressions(alarm) == {
            "requests": "FILL(invocations, 0) + FILL(throttles, 0)",
            "error_burn": f"100 * FILL(errors, 0) / requests / {slo['error_rate_percent']:g}",
            "unavailable_burn": f"100 * (FILL(errors, 0) + FILL(throttles, 0)) / requests / {unavailable:g}",
            "result": "MAX([error_burn, unavailable_burn])",
        }
        metrics = {q["id"]: q["metric"] for q in alarm["metric_query"] if "metric" in q}
        assert {i: (m["metric_name"], m["stat"]) for i, m in metrics.items()} == {
            "errors": ("Errors", "Sum"),
            "throttles": ("Throttles", "Sum"),
            "invocations": ("Invocations", "Sum"),
        }
        assert all(
            m["dimensions"] == {"FunctionName": function_name, "Resource": f"{function_name}:live"}
            for m in metrics.values()
        )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_critical_function_has_slo_alarms_at_its_environments_objectives(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    objective = load_environment(env).slo
    functions = _critical_functions(env)
    assert functions, "the shipped environments have critical functions"
    for name in functions.values():
        alarms = _alarms(stack)
        latency = alarms[f"{name}-latency-p95"]
        assert latency["threshold"] == objective.latency_p95_ms
        assert (latency["metric_name"], latency["extended_statistic"], latency["period"]) == ("Duration", "p95", 300)
        assert "statistic" not in latency and "metric_query" not in latency
        assert latency["dimensions"] == {"FunctionName": name, "Resource": f"{name}:live"}
        assert (latency["evaluation_periods"], latency["datapoints_to_alarm"]) == (3, 3)
        assert latency["treat_missing_data"] == "notBreaching"
        _assert_burn_alarms(stack, env, name, objective.model_dump())


def test_changing_the_slo_and_the_critical_flag_in_yaml_changes_the_alarms(repo_copy: Path, tmp_path: Path) -> None:
    dev_yaml = repo_copy / "environments" / "dev.yaml"
    data = yaml.safe_load(dev_yaml.read_text())
    slo = {"latency_p95_ms": 350, "error_rate_percent": 0.5, "availability_percent": 99.5}
    data["slo"] = slo
    data.setdefault("lambda", {})["functions"] = {"upload": {"critical": False}}
    data["alerts"] = {"emails": ["oncall@example.com"]}
    dev_yaml.write_text(yaml.safe_dump(data))
    stack = synthesize(tmp_path / "out", "--env", "dev", "--force", cwd=repo_copy)["dev"]

    _assert_burn_alarms(stack, "dev", "matbakh-dev-api-persona", slo)
    assert _alarms(stack)["matbakh-dev-api-persona-latency-p95"]["threshold"] == 350
    alarms = _alarms(stack)
    assert not [name for name in alarms if name.startswith("matbakh-dev-api-upload-") and "burn" in name]
    assert alarms["matbakh-dev-api-upload-errors"]["threshold"] == 0  # non-critical: any error is reported
    # Both topics, the pages' and the tickets', have the same subscribers.
    subscriptions = sorted(
        (body["topic_arn"].split(".")[1].split("_")[0], body["protocol"], body["endpoint"])
        for body in resources(stack, "aws_sns_topic_subscription").values()
    )
    assert subscriptions == [("alerts", "email", "oncall@example.com"), ("tickets", "email", "oncall@example.com")]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_service_alarms_watch_throttles_timeouts_and_spillover(stacks: dict[str, dict[str, Any]], env: str) -> None:
    config = load_environment(env)
    alarms = _alarms(stacks[env])
    for key, settings in config.lambda_service.functions.items():
        name = config.context.id(key)
        if not config.monitoring.operational_alarms:
            assert f"{name}-throttles" not in alarms and f"{name}-near-timeout" not in alarms
            continue
        assert alarms[f"{name}-throttles"]["threshold"] == 0
        assert alarms[f"{name}-near-timeout"]["threshold"] == round(settings.timeout_seconds * 1000 * 0.9)
        near_timeout = alarms[f"{name}-near-timeout"]
        assert (near_timeout["metric_name"], near_timeout["statistic"]) == ("Duration", "Maximum")
        has_spillover_alarm = f"{name}-spillover" in alarms
        assert has_spillover_alarm == config.lambda_service.has_provisioned_concurrency(key)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_composite_alarm_fires_when_a_latency_or_page_tier_alarm_does(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    composites = resources(stack, "aws_cloudwatch_composite_alarm")
    (composite,) = [body for body in composites.values() if body["alarm_name"].endswith("-service-degraded")]
    assert composite["alarm_name"] == f"matbakh-{env}-api-service-degraded"
    referenced = re.findall(
        r'ALARM\("\$\{(aws_cloudwatch_\w+_alarm)\.([^.]+)\.alarm_name\}"\)', composite["alarm_rule"]
    )
    named = {resources(stack, kind)[ref]["alarm_name"] for kind, ref in referenced}
    expected = {f"{name}-latency-p95" for name in _critical_functions(env).values()} | {f"matbakh-{env}-api-slo-page"}
    assert named == expected
    assert composite["alarm_rule"].count(" OR ") == len(expected) - 1


def _composite_children(stack: dict[str, Any]) -> dict[str, list[str]]:
    """Composite alarm address → the `type.address` of every alarm its rule names."""
    return {
        address: [
            f"{kind}.{ref}"
            for kind, ref in re.findall(r"\$\{(aws_cloudwatch_\w+_alarm)\.([^.]+)\.alarm_name\}", body["alarm_rule"])
        ]
        for address, body in resources(stack, "aws_cloudwatch_composite_alarm").items()
    }


def test_every_alarm_of_every_stack_notifies_its_alert_topic_on_alarm_and_ok(
    stacks: dict[str, dict[str, Any]],
) -> None:
    """Or, as a window of a burn tier, notifies nobody and is a condition of a composite that does;
    ticket tiers notify the ticket topic."""
    walked = 0
    for stack_name, stack in stacks.items():
        topics = resources(stack, "aws_sns_topic")
        parents = {child: parent for parent, children in _composite_children(stack).items() for child in children}
        composites = resources(stack, "aws_cloudwatch_composite_alarm")
        for kind in ("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"):
            for address, alarm in resources(stack, kind).items():
                where = f"{stack_name}: {kind}.{address}"
                if "alarm_actions" not in alarm:
                    assert "-burn-" in alarm["alarm_name"] and "ok_actions" not in alarm, where
                    parent = composites[parents[f"{kind}.{address}"]]
                    assert parent["alarm_actions"], where
                    continue
                # An alarm notifies only a topic of its own region: the CDN's us-east-1 alarms notify
                # the us-east-1 topic, whose state changes EventBridge forwards (tests/synth/test_cdn.py).
                same_region = [t for t, body in topics.items() if body.get("provider") == alarm.get("provider")]
                purpose = "tickets_topic" if alarm["alarm_name"].endswith("-slo-ticket") else "alerts_topic"
                alert_topics = [t for t in same_region if t.startswith((purpose, "cdn_edge_alerts_topic"))]
                assert len(alert_topics) == 1, f"{where} has no alert topic in its stack"
                topic = alert_topics[0]
                reference = f"${{aws_sns_topic.{topic}.arn}}"
                assert alarm["alarm_actions"] == [reference], where
                assert alarm["ok_actions"] == [reference], where
                walked += 1
    assert walked > 3 * 20  # the walk saw the alarms of all three environments


def _dashboard_metrics(stack: dict[str, Any]) -> tuple[list[list[Any]], list[str]]:
    body = json.loads(only(stack, "aws_cloudwatch_dashboard")["dashboard_body"])
    metrics = [row for widget in body["widgets"] for row in widget["properties"].get("metrics", [])]
    alarms = [arn for widget in body["widgets"] for arn in widget["properties"].get("alarms", [])]
    return metrics, alarms


@pytest.mark.parametrize("env", WITH_DASHBOARD)
def test_the_dashboard_is_json_and_names_only_resources_of_its_stack(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    metrics, alarm_arns = _dashboard_metrics(stack)
    functions = {f["function_name"] for f in resources(stack, "aws_lambda_function").values()}
    aliases = {f"{name}:live" for name in functions}
    (group,) = [g["replication_group_id"] for g in resources(stack, "aws_elasticache_replication_group").values()]
    databases = {d["identifier"] for d in resources(stack, "aws_db_instance").values()}
    proxies = {f"${{aws_db_proxy.{name}.name}}" for name in resources(stack, "aws_db_proxy")}
    (distribution,) = resources(stack, "aws_cloudfront_distribution")
    seen_namespaces = set()
    for row in metrics:
        namespace, _metric, *rest = row
        dimensions = dict(zip(rest[0:-1:2], rest[1:-1:2], strict=True))
        seen_namespaces.add(namespace)
        if namespace == "AWS/Lambda":
            assert dimensions["FunctionName"] in functions, row
            assert dimensions.get("Resource", f"{dimensions['FunctionName']}:live") in aliases, row
        elif namespace == "AWS/ElastiCache":
            assert re.fullmatch(rf"{group}-0001-00[1-9]", dimensions["CacheClusterId"]), row
        elif namespace == "AWS/RDS":
            assert dimensions.get("DBInstanceIdentifier") in databases or dimensions.get("ProxyName") in proxies, row
        elif namespace == "AWS/CloudFront":
            assert dimensions == {
                "DistributionId": f"${{aws_cloudfront_distribution.{distribution}.id}}",
                "Region": "Global",
            }
        else:
            pytest.fail(f"unexpected namespace {namespace}")
    assert seen_namespaces == {"AWS/Lambda", "AWS/ElastiCache", "AWS/RDS", "AWS/CloudFront"}
    body = json.loads(only(stack, "aws_cloudwatch_dashboard")["dashboard_body"])
    edge_widgets = [w for w in body["widgets"] if "AWS/CloudFront" in json.dumps(w)]
    assert edge_widgets and all(w["properties"]["region"] == "us-east-1" for w in edge_widgets)
    alarm_resources = {
        f"${{{kind}.{name}.arn}}"
        for kind in ("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm")
        for name in resources(stack, kind)
    }
    assert alarm_arns and set(alarm_arns) <= alarm_resources
    titles = [
        w["properties"].get("title")
        for w in json.loads(only(stack, "aws_cloudwatch_dashboard")["dashboard_body"])["widgets"]
    ]
    for wanted in (
        "Lambda concurrent executions",
        "Lambda errors",
        "Lambda throttles",
        "Cache hit rate (%)",
        "Database CPU (%)",
        "Database connections",
        "Database free storage (bytes)",
        "Edge requests",
        "Edge error rates (%)",
    ):
        assert wanted in titles
    assert ("Edge cache hit rate (%)" in titles) == (env == "prod")  # the paid additional metrics
    assert ("Provisioned concurrency utilization" in titles) == any(
        load_environment(env).lambda_service.has_provisioned_concurrency(k)
        for k in load_environment(env).lambda_service.functions
    )


def test_the_account_stack_has_the_total_budget_and_anomaly_detection_once(
    stacks: dict[str, dict[str, Any]],
) -> None:
    totals = [
        (stack_name, body)
        for stack_name, stack in stacks.items()
        for body in resources(stack, "aws_budgets_budget").values()
        if "cost_filter" not in body
    ]
    assert [stack_name for stack_name, _ in totals] == ["account"]
    (_, total), account = totals[0], load_account()
    assert total["name"] == "matbakh-account-shared-budget-total"
    assert total["limit_amount"] == f"{account.budget.total_limit_eur * account.budget.usd_per_eur:.2f}"
    assert account.budget.total_limit_eur > 100  # the environments' budgets added up (issue 20), not the seed's
    assert [(n["threshold"], n["notification_type"]) for n in total["notification"]] == [
        (50, "ACTUAL"),
        (80, "ACTUAL"),
        (100, "ACTUAL"),
        (100, "FORECASTED"),
    ]
    stack = stacks["account"]
    assert account.region == "us-east-1" and stack["provider"]["aws"][0]["region"] == "us-east-1"
    monitors = list(resources(stack, "aws_ce_anomaly_monitor").values())
    services = [m for m in monitors if m["monitor_type"] == "DIMENSIONAL"]
    assert [m["monitor_dimension"] for m in services] == ["SERVICE"]
    tagged = {
        json.loads(m["monitor_specification"])["Tags"]["Values"][0] for m in monitors if m["monitor_type"] == "CUSTOM"
    }
    assert tagged == set(ENVIRONMENTS)
    assert all(not resources(stacks[s], "aws_ce_anomaly_monitor") for s in stacks if s != "account")
    subscription = only(stack, "aws_ce_anomaly_subscription")
    topic = next(iter(resources(stack, "aws_sns_topic")))
    assert subscription["frequency"] == "IMMEDIATE"
    assert subscription["subscriber"] == [{"type": "SNS", "address": f"${{aws_sns_topic.{topic}.arn}}"}]
    assert len(subscription["monitor_arn_list"]) == len(monitors)
    assert subscription["threshold_expression"]["dimension"] == {
        "key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
        "match_options": ["GREATER_THAN_OR_EQUAL"],
        "values": [f"{account.anomaly_detection.threshold_usd:g}"],
    }
    policy = json.loads(only(stack, "aws_sns_topic_policy")["policy"])
    assert policy["Statement"][0]["Principal"] == {"Service": ["budgets.amazonaws.com", "costalerts.amazonaws.com"]}


def test_the_total_budget_is_above_the_seeds_cap_only_through_policies_caps(tmp_path: Path) -> None:
    """The seed's 200 EUR cap gave way to issue 20's rule (the environments' budgets added up); the
    reviewed ceiling is `policies/caps.yaml`, which the gate enforces."""
    (tmp_path / "account.yaml").write_text("budget: {total_limit_eur: 780}\n")
    assert load_account(tmp_path).budget.total_limit_eur == 780
    (tmp_path / "account.yaml").write_text("budget: {total_limit_eur: 0}\n")
    with pytest.raises(ConfigError) as raised:
        load_account(tmp_path)
    (message,) = raised.value.messages
    assert message.endswith("account.yaml: budget.total_limit_eur: Input should be greater than 0 (got 0)")


@pytest.mark.parametrize("env", WITH_EDGE_ALARMS)
def test_the_edge_has_slo_alarms_in_us_east_1_at_the_environments_objectives(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    objective = load_environment(env).slo
    alarms = _alarms(stack)
    availability = alarms[f"matbakh-{env}-api-edge-availability"]
    assert availability["provider"] == "aws.edge"
    assert availability["threshold"] == pytest.approx(100 - min(100, 14.4 * (100 - objective.availability_percent)))
    assert availability["comparison_operator"] == "LessThanThreshold"
    (errors,) = [q["metric"] for q in availability["metric_query"] if "metric" in q]
    assert (errors["namespace"], errors["metric_name"], errors["period"]) == ("AWS/CloudFront", "5xxErrorRate", 3600)
    latency = alarms.get(f"matbakh-{env}-api-edge-latency-p95")
    if env == "prod":  # OriginLatency is one of the paid additional metrics, on in prod only
        assert latency is not None and latency["provider"] == "aws.edge"
        assert (latency["metric_name"], latency["extended_statistic"]) == ("OriginLatency", "p95")
        assert latency["threshold"] == objective.latency_p95_ms
    else:
        assert latency is None


@pytest.mark.parametrize("env", SMALL)
def test_the_smaller_monitoring_profile_keeps_every_slo_alarm_and_drops_the_rest(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    """monitoring: {dashboard: false, operational_alarms: false} and cdn.alarms: null (dev): what is
    left is each critical function's latency and burn-rate alarms, its page and ticket composites,
    "service degraded" over them, and the stores' alarms."""
    stack = stacks[env]
    config = load_environment(env)
    assert not resources(stack, "aws_cloudwatch_dashboard") and "dashboard_name" not in stack["output"]
    names = set(_alarms(stack))
    slo = {f"{name}-{kind}" for name in _critical_functions(env).values() for kind in _slo_alarms(env)}
    assert slo <= names
    function_alarms = {
        n for n in names if any(n.startswith(f"{config.context.id(k)}-") for k in config.lambda_service.functions)
    }
    assert function_alarms == slo  # every function of dev is critical and has no provisioned concurrency
    stores = names - function_alarms
    assert {n.removeprefix(f"matbakh-{env}-api-").split("-", 1)[0] for n in stores} == {"db", "cache"}
    composites = {body["alarm_name"] for body in resources(stack, "aws_cloudwatch_composite_alarm").values()}
    assert composites == {f"matbakh-{env}-api-service-degraded", f"matbakh-{env}-api-slo-page"}  # no ticket tiers


def _utilization_targets(stack: dict[str, Any]) -> list[dict[str, Any]]:
    body = json.loads(only(stack, "aws_cloudwatch_dashboard")["dashboard_body"])
    (widget,) = [w for w in body["widgets"] if w["properties"].get("title") == "Provisioned concurrency utilization"]
    lines: list[dict[str, Any]] = widget["properties"]["annotations"]["horizontal"]
    return lines


def _scaling_targets(stack: dict[str, Any]) -> list[float]:
    policies = resources(stack, "aws_appautoscaling_policy").values()
    return sorted(
        {
            p["target_tracking_scaling_policy_configuration"]["target_value"]
            for p in policies
            if p["target_tracking_scaling_policy_configuration"]["predefined_metric_specification"][
                "predefined_metric_type"
            ]
            == "LambdaProvisionedConcurrencyUtilization"
        }
    )


def test_the_dashboards_utilization_target_is_what_the_autoscaling_holds(
    stacks: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """Issue 19: not a hard-coded 0.7, but each function's lambda.*.provisioned_concurrency.target_utilization."""
    (target,) = _scaling_targets(stacks["prod"])
    assert _utilization_targets(stacks["prod"]) == [{"label": "target", "value": target}]
    from tests.conftest import copy_repository

    root = copy_repository(tmp_path / "repo")
    prod_yaml = root / "environments" / "prod.yaml"
    data = yaml.safe_load(prod_yaml.read_text())
    data.setdefault("lambda", {}).setdefault("functions", {})["auth"] = {
        "provisioned_concurrency": {"target_utilization": 0.5}
    }
    prod_yaml.write_text(yaml.safe_dump(data))
    stack = synthesize(root / "cdktf.out", "--env", "prod", "--force", cwd=root)["prod"]
    assert _scaling_targets(stack) == [0.5, target]
    assert _utilization_targets(stack) == [
        {"label": "target 0.5", "value": 0.5},
        {"label": f"target {target}", "value": target},
    ]
