"""prod whole on the emulator: bootstrap, plan, apply, and a second plan that is empty; what
scales (Lambda provisioned concurrency, the cache's replicas) is read back with boto3.

Its own repository copy and emulator (module scope), so it shares no names with other tests.
One apply of prod's ~230 resources takes several minutes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from cli import emulator
from modules.lambda_service.config import ScalingSchedule, ScheduleWindow
from tests.conftest import PYTHON, copy_repository, run
from tests.integration.conftest import Workbench, make_workbench

pytestmark = pytest.mark.integration

PREFIX = "matbakh-prod-api"
FUNCTIONS = ("persona", "vc-start", "vc-result", "auth", "upload")
APPLY_TIMEOUT_SECONDS = 1800  # measured at about 5 minutes on a quiet machine; 2 cores shared with others


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    root = copy_repository(tmp_path_factory.mktemp("prod-whole") / "repo")
    bench = make_workbench(root, root.parent / "home")
    yield bench
    emulator.stop(bench.emulator_dir)


def _plan_counts(stdout: str) -> tuple[int, int, int, int]:
    found = re.search(r"(\d+) to add, (\d+) to change, (\d+) to destroy, (\d+) to replace", stdout)
    assert found, stdout
    add, change, destroy, replace = (int(group) for group in found.groups())
    return add, change, destroy, replace


def _by_resource(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["ResourceId"]: item for item in items}


def test_prod_applies_whole_and_a_second_plan_is_empty(prod: Workbench) -> None:
    prod.synth("--env", "prod")
    planned = prod.cli("plan", "--env", "prod")  # bootstraps prod's state bucket in the emulator first
    assert planned.returncode == 0, planned.stderr
    assert "targets the LOCAL AWS EMULATOR" in planned.stdout
    assert _plan_counts(planned.stdout)[0] > 200

    applied = run([PYTHON, "-m", "cli", "apply", "--env", "prod"], cwd=prod.root, env=prod.env, inherit=False,
                  timeout=APPLY_TIMEOUT_SECONDS)  # fmt: skip
    assert applied.returncode == 0, applied.stderr

    again = prod.cli("plan", "--env", "prod")
    assert again.returncode == 0, again.stderr
    assert _plan_counts(again.stdout) == (0, 0, 0, 0), again.stdout

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
    actions = scaling.describe_scheduled_actions(ServiceNamespace="lambda")["ScheduledActions"]
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
