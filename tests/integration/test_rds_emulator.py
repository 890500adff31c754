"""The database against the local emulator with real terraform (local state, so no state bucket):
dev applied and destroyed as shipped (instance, alarms; no proxy: its cost profile, the functions
log in to the instance with IAM); prod with a read replica planned. The proxy is applied and read
back with staging's and prod's (tests/integration/test_one_account.py).

The emulator stores but does not act on storage autoscaling, Performance Insights, enhanced
monitoring, log exports, IAM authentication, the parameter group, and the proxy's TLS, IAM auth
and pooling: no database engine runs and nothing connects, so those are asserted on the
synthesized JSON (tests/synth/test_rds.py). It does create the RDS-managed master secret."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cli import emulator
from cli.config_files import load_environment
from tests.conftest import copy_repository, synthesize
from tests.integration.conftest import PoliciesEmulator, emulator_client, local_state_terraform

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def running(emulator_with_account_policies: PoliciesEmulator) -> emulator.Emulator:
    return emulator_with_account_policies.running


def _terraform(running: emulator.Emulator, root: Path, env_name: str, tmp_path: Path) -> Any:
    """Synthesize `env_name` in `root` with local state and init it against the emulator."""
    synthesize(root / "cdktf.out", "--env", env_name, "--force", cwd=root)
    return local_state_terraform(running, root / "cdktf.out" / "stacks" / env_name, tmp_path)


def test_dev_database_applies_and_destroys_on_the_emulator(running: emulator.Emulator, tmp_path: Path) -> None:
    root = copy_repository(tmp_path / "repo")
    terraform = _terraform(running, root, "dev", tmp_path)
    assert terraform("validate").returncode == 0
    applied = terraform("apply", "-auto-approve", "-input=false")
    assert applied.returncode == 0, applied.stderr

    rds = emulator_client(running, "rds")
    (instance,) = rds.describe_db_instances(DBInstanceIdentifier="matbakh-dev-api-db")["DBInstances"]
    assert (instance["Engine"], instance["DBInstanceClass"]) == ("postgres", "db.t4g.micro")
    assert (instance["AllocatedStorage"], instance["StorageType"]) == (20, "gp3")
    assert instance["StorageEncrypted"] is True and instance["MultiAZ"] is False
    assert instance["IAMDatabaseAuthenticationEnabled"] is True
    assert instance["PubliclyAccessible"] is False
    assert instance["DeletionProtection"] is False and instance["BackupRetentionPeriod"] == 1
    config = load_environment("dev")
    assert instance["MaxAllocatedStorage"] == config.rds.max_allocated_storage_gib == 26
    secret = emulator_client(running, "secretsmanager").describe_secret(
        SecretId=instance["MasterUserSecret"]["SecretArn"]
    )
    # dev's one key (encryption.keys: per-environment) encrypts the database, its secret and its schedules.
    assert config.encryption.keys == "per-environment"
    key = emulator_client(running, "kms").describe_key(KeyId="alias/matbakh-dev-api-environment")["KeyMetadata"]
    assert secret["KmsKeyId"] in {key["Arn"], key["KeyId"]}
    assert instance["KmsKeyId"] == key["Arn"]
    # rds.running_hours: EventBridge Scheduler starts it at 07:00 and stops it at 19:00 on weekdays.
    scheduler = emulator_client(running, "scheduler")
    for action, hour in (("start", 7), ("stop", 19)):
        schedule = scheduler.get_schedule(Name=f"matbakh-dev-api-db-{action}")
        assert (schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"]) == (
            f"cron(0 {hour} ? * MON-FRI *)",
            "Europe/Berlin",
        )
        assert schedule["Target"]["Arn"] == f"arn:aws:scheduler:::aws-sdk:rds:{action}DBInstance"
        assert json.loads(schedule["Target"]["Input"]) == {"DbInstanceIdentifier": "matbakh-dev-api-db"}
        assert schedule["Target"]["RoleArn"].endswith(":role/matbakh-dev-api-db-scheduler")
        assert schedule["KmsKeyArn"] == key["Arn"] and schedule["State"] == "ENABLED"
    outputs = json.loads(terraform("output", "-json").stdout)
    alarms = emulator_client(running, "cloudwatch").describe_alarms(AlarmNamePrefix="matbakh-dev-api-db-")
    alarm_keys = {a["AlarmName"].removeprefix("matbakh-dev-api-db-") for a in alarms["MetricAlarms"]}
    capacity = {"cpu", "connections", "freeable-memory", "free-storage", "read-latency", "write-latency"}
    # Functions log in to the instance itself: IAM authorizes its DbiResourceId.
    assert rds.describe_db_proxies()["DBProxies"] == []
    assert alarm_keys == capacity
    assert outputs["database_iam_resource_id"]["value"] == instance["DbiResourceId"]
    assert outputs["database_connect_host"]["value"] == instance["Endpoint"]["Address"]
    assert outputs["database_master_user_secret_arn"]["value"] == instance["MasterUserSecret"]["SecretArn"]
    assert "instance_class: db.t4g.small" in outputs["rds_runbooks"]["value"]["cpu"]

    # dev has no deletion protection and no final snapshot, so destroy removes the database.
    destroyed = terraform("destroy", "-auto-approve", "-input=false")
    assert destroyed.returncode == 0, destroyed.stderr
    assert rds.describe_db_instances()["DBInstances"] == []
    assert rds.describe_db_proxies()["DBProxies"] == []


def test_prod_with_a_read_replica_plans_on_the_emulator(running: emulator.Emulator, tmp_path: Path) -> None:
    root = copy_repository(tmp_path / "repo")
    (root / "environments" / "prod.yaml").write_text("rds: {read_replicas: 1}\n")
    terraform = _terraform(running, root, "prod", tmp_path)
    assert terraform("validate").returncode == 0
    planned = terraform("plan", "-input=false", f"-out={tmp_path / 'plan'}")
    assert planned.returncode == 0, planned.stderr
    shown = terraform("show", "-json", str(tmp_path / "plan"))
    changes = json.loads(shown.stdout)["resource_changes"]
    created = Counter(c["type"] for c in changes if c["change"]["actions"] == ["create"])
    assert created["aws_db_instance"] == 2
    assert (created["aws_db_proxy"], created["aws_db_proxy_target"], created["aws_db_proxy_default_target_group"]) == (
        1,
        1,
        1,
    )
    database_alarms = [
        c["change"]["after"]["alarm_name"]
        for c in changes
        if c["type"] == "aws_cloudwatch_metric_alarm"
        and c["change"]["after"]["alarm_name"].startswith("matbakh-prod-api-db")
    ]
    assert len(database_alarms) == 8 and "matbakh-prod-api-db-replica-1-lag" in database_alarms
    primary = next(
        c["change"]["after"] for c in changes if c["address"].startswith("aws_db_instance.database_instance_")
    )
    assert (primary["multi_az"], primary["deletion_protection"], primary["skip_final_snapshot"]) == (True, True, False)
    assert primary["final_snapshot_identifier"] == "matbakh-prod-api-db-final"
    assert (primary["allocated_storage"], primary["max_allocated_storage"]) == (100, 500)
