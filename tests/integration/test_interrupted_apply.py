"""An apply of dev interrupted midway, on the emulator: SIGTERM (Terraform stops gracefully,
releases the lock and records what it finished; what it cancelled may exist unrecorded), then
SIGKILL once the database exists (the lock stays, and what was being created is not in the state):
the locked plan names the lock, `make unlock` refuses a live holder and a wrong id and releases the
right one, the next plan finds the orphans and offers their import blocks, a plan with IMPORT=yes
adopts them, and the apply converges to an empty plan."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cli import emulator
from cli.discovery import orphans
from tests.conftest import PYTHON, run
from tests.integration.conftest import Workbench, make_ready_repository

pytestmark = pytest.mark.integration

BUCKET = "matbakh-dev-api-tfstate"
STATE_KEY = "dev/matbakh-api.tfstate"
LOCK_KEY = f"{STATE_KEY}.tflock"
DATABASE = "matbakh-dev-api-db"


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    """A ready copy of the repository (`make` works there) with dev planned on its own emulator."""
    workbench = make_ready_repository(tmp_path_factory.mktemp("interrupted"))
    try:
        planned = workbench.cli("plan", "--env", "dev")
        assert planned.returncode == 0, planned.stderr
        yield workbench
    finally:  # also when the plan failed: it started the emulator
        emulator.stop(workbench.emulator_dir)


def _work(bench: Workbench) -> Path:
    return bench.root / ".work" / f"emulator-{bench.emulator().port}" / "dev"


def _start_apply(bench: Workbench, log: Path) -> subprocess.Popen[bytes]:
    """`python -m cli apply --env dev` in a session of its own (as a CI job or a terminal runs it)."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [PYTHON, "-m", "cli", "apply", "--env", "dev"],
            cwd=bench.root,
            env=bench.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_for(what: str, condition: Callable[[], bool], process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300
    while not condition():
        assert process.poll() is None, f"the apply ended before {what}:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"no {what} after 300 s"
        time.sleep(0.5)


def _exists(call: Callable[[], Any]) -> bool:
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError:
        return False
    return True


def _lock(bench: Workbench) -> dict[str, Any] | None:
    s3 = bench.client("s3")
    if not _exists(lambda: s3.head_object(Bucket=BUCKET, Key=LOCK_KEY)):
        return None
    return dict(json.loads(s3.get_object(Bucket=BUCKET, Key=LOCK_KEY)["Body"].read()))


def _state_addresses(bench: Workbench) -> set[str]:
    state = json.loads(bench.client("s3").get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read())
    return {f"{r['type']}.{r['name']}" for r in state["resources"] if r["mode"] == "managed" and r["instances"]}


def _security_groups_finished(bench: Workbench) -> bool:
    """Every security group of dev's stack exists, without the allow-all egress rule AWS gives a new one."""
    stack = json.loads((bench.root / "cdktf.out" / "stacks" / "dev" / "cdk.tf.json").read_text())
    names = {group["name"] for group in stack["resource"]["aws_security_group"].values()}
    groups = bench.client("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": sorted(names)}])
    finished = [g for g in groups["SecurityGroups"] if not orphans.allows_all_egress(g)]
    return len(finished) == len(names)


def _make(bench: Workbench, *args: str) -> subprocess.CompletedProcess[str]:
    return run(["make", "--no-print-directory", *args], cwd=bench.root, env=bench.env, inherit=False)


def test_an_interrupted_apply_is_unlocked_adopted_and_converges(bench: Workbench, tmp_path: Path) -> None:
    ec2, rds = bench.client("ec2"), bench.client("rds")
    dev = [{"Name": "tag:Environment", "Values": ["dev"]}]

    # SIGTERM (a cancelled CI job, `kill`): Terraform cancels what is in flight, saves the state and
    # releases the lock; the CLI waits for that, then says so. A subnet is created only once
    # Terraform has finished its VPC, so the VPC is then done and must be recorded (a resource that
    # merely exists in the emulator may still have been in flight, and cancelled unrecorded). The
    # signal also waits for the security groups to be finished: one cancelled between its creation
    # and the provider's removal of AWS's allow-all egress rule would be adopted with that rule,
    # which the plan's gate rightly refuses (CKV_AWS_382).
    log = tmp_path / "sigterm.log"
    applying = _start_apply(bench, log)
    _wait_for("subnet", lambda: bool(ec2.describe_subnets(Filters=dev)["Subnets"]), applying, log)
    _wait_for("security groups", lambda: _security_groups_finished(bench), applying, log)
    os.killpg(applying.pid, signal.SIGTERM)
    assert applying.wait(timeout=300) == 128 + signal.SIGTERM, log.read_text()[-3000:]
    assert "error: terraform apply of stack dev was interrupted (SIGTERM); Terraform stopped gracefully" in (
        log.read_text()
    )
    assert _lock(bench) is None
    recorded = _state_addresses(bench)
    assert any(address.startswith("aws_vpc.network_vpc") for address in recorded), sorted(recorded)
    assert not rds.describe_db_instances()["DBInstances"], "the SIGTERM came too late to leave the database"
    # What was in flight was cancelled: some of it may exist unrecorded (measured: a KMS key, a bucket,
    # a CloudFront policy), which the plan finds, and a plan with IMPORT=yes adopts.
    replanned = bench.cli("plan", "--env", "dev")
    if replanned.returncode != 0:
        assert "this plan of dev would create already exist in the emulator" in replanned.stderr, replanned.stderr
        replanned = bench.cli("plan", "--env", "dev", "--import", "yes")
        assert replanned.returncode == 0, replanned.stderr
        assert " to import; saved" in replanned.stdout

    # SIGKILL once the database exists (Terraform waits minutes for it to become available).
    log = tmp_path / "sigkill.log"
    applying = _start_apply(bench, log)
    _wait_for("DB instance", lambda: bool(rds.describe_db_instances()["DBInstances"]), applying, log)
    lock = _lock(bench)
    assert lock is not None and lock["Operation"] == "OperationTypeApply"
    refused = _make(bench, "unlock", "ENV=dev", f"LOCK_ID={lock['ID']}")  # its holder still runs
    assert refused.returncode == 2
    assert f"refusing to release lock {lock['ID']} of dev: it was taken by this machine" in refused.stderr
    assert "terraform apply -input=false -no-color" in refused.stderr
    os.killpg(applying.pid, signal.SIGKILL)
    applying.wait(timeout=60)
    assert _lock(bench) == lock, "a killed apply leaves its lock"
    assert not any(address.startswith("aws_db_instance.") for address in _state_addresses(bench))

    locked = bench.cli("plan", "--env", "dev")
    assert locked.returncode == 1
    message = locked.stderr.split("error: ", 1)[1]
    assert message.startswith(f"the state of dev is locked (Error acquiring the state lock, s3://{BUCKET}/{LOCK_KEY}):")
    assert f"  lock ID:   {lock['ID']}\n" in message and f"  held by:   {lock['Who']}\n" in message
    assert "  operation: apply (Terraform " in message
    assert "No terraform of this workspace runs on this machine" in message
    assert f"  make unlock ENV=dev LOCK_ID={lock['ID']}\n" in message
    assert "Traceback" not in locked.stderr

    wrong = _make(bench, "unlock", "ENV=dev", "LOCK_ID=0f0f0f0f-wrong")
    assert wrong.returncode == 2
    assert f"error: LOCK_ID=0f0f0f0f-wrong is not the lock on the state of dev: the lock is {lock['ID']}" in (
        wrong.stderr
    )
    assert _lock(bench) == lock
    released = _make(bench, "unlock", "ENV=dev", f"LOCK_ID={lock['ID']}")
    assert released.returncode == 0, released.stderr
    assert f"unlock: released lock {lock['ID']} of dev" in released.stdout
    assert _lock(bench) is None

    # The next plan finds what the killed apply made but never recorded, and offers to adopt it.
    work, stack_dir = _work(bench), bench.root / "cdktf.out" / "stacks" / "dev"
    found = bench.cli("plan", "--env", "dev")
    assert found.returncode == 1
    assert "this plan of dev would create already exist in the emulator under the stack's names" in found.stderr
    assert f": {DATABASE} (tagged Environment=dev)" in found.stderr
    assert "  make plan ENV=dev IMPORT=yes" in found.stderr
    blocks = json.loads((work / "adopt.tf.json").read_text())["import"]
    assert {"to": next(b["to"] for b in blocks if b["to"].startswith("aws_db_instance.")), "id": DATABASE} in blocks
    assert not (stack_dir / "adopt.tf.json").exists() and not (work / "plan.tfplan").exists()
    no_plan = bench.cli("apply", "--env", "dev")
    assert no_plan.returncode == 1 and "no saved plan of dev" in no_plan.stderr

    adopting = bench.cli("plan", "--env", "dev", "--import", "yes")
    assert adopting.returncode == 0, adopting.stderr
    assert f"plan: dev: adopting {len(blocks)} existing resource(s)" in adopting.stdout
    assert f", {len(blocks)} to import;" in adopting.stdout
    record = json.loads((work / "plan.record.json").read_text())
    assert record["gate"] == "passed" and record["imports"] == sorted(b["to"] for b in blocks)
    assert not (stack_dir / "adopt.tf.json").exists() and not (work / "adopt.tf.json").exists()

    applied = bench.cli("apply", "--env", "dev")
    assert applied.returncode == 0, applied.stderr
    assert {b["to"] for b in blocks} <= _state_addresses(bench)
    (instance,) = rds.describe_db_instances()["DBInstances"]
    assert instance["DBInstanceIdentifier"] == DATABASE  # adopted, not created twice
    settled = bench.cli("plan", "--env", "dev")
    assert settled.returncode == 0, settled.stderr
    assert "0 to add, 0 to change, 0 to destroy, 0 to replace; saved" in settled.stdout
