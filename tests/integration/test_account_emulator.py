"""The account stack applied on the emulator: bootstrap (gated, shown, its state moved into its bucket
and read back), plan, apply, and a second plan that is empty; the anomaly monitors, the
subscription and the cost-allocation tags are read back with boto3. Then the services monitor an
account already holds is adopted (import block) instead of created.

Its own repository copy and emulator (module scope): an account holds one DIMENSIONAL SERVICE
monitor, so this stack shares its emulator with no other test."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli import emulator
from cli.config_files import load_account
from modules.budgets.module import COST_ALLOCATION_TAGS
from tests.integration.conftest import Workbench, emulator_client, local_state_terraform, new_workbench, plan_counts

pytestmark = pytest.mark.integration

PREFIX = "matbakh-account-shared"
STATE_BUCKET = f"{PREFIX}-tfstate"
BOOTSTRAP_STATE_KEY = "bootstrap/account.tfstate"


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    bench = new_workbench(tmp_path_factory, "account")
    yield bench
    emulator.stop(bench.emulator_dir)


def _planned_creations(stdout: str) -> Counter[str]:
    return Counter(c["type"] for c in _planned_changes(stdout) if c["change"]["actions"] == ["create"])


def _planned_changes(stdout: str) -> list[dict[str, Any]]:
    found = re.search(r"saved (\S+\.tfplan)", stdout)
    assert found, stdout
    plan = json.loads(Path(found.group(1)).with_name("plan.json").read_text())  # written beside the saved plan
    changes: list[dict[str, Any]] = plan["resource_changes"]
    return changes


def _ce(bench: Workbench) -> Any:
    return emulator_client(bench.emulator(), "ce", region="us-east-1")  # Cost Explorer lives in us-east-1


def _bootstrap_state(bench: Workbench) -> dict[str, Any]:
    """The account's bootstrap state, read back from its bucket in the emulator; none left on disk."""
    s3 = emulator_client(bench.emulator(), "s3", region="us-east-1")
    stored = s3.get_object(Bucket=STATE_BUCKET, Key=BOOTSTRAP_STATE_KEY)
    state: dict[str, Any] = json.loads(stored["Body"].read())
    assert (stored["ServerSideEncryption"], stored["SSEKMSKeyId"]) == (
        "aws:kms",
        state["outputs"]["state_kms_key_arn"]["value"],
    )  # encrypted with the state key it created
    local = list((bench.root / ".work").glob("emulator-*/account-bootstrap/terraform.tfstate*"))
    assert [path for path in local if path.read_text().strip() and json.loads(path.read_text()).get("resources")] == []
    placed = bench.root / "cdktf.out" / "stacks" / "account-bootstrap" / "bootstrap_backend_override.tf.json"
    assert not placed.exists()  # beside the stack during the bootstrap's runs only
    return state


def test_the_account_stack_applies_and_a_second_plan_is_empty(account: Workbench) -> None:
    config = load_account(account.root / "environments")
    account.synth("--env", "account")
    # The test below may have bootstrapped this emulator already (tests run in any order).
    first = emulator.running(account.emulator_dir) is None
    bootstrapped = account.cli("bootstrap", "--env", "account")
    assert bootstrapped.returncode == 0, bootstrapped.stderr
    # Gated twice, shown, applied from its saved plan, then its state moved into the bucket it made.
    out = bootstrapped.stdout
    gated = [line for line in out.splitlines() if line.startswith("bootstrap: account-bootstrap: gated, ")]
    scans = [line.split(" accepted by skips (", 1)[1].split(":")[0] for line in gated if "accepted by skips (" in line]
    assert scans == ["terraform_json", "terraform_plan"], out
    if first:
        assert "bootstrap: account-bootstrap: the changes, deletions and replacements first" in out
        assert "  +  create  aws_iam_openid_connect_provider.github_oidc_github_" in out
        assert f"bootstrap: account-bootstrap: its state moved to s3://{STATE_BUCKET}/{BOOTSTRAP_STATE_KEY}" in out
    else:
        assert "bootstrap: account-bootstrap: the plan changes nothing" in out
        assert f"bootstrap: account-bootstrap: its state is s3://{STATE_BUCKET}/{BOOTSTRAP_STATE_KEY}" in out
    state = _bootstrap_state(account)
    assert {r["type"] for r in state["resources"]} >= {
        "aws_s3_bucket",
        "aws_kms_key",
        "aws_iam_openid_connect_provider",
    }

    planned = account.cli("plan", "--env", "account")
    assert planned.returncode == 0, planned.stderr
    assert "targets the LOCAL AWS EMULATOR" in planned.stdout
    created = _planned_creations(planned.stdout)
    assert created["aws_ce_anomaly_monitor"] == 1 + len(config.anomaly_detection.environment_monitors)
    assert created["aws_ce_anomaly_subscription"] == 1
    assert created["aws_ce_cost_allocation_tag"] == len(COST_ALLOCATION_TAGS)
    assert created["aws_budgets_budget"] == 1
    assert created["aws_sns_topic"] == 1 and created["aws_kms_key"] == 1

    applied = account.cli("apply", "--env", "account")
    assert applied.returncode == 0, applied.stderr

    again = account.cli("plan", "--env", "account")
    assert again.returncode == 0, again.stderr
    assert plan_counts(again.stdout) == (0, 0, 0, 0), again.stdout

    ce = _ce(account)
    monitors = ce.get_anomaly_monitors()["AnomalyMonitors"]
    services = [m for m in monitors if m["MonitorType"] == "DIMENSIONAL"]
    assert [(m["MonitorName"], m["MonitorDimension"]) for m in services] == [(f"{PREFIX}-services", "SERVICE")]
    custom = {m["MonitorName"]: m for m in monitors if m["MonitorType"] == "CUSTOM"}
    environments = config.anomaly_detection.environment_monitors
    assert set(custom) == {f"{PREFIX}-environment-{env}" for env in environments}
    for env in environments:
        assert custom[f"{PREFIX}-environment-{env}"]["MonitorSpecification"] == {
            "Tags": {"Key": "Environment", "Values": [env], "MatchOptions": ["EQUALS"]}
        }
    for monitor in monitors:
        assert re.fullmatch(r"arn:aws:ce::\d{12}:anomalymonitor/[0-9a-f-]{36}", monitor["MonitorArn"])
        tags = {
            t["Key"]: t["Value"] for t in ce.list_tags_for_resource(ResourceArn=monitor["MonitorArn"])["ResourceTags"]
        }
        assert tags["CostCenter"] == config.context.cost_center

    (subscription,) = ce.get_anomaly_subscriptions()["AnomalySubscriptions"]
    assert subscription["SubscriptionName"] == f"{PREFIX}-anomalies"
    assert subscription["Frequency"] == "IMMEDIATE"
    assert sorted(subscription["MonitorArnList"]) == sorted(m["MonitorArn"] for m in monitors)
    topic = f"arn:aws:sns:us-east-1:{subscription['AccountId']}:{PREFIX}-alerts"
    assert subscription["Subscribers"] == [{"Type": "SNS", "Address": topic}]
    assert subscription["ThresholdExpression"] == {
        "Dimensions": {
            "Key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
            "Values": [f"{config.anomaly_detection.threshold_usd:g}"],
            "MatchOptions": ["GREATER_THAN_OR_EQUAL"],
        }
    }

    budgets = emulator_client(account.emulator(), "budgets", region="us-east-1")
    budget = budgets.describe_budget(AccountId=subscription["AccountId"], BudgetName=f"{PREFIX}-budget-total")["Budget"]
    assert budget["BudgetLimit"]["Unit"] == "USD"
    assert float(budget["BudgetLimit"]["Amount"]) == float(config.budget.usd(config.budget.total_limit_eur))

    tags = ce.list_cost_allocation_tags(TagKeys=list(COST_ALLOCATION_TAGS))["CostAllocationTags"]
    assert {(t["TagKey"], t["Status"], t["Type"]) for t in tags} == {
        (key, "Active", "UserDefined") for key in COST_ALLOCATION_TAGS
    }


def test_the_account_adopts_the_services_monitor_it_already_holds(account: Workbench, tmp_path: Path) -> None:
    """AWS gives an account a DIMENSIONAL SERVICE monitor, and a second one fails: with
    `existing_service_monitor_arn` the plan imports it (then renames and tags it) instead.

    Plain terraform with local state of its own, synthesized to its own folder; it leaves the
    emulator and account.yaml as it found them, so the order of the tests does not matter."""
    account.synth("--env", "account")
    # In either order of the tests: after the test above, the bootstrap is planned from its state in
    # the bucket; first, it creates the bucket and moves its state there.
    before = _bootstrap_state(account) if emulator.running(account.emulator_dir) else None
    bootstrapped = account.cli("bootstrap", "--env", "account")
    assert bootstrapped.returncode == 0, bootstrapped.stderr
    where = "its state is" if before is not None else "its state moved to"
    assert f"bootstrap: account-bootstrap: {where} s3://{STATE_BUCKET}/{BOOTSTRAP_STATE_KEY}" in bootstrapped.stdout
    after = _bootstrap_state(account)
    assert before is None or after["serial"] >= before["serial"]
    destroyed = account.cli("destroy", "--env", "account", "--confirm", "account")  # what the test above applied
    assert destroyed.returncode == 0, destroyed.stderr
    ce = _ce(account)
    assert ce.get_anomaly_monitors()["AnomalyMonitors"] == []
    existing = ce.create_anomaly_monitor(
        AnomalyMonitor={
            "MonitorName": "Default-Services-Monitor",
            "MonitorType": "DIMENSIONAL",
            "MonitorDimension": "SERVICE",
        }
    )["MonitorArn"]
    settings = account.root / "environments" / "account.yaml"
    shipped = settings.read_text()
    settings.write_text(shipped + f"anomaly_detection:\n  existing_service_monitor_arn: {existing}\n")
    outdir = tmp_path / "cdktf.out"
    try:
        account.synth("--env", "account", "--outdir", str(outdir))
    finally:
        settings.write_text(shipped)
    terraform = local_state_terraform(account.emulator(), outdir / "stacks" / "account", tmp_path, "us-east-1")
    try:
        _adopt(terraform, ce, existing, tmp_path)
    finally:
        destroyed = terraform("destroy", "-input=false", "-auto-approve")
        assert destroyed.returncode == 0, destroyed.stderr
    assert ce.get_anomaly_monitors()["AnomalyMonitors"] == []  # the adopted one went with the stack


def _adopt(terraform: Any, ce: Any, existing: str, tmp_path: Path) -> None:
    planned = terraform("plan", "-input=false", f"-out={tmp_path / 'plan'}")
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(terraform("show", "-json", str(tmp_path / "plan")).stdout)
    changes = [c for c in plan["resource_changes"] if c["type"] == "aws_ce_anomaly_monitor"]
    (imported,) = [c for c in changes if c["change"].get("importing")]
    assert imported["change"]["importing"]["id"] == existing
    assert imported["change"]["actions"] == ["update"]  # renamed and tagged, not replaced
    assert [c["change"]["actions"] for c in changes if c is not imported] == [["create"]] * (len(changes) - 1)

    applied = terraform("apply", "-input=false", str(tmp_path / "plan"))
    assert applied.returncode == 0, applied.stderr
    again = terraform("plan", "-input=false", "-detailed-exitcode")
    assert again.returncode == 0, again.stdout  # 2: changes pending

    (services,) = [m for m in ce.get_anomaly_monitors()["AnomalyMonitors"] if m["MonitorType"] == "DIMENSIONAL"]
    assert (services["MonitorArn"], services["MonitorName"]) == (existing, f"{PREFIX}-services")
    tags = {t["Key"]: t["Value"] for t in ce.list_tags_for_resource(ResourceArn=existing)["ResourceTags"]}
    assert tags["ManagedBy"] == "autoscale-infra"
    (subscription,) = ce.get_anomaly_subscriptions(MonitorArn=existing)["AnomalySubscriptions"]
    assert subscription["SubscriptionName"] == f"{PREFIX}-anomalies"
    # The destroy deactivated the cost-allocation tags; the apply activated them again.
    statuses = ce.list_cost_allocation_tags(TagKeys=list(COST_ALLOCATION_TAGS))["CostAllocationTags"]
    assert {t["Status"] for t in statuses} == {"Active"}
