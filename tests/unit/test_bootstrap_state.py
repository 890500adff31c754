"""The bootstrap's state lives in its bucket, not on a laptop; ALLOW_REPLACE lifts prod's
`prevent_destroy` for exactly the named addresses; Terraform's refusal reads as what to do (issue 18)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from cli import target, terraform
from cli.errors import UserError
from cli.settings import Settings

BUCKET = "matbakh-prod-api-tfstate"
KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/state"  # moto's default account
DATABASE = "aws_db_instance.database_instance_D7FC2283"
CACHE = "aws_elasticache_replication_group.cache_group_D050DA10"
# `terraform plan` of Terraform 1.11.4 refusing two protected resources (the second address wraps).
REFUSAL = f"""terraform plan of stack prod failed: Error: Instance cannot be destroyed

  on cdk.tf.json line 1204, in resource.aws_db_instance.database_instance_D7FC2283:
1204:       }},

Resource {DATABASE} has lifecycle.prevent_destroy set, but the
plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either
disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target option.

Error: Instance cannot be destroyed

Resource {CACHE}
has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed."""


def _stack(tmp_path: Path, name: str, body: dict[str, object]) -> Path:
    folder = tmp_path / "cdktf.out" / "stacks" / name
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text(json.dumps(body))
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """prod's two stacks as far as the bootstrap's state needs them: the main stack's backend, and a
    bootstrap stack with a protected bucket and key."""
    _stack(
        tmp_path,
        "prod",
        {
            "terraform": {
                "backend": {"s3": {"bucket": BUCKET, "key": "prod/matbakh-api.tfstate", "region": "eu-central-1"}}
            }
        },
    )
    protected = {"lifecycle": {"prevent_destroy": True}}
    _stack(
        tmp_path,
        "prod-bootstrap",
        {
            "provider": {"aws": [{"allowed_account_ids": ["123456789012"]}]},
            "terraform": {"backend": {"local": {"path": "terraform.tfstate"}}},
            "resource": {
                "aws_s3_bucket": {"state_bucket_803B4E61": {"bucket": BUCKET, **protected}},
                "aws_kms_key": {"state_key_5FD9E39E": protected},
                "aws_s3_bucket_policy": {"state_tls_only_1A2B3C4D": {"bucket": BUCKET}},
            },
        },
    )
    return dataclasses.replace(
        Settings.from_environment(), target="aws", work_dir=tmp_path / ".work", outdir=tmp_path / "cdktf.out"
    )


def test_the_bootstrap_state_sits_in_the_bucket_outside_the_prefix_the_ci_roles_may_touch(settings: Settings) -> None:
    location = terraform.bootstrap_state_location(settings, "prod")
    assert str(location) == f"s3://{BUCKET}/bootstrap/prod.tfstate"
    assert not location.key.startswith("prod/")  # the CI roles read and write `prod/*` only
    assert location.backend() == {
        "terraform": {
            "backend": {
                "s3": {
                    "bucket": BUCKET,
                    "key": "bootstrap/prod.tfstate",
                    "region": "eu-central-1",
                    "encrypt": True,
                    "use_lockfile": True,
                }
            }
        }
    }


def _state(lineage: str, serial: int, *, resources: bool = True) -> dict[str, object]:
    return {
        "version": 4,
        "lineage": lineage,
        "serial": serial,
        "outputs": {"state_kms_key_arn": {"value": KEY_ARN, "type": "string"}},
        "resources": [{"mode": "managed", "type": "aws_s3_bucket", "name": "state_bucket_803B4E61"}]
        if resources
        else [],
    }


@pytest.fixture
def bucket(settings: Settings) -> Iterator[object]:
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-central-1")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        yield s3


def test_the_outputs_come_from_the_state_in_the_bucket_on_any_machine(settings: Settings, bucket: object) -> None:
    s3 = boto3.client("s3", region_name="eu-central-1")
    s3.put_object(Bucket=BUCKET, Key="bootstrap/prod.tfstate", Body=json.dumps(_state("l-1", 7)))
    aws = target.Target(name=target.AWS, description="AWS")
    assert terraform._bootstrap_outputs(settings, "prod", aws) == {"state_kms_key_arn": KEY_ARN}


def test_a_state_still_on_this_machine_must_be_moved_first(settings: Settings, bucket: object) -> None:
    local = settings.work_dir / "aws" / "prod-bootstrap" / "terraform.tfstate"
    local.parent.mkdir(parents=True)
    local.write_text(json.dumps(_state("l-1", 7)))
    with pytest.raises(UserError) as refused:
        terraform._bootstrap_outputs(settings, "prod", target.Target(name=target.AWS, description="AWS"))
    assert str(refused.value) == (
        f"the bootstrap state of prod is still on this machine ({local}): run `make bootstrap ENV=prod` once "
        f"to move it into s3://{BUCKET}/bootstrap/prod.tfstate"
    )


def test_no_state_anywhere_asks_for_a_bootstrap(settings: Settings, bucket: object) -> None:
    with pytest.raises(
        UserError, match=r"not bootstrapped for aws \(no state at s3://.*\): run `make bootstrap ENV=prod`"
    ):
        terraform._bootstrap_outputs(settings, "prod", target.Target(name=target.AWS, description="AWS"))


def test_a_bucket_without_the_state_is_not_bootstrapped_again_from_nothing(settings: Settings, bucket: object) -> None:
    location = terraform.bootstrap_state_location(settings, "prod")
    local = settings.work_dir / "aws" / "prod-bootstrap" / "terraform.tfstate"
    with pytest.raises(UserError, match=f"the bucket {BUCKET} exists but holds no state at"):
        terraform._refuse_lost_state("prod-bootstrap", location, local, bucket)
    local.parent.mkdir(parents=True)
    local.write_text(json.dumps(_state("l-1", 3)))  # an interrupted first run: it moves on the next one
    terraform._refuse_lost_state("prod-bootstrap", location, local, bucket)


def test_a_local_copy_of_the_bucket_s_state_goes_and_a_different_one_stays(tmp_path: Path) -> None:
    local = tmp_path / "terraform.tfstate"
    backup = tmp_path / "terraform.tfstate.backup"
    local.write_text(json.dumps(_state("l-1", 11)))
    backup.write_text("{}")
    terraform._forget_local_state("prod-bootstrap", local, _state("l-2", 1))  # a move gives a new lineage
    assert not local.exists() and not backup.exists()
    local.write_text("")  # what an emptied local state looks like
    terraform._forget_local_state("prod-bootstrap", local, _state("l-2", 1))
    assert not local.exists()
    local.write_text(json.dumps(_state("l-1", 4, resources=False) | {"resources": [{"type": "aws_kms_key"}]}))
    with pytest.raises(UserError, match="holds a state that differs from the one in its bucket"):
        terraform._forget_local_state("prod-bootstrap", local, _state("l-2", 8))
    assert local.exists()


def test_allow_replace_lifts_prevent_destroy_of_the_named_protected_address_only(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = terraform.Workspace(settings, "prod-bootstrap", target.Target(name=target.AWS, description="AWS"))
    lift = workspace.stack_dir / terraform.LIFT_FILE
    assert terraform._lift_protection(workspace, (), what="bootstrap: prod-bootstrap") == []
    assert not lift.exists()
    allowed = ("aws_kms_key.state_key_5FD9E39E", "aws_s3_bucket_policy.state_tls_only_1A2B3C4D", "aws_kms_key.other")
    assert terraform._lift_protection(workspace, allowed, what="bootstrap: prod-bootstrap") == [
        "aws_kms_key.state_key_5FD9E39E"
    ]  # an unprotected or unknown address gets no override (Terraform refuses one without its resource)
    assert json.loads(lift.read_text()) == {
        "resource": {"aws_kms_key": {"state_key_5FD9E39E": {"lifecycle": {"prevent_destroy": False}}}}
    }
    assert capsys.readouterr().out == (
        "bootstrap: prod-bootstrap: lifecycle.prevent_destroy of aws_kms_key.state_key_5FD9E39E lifted for this "
        "plan (ALLOW_REPLACE)\n"
    )


def test_terraform_s_refusal_to_destroy_a_protected_resource_says_what_to_do() -> None:
    explained = terraform._explain_protection(UserError(REFUSAL), "prod", command="plan")
    assert str(explained) == (
        "the plan of prod would destroy resources that lifecycle.prevent_destroy protects (stacks/protection.py; "
        f"their data goes with them):\n  {DATABASE}\n  {CACHE}\n"
        f"if that is intended, run `make plan ENV=prod ALLOW_REPLACE={DATABASE},{CACHE}`"
    )
    other = UserError("terraform plan of stack prod failed: Error: something else")
    assert terraform._explain_protection(other, "prod", command="bootstrap") is other


def test_the_bootstrap_s_lock_is_named_where_its_state_is(settings: Settings) -> None:
    workspace = terraform.Workspace(settings, "prod-bootstrap", target.Target(name=target.AWS, description="AWS"))
    assert workspace.lock_object() == "the local state's lock"
    location = terraform.bootstrap_state_location(settings, "prod")
    (workspace.stack_dir / terraform.BOOTSTRAP_BACKEND_FILE).write_text(json.dumps(location.backend()))
    assert workspace.lock_object() == f"s3://{BUCKET}/bootstrap/prod.tfstate.tflock"
