"""dev end to end, with no AWS account: bootstrap, plan, apply, a concurrent plan that loses
the lock, the apply refusals, and destroy — real terraform against the local emulator."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from cli import timing
from tests.integration.conftest import Workbench, state_versions

pytestmark = pytest.mark.integration

BUCKET = "matbakh-dev-api-tfstate"
STATE_KEY = "dev/matbakh-api.tfstate"


CRITICAL = ("persona", "vc-start", "vc-result", "auth", "upload")


def _functions(bench: Workbench) -> set[str]:
    return {f["FunctionName"] for f in bench.client("lambda").list_functions()["Functions"]}


def _topics(bench: Workbench) -> list[str]:
    return [t["TopicArn"] for t in bench.client("sns").list_topics()["Topics"]]


def _hold_the_lock(bench: Workbench) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    """An interactive `terraform destroy` holds the state lock while it waits for a yes."""
    running = bench.emulator()
    work = bench.root / ".work" / f"emulator-{running.port}" / "dev"
    process = subprocess.Popen(
        ["terraform", "destroy", "-lock=true", "-no-color"],
        cwd=bench.root / "cdktf.out" / "stacks" / "dev",
        env={**bench.env, **running.terraform_environment("eu-central-1"), "TF_DATA_DIR": str(work / ".terraform")},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()  # characters of the output
    # The prompt ends without a newline: read characters, not lines.
    assert process.stdout is not None
    reader = process.stdout

    def pump() -> None:
        for character in iter(lambda: reader.read(1), ""):
            lines.put(character)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 300  # a refresh of ~160 resources; slow on a busy machine
    seen = ""
    while "Enter a value" not in seen:
        assert time.monotonic() < deadline, f"terraform destroy never asked for approval:\n{seen}"
        try:
            seen += lines.get(timeout=1)
        except queue.Empty:
            assert process.poll() is None, seen
    return process, lines


def _assert_wired(bench: Workbench, state: dict[str, Any], group: dict[str, Any]) -> None:
    """Read back from the emulator: each function in the private subnets with the stores' client
    groups, its IAM user in the cache's user group, and its function URL behind the CDN only."""
    ec2, lambda_client = bench.client("ec2"), bench.client("lambda")
    subnets = {
        s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "tag:Tier", "Values": ["private"]}])["Subnets"]
    }
    groups = {g["GroupName"]: g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    expected_groups = {
        groups[f"matbakh-dev-api-{name}"] for name in ("db-clients", "cache-clients", "endpoint-clients")
    }
    assert len(subnets) == 3
    (user_group,) = bench.client("elasticache").describe_user_groups()["UserGroups"]
    assert group["UserGroupIds"] == [user_group["UserGroupId"]]
    users = {u["UserId"]: u for u in bench.client("elasticache").describe_users()["Users"]}
    (distribution,) = [r for r in state["resources"] if r["type"] == "aws_cloudfront_distribution"]
    distribution_arn = distribution["instances"][0]["attributes"]["arn"]
    for key in CRITICAL:
        name = f"matbakh-dev-api-{key}"
        placement = lambda_client.get_function_configuration(FunctionName=name)["VpcConfig"]
        assert set(placement["SubnetIds"]) == subnets, key
        assert set(placement["SecurityGroupIds"]) == expected_groups, key
        user_id = f"matbakh-dev-api-cache-{key}"
        assert user_id in user_group["UserIds"], key
        assert users[user_id]["Authentication"]["Type"] == "iam", key
        url = lambda_client.get_function_url_config(FunctionName=name, Qualifier="live")
        assert url["AuthType"] == "AWS_IAM", key
        policy = json.loads(lambda_client.get_policy(FunctionName=name, Qualifier="live")["Policy"])
        assert {s["Action"] for s in policy["Statement"]} == {"lambda:InvokeFunctionUrl", "lambda:InvokeFunction"}
        for statement in policy["Statement"]:
            assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
            assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == distribution_arn


def test_dev_runs_end_to_end_against_the_emulator(workbench: Workbench) -> None:
    workbench.synth("--env", "dev")

    # In CI the emulator is never a silent fallback.
    refused = workbench.cli("plan", "--env", "dev", extra_env={"CI": "true"})
    assert refused.returncode == 1
    assert "no AWS credentials in CI" in refused.stderr
    assert not (workbench.emulator_dir / "emulator.json").exists()

    # Apply without a plan is refused.
    no_plan = workbench.cli("apply", "--env", "dev")
    assert no_plan.returncode == 1 and "no saved plan of dev" in no_plan.stderr

    # Plan: says it targets the emulator, bootstraps the state bucket there, gates twice.
    planned = workbench.cli("plan", "--env", "dev")
    assert planned.returncode == 0, planned.stderr
    assert "targets the LOCAL AWS EMULATOR" in planned.stdout
    assert "no AWS credentials are configured" in planned.stdout
    assert [line.split(":")[0] for line in planned.stdout.splitlines() if "gate: " in line] == [
        "gate",
        "cost gate",
        "gate",
    ]
    # Every resource of dev's stack: the alert topic and budgets, Lambda (no provisioned
    # concurrency in dev) with its function URLs, the cache with its IAM users and the private
    # network with its S3 endpoint, the database (no proxy, stopped outside its running hours:
    # dev's cost profile), the CDN (no edge alarms), the SLO alarms and the composite alarm.
    synthesized = json.loads((workbench.root / "cdktf.out" / "stacks" / "dev" / "cdk.tf.json").read_text())
    resources = sum(len(of_type) for of_type in synthesized["resource"].values())
    assert resources > 100 and "aws_db_proxy" not in synthesized["resource"]
    assert (
        "aws_scheduler_schedule" in synthesized["resource"]
        and "aws_cloudwatch_dashboard" not in synthesized["resource"]
    )
    assert "plan: dev on emulator-" in planned.stdout and f"{resources} to add" in planned.stdout
    # Its last line: where the time went, step by step.
    timing_line = planned.stdout.strip().splitlines()[-1]
    assert timing_line.startswith("plan: dev took ")
    total, steps = timing.parse(timing_line)
    assert list(steps) == [
        "synth",
        "gate",
        "target",
        "cost gate",
        "bootstrap",
        "init",
        "plan",
        "show",
        "orphans",
        "plan gate",
        "other",
    ]
    assert abs(sum(steps.values()) - total) < 0.05 and steps["plan"] > 0

    # Apply the saved plan: the state lands in the emulator's bucket under dev's key, encrypted.
    applied = workbench.cli("apply", "--env", "dev")
    assert applied.returncode == 0, applied.stderr
    versions = state_versions(workbench, BUCKET, STATE_KEY)
    assert len(versions) >= 1
    head = workbench.client("s3").head_object(Bucket=BUCKET, Key=STATE_KEY)
    assert head["ServerSideEncryption"] == "aws:kms"
    state = json.loads(workbench.client("s3").get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read())
    assert {r["type"] for r in state["resources"]} >= {
        "aws_kms_key",
        "aws_sns_topic",
        "aws_elasticache_replication_group",
        "aws_elasticache_parameter_group",
        "aws_elasticache_user_group",
        "aws_lambda_function_url",
        "aws_vpc_endpoint",
        "aws_cloudwatch_metric_alarm",
        "aws_db_instance",
    }
    assert any(arn.endswith(":matbakh-dev-api-alerts") for arn in _topics(workbench))
    assert _functions(workbench) == {f"matbakh-dev-api-{key}" for key in CRITICAL}
    lambda_client = workbench.client("lambda")
    for name in _functions(workbench):
        assert lambda_client.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 50
        assert lambda_client.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"
        # (the key, echoed by the launcher since moto drops it, is asserted on the synthesized JSON)
        assert lambda_client.get_function_configuration(FunctionName=name)["TracingConfig"] == {"Mode": "Active"}
    (group,) = workbench.client("elasticache").describe_replication_groups()["ReplicationGroups"]
    assert group["ReplicationGroupId"] == "matbakh-dev-api-cache" and group["ClusterEnabled"] is True
    assert group["UserGroupIds"] == ["matbakh-dev-api-cache"]  # IAM authentication, no AUTH token
    assert "aws_secretsmanager_secret" not in {r["type"] for r in state["resources"]}
    _assert_wired(workbench, state, group)

    # A saved plan applies once.
    again = workbench.cli("apply", "--env", "dev")
    assert again.returncode == 1 and "no saved plan of dev" in again.stderr

    # A second, concurrent plan fails on the lock and loses nothing.
    holder, _ = _hold_the_lock(workbench)
    try:
        lock_object = workbench.client("s3").head_object(Bucket=BUCKET, Key=f"{STATE_KEY}.tflock")
        assert lock_object["ContentLength"] > 0
        contender = workbench.cli("plan", "--env", "dev")
        assert contender.returncode == 1
        assert "Error acquiring the state lock" in contender.stderr
    finally:
        assert holder.stdin is not None
        holder.stdin.write("no\n")
        holder.stdin.flush()
        holder.wait(timeout=120)
    assert [v["VersionId"] for v in state_versions(workbench, BUCKET, STATE_KEY)] == [v["VersionId"] for v in versions]
    listing = workbench.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=f"{STATE_KEY}.tflock")
    assert listing.get("KeyCount", 0) == 0, "the lock is released"

    # A plan made stale by a change to the code is refused.
    replanned = workbench.cli("plan", "--env", "dev")
    assert replanned.returncode == 0, replanned.stderr
    assert "bootstrap: the state bucket of dev exists in the emulator (bootstrap stack unchanged)" in replanned.stdout
    dev_yaml = workbench.root / "environments" / "dev.yaml"
    dev_yaml.write_text(dev_yaml.read_text() + "cost_center: growth\n")
    workbench.synth("--env", "dev")
    stale = workbench.cli("apply", "--env", "dev")
    assert stale.returncode == 1 and "is stale" in stale.stderr

    # Destroy asks for the environment's name, then removes what apply created; the state bucket stays.
    for confirmation in ((), ("--confirm", "prod")):
        refused = workbench.cli("destroy", "--env", "dev", *confirmation)
        assert refused.returncode == 1, refused.stderr
        assert "refusing to destroy dev" in refused.stderr and "make destroy ENV=dev CONFIRM=dev" in refused.stderr
    assert "(CONFIRM=prod names another)" in refused.stderr
    assert _functions(workbench), "a refused destroy destroyed"
    destroyed = workbench.cli("destroy", "--env", "dev", "--confirm", "dev")
    assert destroyed.returncode == 0, destroyed.stderr
    assert not any(arn.endswith(":matbakh-dev-api-alerts") for arn in _topics(workbench))
    assert _functions(workbench) == set()
    assert workbench.client("elasticache").describe_replication_groups()["ReplicationGroups"] == []
    assert workbench.client("elasticache").describe_user_groups()["UserGroups"] == []
    assert workbench.client("rds").describe_db_instances()["DBInstances"] == []
    assert json.loads(workbench.client("s3").get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read())["resources"] == []


def test_destroying_prod_needs_explicit_confirmation(workbench: Workbench) -> None:
    refused = workbench.cli("destroy", "--env", "prod")
    assert refused.returncode == 1
    assert "refusing to destroy prod" in refused.stderr and "CONFIRM=prod" in refused.stderr


def test_an_unknown_environment_is_refused_before_anything_runs(workbench: Workbench, tmp_path: Path) -> None:
    refused = workbench.cli("plan", "--env", "qa")
    assert refused.returncode == 2
    assert (
        refused.stderr.strip() == "error: unknown environment 'qa': known environments are dev, staging, prod, account"
    )
