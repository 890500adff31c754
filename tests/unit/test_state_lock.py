"""The stale state lock: Terraform's `Lock Info` read from its real messages, the message a locked
plan prints, and `unlock` refusing a wrong id, a missing lock and a holder that still runs."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from cli import state_lock, terraform
from cli.errors import UserError
from cli.settings import Settings

# `terraform plan` of Terraform 1.11.4 (S3 backend, `use_lockfile`) while a killed apply's lock
# remained, as printed (its stderr, after the CLI-configuration warning).
LOCKED_PLAN = """
Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error
StatusCode: 412, RequestID:
NjMD6suunLRn2ZsQVddUsfuASPewa5FnOwwdIIEFA543rjQ3resr, HostID:
9Gjjt1m+cjU4OPvX9O9/8RuvnG41MRb/18Oux2o5H5MY7ISNTlXN+Dz9IG62/ILVxhAGI0qyPfg=,
api error PreconditionFailed: At least one of the pre-conditions you
specified did not hold
Lock Info:
  ID:        49efad33-4ea4-8398-78b8-1972ca4d69c6
  Path:      matbakh-dev-api-tfstate/dev/matbakh-api.tfstate
  Operation: OperationTypeApply
  Who:       root@vm
  Version:   1.11.4
  Created:   2026-12-02 00:59:08.15074547 +0000 UTC
  Info:


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the "-lock=false"
flag, but this is not recommended.
""".replace("  Info:\n", "  Info:      \n")  # Terraform pads the empty field
# `terraform force-unlock -force wrong-id-123` against that lock.
WRONG_UNLOCK = """Failed to unlock state: lock ID 'wrong-id-123' does not match the existing lock ID '49efad33-4ea4-8398-78b8-1972ca4d69c6'
Lock Info:
  ID:        49efad33-4ea4-8398-78b8-1972ca4d69c6
  Path:      matbakh-dev-api-tfstate/dev/matbakh-api.tfstate
  Operation: OperationTypeApply
  Who:       root@vm
  Version:   1.11.4
  Created:   2026-12-02 00:59:08.15074547 +0000 UTC
  Info:

""".replace("  Info:\n", "  Info:      \n")
# The lock object `<key>.tflock` of that lock, as stored in the bucket.
LOCK_OBJECT = {
    "ID": "49efad33-4ea4-8398-78b8-1972ca4d69c6",
    "Operation": "OperationTypeApply",
    "Info": "",
    "Who": "root@vm",
    "Version": "1.11.4",
    "Created": "2026-12-02T00:59:08.15074547Z",
    "Path": "matbakh-dev-api-tfstate/dev/matbakh-api.tfstate",
}
TAKEN = datetime.datetime(2026, 12, 2, 0, 59, 8, 150745, tzinfo=datetime.UTC)


def test_the_lock_info_of_a_locked_plan_is_read_field_by_field() -> None:
    lock = state_lock.parse(LOCKED_PLAN)
    assert lock == state_lock.LockInfo(
        id="49efad33-4ea4-8398-78b8-1972ca4d69c6",
        path="matbakh-dev-api-tfstate/dev/matbakh-api.tfstate",
        operation="OperationTypeApply",
        who="root@vm",
        version="1.11.4",
        created="2026-12-02 00:59:08.15074547 +0000 UTC",
        info="",
    )
    assert lock.operation_name == "apply"
    assert lock.created_at == TAKEN


def test_a_failed_force_unlock_and_the_lock_object_name_the_same_lock() -> None:
    from_unlock, from_object = state_lock.parse(WRONG_UNLOCK), state_lock.LockInfo.from_json(LOCK_OBJECT)
    assert from_unlock is not None and from_unlock.id == from_object.id == LOCK_OBJECT["ID"]
    assert from_unlock.created_at == from_object.created_at == TAKEN
    assert from_object.who == "root@vm" and from_object.operation_name == "apply"


@pytest.mark.parametrize("text", ["", "Error: Invalid provider configuration\n", "Lock Info:\n  Path: x\n\n"])
def test_text_without_a_lock_id_is_no_lock(text: str) -> None:
    assert state_lock.parse(text) is None


def test_a_stale_lock_is_described_once_with_its_id_holder_age_operation_and_the_release() -> None:
    lock = state_lock.parse(LOCKED_PLAN)
    assert lock is not None
    later = TAKEN + datetime.timedelta(minutes=7, seconds=30)
    assert lock.since(later) == "2026-12-02 00:59:08 UTC (7 minutes ago)"
    message = state_lock.describe(
        lock, env="dev", lock_object="s3://matbakh-dev-api-tfstate/dev/matbakh-api.tfstate.tflock", holders=[]
    )
    assert message.startswith(
        "the state of dev is locked (Error acquiring the state lock, "
        "s3://matbakh-dev-api-tfstate/dev/matbakh-api.tfstate.tflock):"
    )
    for line in (
        "  lock ID:   49efad33-4ea4-8398-78b8-1972ca4d69c6",
        "  held by:   root@vm",
        "  operation: apply (Terraform 1.11.4)",
        "No terraform of this workspace runs on this machine (root@vm): the lock is stale.",
        "  make unlock ENV=dev LOCK_ID=49efad33-4ea4-8398-78b8-1972ca4d69c6",
    ):
        assert line in message.splitlines()
    assert "  since:     2026-12-02 00:59:08 UTC (" in message
    # Another machine's lock: this one cannot tell whether it still runs.
    elsewhere = state_lock.describe(lock, env="dev", lock_object="s3://b/k.tflock", holders=None)
    assert "If that run still goes on (root@vm), wait for it to finish." in elsewhere
    assert "make unlock ENV=dev LOCK_ID=49efad33-4ea4-8398-78b8-1972ca4d69c6" in elsewhere


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path, Path]]:
    """A live process named `terraform` in a stack's folder with the workspace's TF_DATA_DIR."""
    stack_dir, data_dir = tmp_path / "stacks" / "dev", tmp_path / ".work" / "dev" / ".terraform"
    stack_dir.mkdir(parents=True)
    data_dir.mkdir(parents=True)
    process = subprocess.Popen(
        ["bash", "-c", "exec -a terraform sleep 60"],
        cwd=stack_dir,
        env={"PATH": os.environ["PATH"], "TF_DATA_DIR": str(data_dir)},
    )
    deadline = time.monotonic() + 10
    while (Path("/proc") / str(process.pid) / "cmdline").read_bytes().split(b"\0")[0] != b"terraform":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield process, stack_dir, data_dir
    process.kill()
    process.wait()


def test_a_live_terraform_of_the_workspace_holds_a_lock_this_machine_took(
    holder: tuple[subprocess.Popen[bytes], Path, Path], tmp_path: Path
) -> None:
    process, stack_dir, data_dir = holder
    now = datetime.datetime.now(datetime.UTC).isoformat()
    lock = state_lock.LockInfo(id="abc", who=state_lock.this_holder(), created=now, operation="OperationTypeApply")
    (found,) = state_lock.live_holders(lock, stack_dir, data_dir) or []
    assert found.pid == process.pid and found.command == "terraform 60"
    # Another workspace's data directory, another folder, a lock taken before it started, another machine.
    assert state_lock.live_holders(lock, stack_dir, tmp_path / "other" / ".terraform") == []
    assert state_lock.live_holders(lock, tmp_path, data_dir) == []
    earlier = dataclasses.replace(lock, created=(datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)).isoformat())  # fmt: skip
    assert state_lock.live_holders(earlier, stack_dir, data_dir) == []
    assert state_lock.live_holders(dataclasses.replace(lock, who="ci@runner-7"), stack_dir, data_dir) is None
    with pytest.raises(UserError) as refused:
        state_lock.check_release(lock, "abc", env="dev", lock_object="s3://b/k.tflock", holders=[found])
    assert f"refusing to release lock abc of dev: it was taken by this machine ({lock.who})" in str(refused.value)
    assert f"pid {process.pid} `terraform 60`" in str(refused.value)


@pytest.fixture
def locked_dev(tmp_path: Path) -> Iterator[Settings]:
    """A synthesized dev stack whose state bucket (in moto, in this process) holds LOCK_OBJECT."""
    stack = tmp_path / "cdktf.out" / "stacks" / "dev"
    stack.mkdir(parents=True)
    backend = {"bucket": "matbakh-dev-api-tfstate", "key": "dev/matbakh-api.tfstate", "use_lockfile": True}
    (stack / "cdk.tf.json").write_text(json.dumps({"terraform": {"backend": {"s3": backend}}, "resource": {}}))
    settings = dataclasses.replace(
        Settings.from_environment(), target="aws", work_dir=tmp_path / ".work", outdir=tmp_path / "cdktf.out"
    )
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-central-1")
        s3.create_bucket(Bucket=backend["bucket"], CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        s3.put_object(Bucket=backend["bucket"], Key=f"{backend['key']}.tflock", Body=json.dumps(LOCK_OBJECT))
        yield settings


def _refusal(settings: Settings, lock_id: str) -> str:
    with pytest.raises(UserError) as refused:
        terraform.unlock(settings, "dev", "eu-central-1", lock_id)
    return str(refused.value)


def test_unlock_with_a_wrong_id_names_both_ids_and_releases_nothing(locked_dev: Settings) -> None:
    message = _refusal(locked_dev, "wrong-id-123")
    assert message.startswith(
        "LOCK_ID=wrong-id-123 is not the lock on the state of dev: the lock is 49efad33-4ea4-8398-78b8-1972ca4d69c6 "
        "(held by root@vm since 2026-12-02 00:59:08 UTC ("
    )
    assert message.endswith("; operation apply); nothing was released")
    s3 = boto3.client("s3", region_name="eu-central-1")
    assert s3.head_object(Bucket="matbakh-dev-api-tfstate", Key="dev/matbakh-api.tfstate.tflock")["ContentLength"]


def test_unlock_without_a_lock_or_an_id_says_so(locked_dev: Settings) -> None:
    boto3.client("s3", region_name="eu-central-1").delete_object(
        Bucket="matbakh-dev-api-tfstate", Key="dev/matbakh-api.tfstate.tflock"
    )
    assert _refusal(locked_dev, "49efad33") == (
        "there is no lock on the state of dev (s3://matbakh-dev-api-tfstate/dev/matbakh-api.tfstate.tflock): "
        "nothing to release (LOCK_ID=49efad33)"
    )
    with pytest.raises(UserError) as unnamed:
        terraform.unlock(locked_dev, "dev", "eu-central-1", " ")
    assert unnamed.value.exit_code == 2
    assert "make unlock ENV=dev LOCK_ID=<the lock ID a plan or apply printed>" in str(unnamed.value)
