"""A state Terraform could not save (`errored.tfstate`) leaves the CI runner for the state bucket,
encrypted with the state's key (issue 18): a thrown-away runner must not take the only copy."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from cli import terraform
from cli.errors import UserError
from cli.revision import Revision
from cli.settings import Settings
from cli.terraform import ERRORED_STATE, keep_errored_state

BUCKET = "matbakh-prod-api-tfstate"
STATE_KEY = "prod/matbakh-api.tfstate"


@mock_aws
def test_the_errored_state_goes_encrypted_beside_the_state_and_leaves_the_disk(tmp_path: Path) -> None:
    s3 = boto3.client("s3", region_name="eu-central-1")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    key_arn = boto3.client("kms", region_name="eu-central-1").create_key()["KeyMetadata"]["Arn"]
    errored = tmp_path / ERRORED_STATE
    state = {"version": 4, "serial": 7, "resources": [{"type": "aws_db_instance", "name": "db"}]}
    errored.write_text(json.dumps(state))

    message = keep_errored_state(errored, s3, BUCKET, STATE_KEY, key_arn)

    (kept,) = s3.list_objects_v2(Bucket=BUCKET, Prefix="prod/errored/")["Contents"]
    assert kept["Key"].startswith("prod/errored/") and kept["Key"].endswith(".tfstate")
    stored = s3.get_object(Bucket=BUCKET, Key=kept["Key"])
    assert json.loads(stored["Body"].read()) == state
    assert (stored["ServerSideEncryption"], stored["SSEKMSKeyId"]) == ("aws:kms", key_arn)
    assert not errored.exists()
    assert message.startswith(f"Terraform could not save the state to s3://{BUCKET}/{STATE_KEY}; ")
    assert f"kept in s3://{BUCKET}/{kept['Key']} (encrypted with the state's key" in message
    assert "`terraform state push`" in message


@mock_aws
def test_a_failed_apply_that_left_an_errored_state_keeps_it_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = boto3.client("s3", region_name="eu-central-1")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    key_arn = boto3.client("kms", region_name="eu-central-1").create_key()["KeyMetadata"]["Arn"]
    stack_dir = tmp_path / "cdktf.out" / "stacks" / "prod"
    stack_dir.mkdir(parents=True)
    stack = {"terraform": {"backend": {"s3": {"bucket": BUCKET, "key": STATE_KEY}}}, "resource": {}}
    (stack_dir / "cdk.tf.json").write_text(json.dumps(stack))
    settings = dataclasses.replace(
        Settings.from_environment(), target="aws", work_dir=tmp_path / ".work", outdir=tmp_path / "cdktf.out"
    )
    directory = settings.work_dir / "aws" / "prod"
    (directory / ".terraform").mkdir(parents=True)  # initialized
    (directory / "plan.tfplan").write_bytes(b"saved plan")
    record = {
        "environment": "prod",
        "target": "aws",
        "stack_sha256": hashlib.sha256((stack_dir / "cdk.tf.json").read_bytes()).hexdigest(),
        "plan_sha256": hashlib.sha256(b"saved plan").hexdigest(),
        "revision": "a" * 40,
        "revision_dirty": False,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "gate": "passed",
    }
    (directory / "plan.record.json").write_text(json.dumps(record))

    def apply_that_cannot_save(self: terraform.Workspace, *args: str, capture: bool = False) -> str:
        (self.stack_dir / ERRORED_STATE).write_text('{"version": 4, "serial": 3}')
        raise UserError(f"terraform {args[0]} of stack {self.stack} failed (see its output above)")

    monkeypatch.setattr(terraform, "state_client", lambda run_target, region: s3)
    monkeypatch.setattr(terraform, "_bootstrap_outputs", lambda *_: {"state_kms_key_arn": key_arn})
    monkeypatch.setattr(terraform.Workspace, "terraform", apply_that_cannot_save)
    with pytest.raises(UserError) as failed:
        terraform.apply(settings, "prod", "eu-central-1", Revision(commit="a" * 40))
    message = str(failed.value)
    assert message.startswith("terraform apply of stack prod failed (see its output above)\nTerraform could not save")
    (kept,) = s3.list_objects_v2(Bucket=BUCKET, Prefix="prod/errored/")["Contents"]
    assert f"s3://{BUCKET}/{kept['Key']}" in message
    assert not (stack_dir / ERRORED_STATE).exists()
    assert (directory / "plan.tfplan").exists(), "a failed apply keeps its plan's files for the record"
