"""One account, three environments, on one emulator: the account's bootstrap, then dev, staging and
prod bootstrapped, planned and applied side by side (each waits on the emulator's pace, not the
CPU), a second plan of each empty, the GitHub OIDC provider once; prod whole, with what scales
(Lambda provisioned concurrency, the cache's replicas) read back with boto3, and drift that a
scheduled scale-out does not fool while an edited alarm threshold does.

Its own repository copy, synthesized once, and one emulator (module scope): no names shared with
other tests. One apply of prod's ~270 resources takes several minutes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from cli import emulator
from cli.config_files import load_environment
from modules.lambda_service.config import ScalingSchedule, ScheduleWindow
from tests.conftest import PYTHON, run
from tests.integration.conftest import Workbench, new_workbench, plan_counts

pytestmark = pytest.mark.integration

ENVIRONMENTS = ("dev", "staging", "prod")
PREFIX = "matbakh-prod-api"
FUNCTIONS = ("persona", "vc-start", "vc-result", "auth", "upload")
APPLY_TIMEOUT_SECONDS = 1800  # prod measured at about 5 minutes on a quiet machine; 2 cores shared


@dataclass
class Estate:
    """The workbench and what each step printed, per environment."""

    bench: Workbench
    first_plans: dict[str, Any] = field(default_factory=dict)
    applies: dict[str, Any] = field(default_factory=dict)
    second_plans: dict[str, Any] = field(default_factory=dict)


def _apply(bench: Workbench, env: str) -> Any:
    command = [PYTHON, "-m", "cli", "apply", "--env", env]
    return run(command, cwd=bench.root, env=bench.env, inherit=False, timeout=APPLY_TIMEOUT_SECONDS)


def _each(step: Callable[[str], Any]) -> dict[str, Any]:
    """`step` for every environment at once (subprocesses: the threads only wait)."""
    with ThreadPoolExecutor(max_workers=len(ENVIRONMENTS)) as pool:
        return dict(zip(ENVIRONMENTS, pool.map(step, ENVIRONMENTS), strict=True))


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    bench = new_workbench(tmp_path_factory, "one-account")
    result = Estate(bench)
    try:
        bench.synth()  # every stack set, once; each plan below finds its set up to date
        account = bench.cli("bootstrap", "--env", "account")  # starts the emulator; the OIDC provider
        assert account.returncode == 0, account.stdout + account.stderr
        result.first_plans = _each(lambda env: bench.cli("plan", "--env", env))
        for env, planned in result.first_plans.items():
            assert planned.returncode == 0, f"{env}: {planned.stdout}{planned.stderr}"
        # Side by side, as three CI jobs would: the emulator hands moto one call at a time and
        # answers an SDK's retry of a call it already carried out with its first answer (once,
        # prod's CreateUserGroup was retried into UserGroupAlreadyExists for the group it had made).
        result.applies = _each(lambda env: _apply(bench, env))
        for env, applied in result.applies.items():
            assert applied.returncode == 0, f"{env}: {applied.stdout}{applied.stderr}"
        result.second_plans = _each(lambda env: bench.cli("plan", "--env", env))
        yield result
    finally:
        emulator.stop(bench.emulator_dir)


def _by_resource(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """prod's items by resource id (staging's functions scale too, in the same account)."""
    return {item["ResourceId"]: item for item in items if PREFIX in item["ResourceId"]}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_plans_applies_and_then_plans_nothing(estate: Estate, env: str) -> None:
    first = estate.first_plans[env]
    assert "targets the LOCAL AWS EMULATOR" in first.stdout
    synthesized = json.loads((estate.bench.root / "cdktf.out" / "stacks" / env / "cdk.tf.json").read_text())
    assert plan_counts(first.stdout)[0] == sum(len(of_type) for of_type in synthesized["resource"].values()) > 100
    assert f"apply: {env} targets the LOCAL AWS EMULATOR" in estate.applies[env].stdout
    again = estate.second_plans[env]
    assert again.returncode == 0, again.stderr
    assert plan_counts(again.stdout) == (0, 0, 0, 0), again.stdout


def test_the_account_holds_one_github_oidc_provider_that_every_environment_trusts(estate: Estate) -> None:
    iam = estate.bench.client("iam")
    (provider,) = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert provider["Arn"].endswith(":oidc-provider/token.actions.githubusercontent.com")
    for env in ENVIRONMENTS:
        trust = iam.get_role(RoleName=f"matbakh-{env}-api-ci-plan")["Role"]["AssumeRolePolicyDocument"]
        principals = {s["Principal"]["Federated"] for s in trust["Statement"]}
        assert principals == {provider["Arn"]}, env


def test_the_vpcs_of_the_environments_do_not_overlap(estate: Estate) -> None:
    vpcs = estate.bench.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Service", "Values": ["api"]}])["Vpcs"]
    by_environment = {
        next(t["Value"] for t in vpc["Tags"] if t["Key"] == "Environment"): vpc["CidrBlock"] for vpc in vpcs
    }
    assert by_environment == {"dev": "10.42.0.0/16", "staging": "10.41.0.0/16", "prod": "10.40.0.0/16"}


def test_each_database_is_reached_as_its_cost_profile_says(estate: Estate) -> None:
    """prod through its RDS Proxy (TLS, IAM auth, the managed secret); dev and staging, whose
    profile has none (rds.proxy: null), at their instance."""
    rds = estate.bench.client("rds")
    proxies = {p["DBProxyName"]: p for p in rds.describe_db_proxies()["DBProxies"]}
    proxied = [env for env in ENVIRONMENTS if load_environment(env).rds.proxy is not None]
    assert proxied == ["prod"]
    assert set(proxies) == {f"matbakh-{env}-api-db-proxy" for env in proxied}
    for env in proxied:
        proxy = proxies[f"matbakh-{env}-api-db-proxy"]
        (instance,) = rds.describe_db_instances(DBInstanceIdentifier=f"matbakh-{env}-api-db")["DBInstances"]
        assert (proxy["EngineFamily"], proxy["RequireTLS"]) == ("POSTGRESQL", True)
        (auth,) = proxy["Auth"]
        assert (auth["AuthScheme"], auth["IAMAuth"]) == ("SECRETS", "REQUIRED")
        assert auth["SecretArn"] == instance["MasterUserSecret"]["SecretArn"]
        (target,) = rds.describe_db_proxy_targets(DBProxyName=proxy["DBProxyName"])["Targets"]
        assert target["RdsResourceId"] == f"matbakh-{env}-api-db"
    for env in sorted(set(ENVIRONMENTS) - set(proxied)):
        (direct,) = rds.describe_db_instances(DBInstanceIdentifier=f"matbakh-{env}-api-db")["DBInstances"]
        assert direct["IAMDatabaseAuthenticationEnabled"] is True, env


def test_prod_scales_as_configured(estate: Estate) -> None:
    prod = estate.bench
    scaling = prod.client("application-autoscaling")
    # Lambda: each function's `live` alias scales its provisioned concurrency within 2–20 …
    targets = _by_resource(scaling.describe_scalable_targets(ServiceNamespace="lambda")["ScalableTargets"])
    aliases = {f"function:{PREFIX}-{key}:live" for key in FUNCTIONS}
    assert set(targets) == aliases
    for target in targets.values():
        assert target["ScalableDimension"] == "lambda:function:ProvisionedConcurrency"
        assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 20)
        tags = scaling.list_tags_for_resource(ResourceARN=target["ScalableTargetARN"])["Tags"]
        assert tags["Environment"] == "prod"
    # … tracking 70 % utilization …
    policies = _by_resource(scaling.describe_scaling_policies(ServiceNamespace="lambda")["ScalingPolicies"])
    assert set(policies) == aliases
    for policy in policies.values():
        assert policy["PolicyType"] == "TargetTrackingScaling"
        tracking = policy["TargetTrackingScalingPolicyConfiguration"]
        assert tracking["TargetValue"] == 0.7
        assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
            "LambdaProvisionedConcurrencyUtilization"
        )
    # … and the business-hours window (prod uses the module's defaults) raises the minimum.
    window, schedule = ScheduleWindow(), ScalingSchedule()
    actions = [
        action
        for action in scaling.describe_scheduled_actions(ServiceNamespace="lambda")["ScheduledActions"]
        if PREFIX in action["ResourceId"]
    ]
    assert len(actions) == 2 * len(FUNCTIONS)
    found = {(a["ResourceId"], a["ScheduledActionName"].rsplit("-", 1)[-1]): a for a in actions}
    for alias in aliases:
        key = alias.split(":")[1].removeprefix(f"{PREFIX}-")
        start, end = found[(alias, "start")], found[(alias, "end")]
        assert start["ScheduledActionName"] == f"{PREFIX}-{key}-business-hours-start"
        assert (start["Schedule"], end["Schedule"]) == (window.cron(window.start), window.cron(window.end))
        assert start["Timezone"] == end["Timezone"] == schedule.time_zone == "Europe/Berlin"
        assert start["ScalableTargetAction"] == {"MinCapacity": window.min, "MaxCapacity": 20}
        assert end["ScalableTargetAction"] == {"MinCapacity": 2, "MaxCapacity": 20}

    # The cache's replicas scale on their engine CPU.
    (replicas,) = scaling.describe_scalable_targets(ServiceNamespace="elasticache")["ScalableTargets"]
    assert replicas["ResourceId"] == f"replication-group/{PREFIX}-cache"
    assert replicas["ScalableDimension"] == "elasticache:replication-group:Replicas"
    (cpu,) = scaling.describe_scaling_policies(ServiceNamespace="elasticache")["ScalingPolicies"]
    assert cpu["ResourceId"] == replicas["ResourceId"]
    assert cpu["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "ElastiCacheReplicaEngineCPUUtilization"
    }


def _drifted(result: Any) -> set[str]:
    """The lines of `make drift`'s list of drifted resources."""
    return {line.strip() for line in result.stderr.splitlines() if line.endswith("outside Terraform")}


def test_drift_is_not_fooled_by_a_scheduled_scale_out_and_reports_an_edited_threshold(estate: Estate) -> None:
    bench = estate.bench
    scaling, cloudwatch = bench.client("application-autoscaling"), bench.client("cloudwatch")
    alias = f"function:{PREFIX}-auth:live"
    window = ScheduleWindow()
    alarm_name = f"{PREFIX}-db-cpu"
    (alarm,) = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    keep = ("AlarmName", "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "MetricName",
            "Namespace", "Statistic", "Dimensions", "Period", "EvaluationPeriods", "DatapointsToAlarm",
            "Threshold", "ComparisonOperator", "TreatMissingData")  # fmt: skip
    original = {key: alarm[key] for key in keep if key in alarm}
    # What the emulator itself echoes differently (docs/emulator.md, fidelity limits) before anything changed.
    baseline = _drifted(bench.cli("drift", "--env", "prod"))
    try:
        # What the business-hours start action does at 07:00 (moto runs no schedule: done by hand).
        scaling.register_scalable_target(
            ServiceNamespace="lambda",
            ResourceId=alias,
            ScalableDimension="lambda:function:ProvisionedConcurrency",
            MinCapacity=window.min,
            MaxCapacity=20,
        )
        scaled = bench.cli("drift", "--env", "prod")
        assert re.search(r"aws_appautoscaling_target\.\S*auth\S*: min_capacity", scaled.stdout), scaled.stdout
        assert "not drift" in scaled.stdout
        assert _drifted(scaled) == baseline  # the scale-out added nothing
        assert scaled.returncode == (3 if baseline else 0), scaled.stdout + scaled.stderr

        cloudwatch.put_metric_alarm(**{**original, "Threshold": 95.0})
        edited = bench.cli("drift", "--env", "prod")
        assert edited.returncode == 3, edited.stdout + edited.stderr
        added = _drifted(edited) - baseline
        assert len(added) == 1 and re.fullmatch(
            r"aws_cloudwatch_metric_alarm\.database_alarm_cpu_\w+: .*threshold.*", next(iter(added))
        ), added
        assert not any("min_capacity" in line for line in _drifted(edited))  # the scale-out is still not drift
    finally:
        cloudwatch.put_metric_alarm(**original)
        scaling.register_scalable_target(
            ServiceNamespace="lambda",
            ResourceId=alias,
            ScalableDimension="lambda:function:ProvisionedConcurrency",
            MinCapacity=2,
            MaxCapacity=20,
        )
