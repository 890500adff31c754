"""`make apply` refuses every saved plan it must not apply, before Terraform or AWS is touched."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cli import revision, target, terraform
from cli.errors import UserError
from cli.revision import Revision, RevisionRecord
from cli.settings import Settings

A = "a" * 40
B = "b" * 40


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    stack = tmp_path / "cdktf.out" / "stacks" / "dev"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text('{"resource": {}}')
    base = Settings.from_environment()
    return dataclasses.replace(base, target="aws", work_dir=tmp_path / ".work", outdir=tmp_path / "cdktf.out")


def _save_plan(settings: Settings, **overrides: Any) -> Path:
    directory = settings.work_dir / "aws" / "dev"
    directory.mkdir(parents=True, exist_ok=True)
    plan_file = directory / "plan.tfplan"
    plan_file.write_bytes(b"saved plan")
    record = {
        "environment": "dev",
        "target": "aws",
        "stack_sha256": hashlib.sha256((settings.outdir / "stacks" / "dev" / "cdk.tf.json").read_bytes()).hexdigest(),
        "plan_sha256": hashlib.sha256(b"saved plan").hexdigest(),
        "revision": A,
        "revision_dirty": False,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "gate": "passed",
        **overrides,
    }
    (directory / "plan.record.json").write_text(json.dumps(record))
    return plan_file


def _refusal(settings: Settings, current: Revision | None) -> str:
    with pytest.raises(UserError) as refused:
        terraform.apply(settings, "dev", "eu-central-1", current)
    return str(refused.value)


def _check(settings: Settings, current: Revision | None) -> None:
    workspace = terraform.Workspace(settings, "dev", target.resolve(settings, "eu-central-1"))
    terraform._check_saved_plan(settings, "dev", workspace, current)


def test_the_current_clean_gated_plan_passes_every_check(settings: Settings) -> None:
    _save_plan(settings)
    _check(settings, Revision(A))


def test_refuses_without_a_saved_plan(settings: Settings) -> None:
    assert _refusal(settings, Revision(A)) == "no saved plan of dev for aws: run `make plan ENV=dev` first"


def test_refuses_a_plan_that_did_not_pass_the_gate(settings: Settings) -> None:
    _save_plan(settings, gate="failed")
    assert "the saved plan of dev did not pass the policy gate" in _refusal(settings, Revision(A))


def test_refuses_a_plan_modified_after_the_gate(settings: Settings) -> None:
    _save_plan(settings).write_bytes(b"another plan")
    assert "the saved plan of dev was modified after it was gated" in _refusal(settings, Revision(A))


def test_refuses_when_the_working_tree_differs_from_the_plans_revision(settings: Settings) -> None:
    _save_plan(settings)
    message = _refusal(settings, Revision(A, dirty=True))
    assert message == (
        "the working tree differs from the saved plan's revision aaaaaaaaaaaa (uncommitted changes): "
        "commit or stash them, then run `make plan ENV=dev` again"
    )


def test_refuses_when_the_working_tree_is_at_another_revision(settings: Settings) -> None:
    _save_plan(settings)
    message = _refusal(settings, Revision(B))
    assert message == (
        "the working tree is at bbbbbbbbbbbb but the saved plan of dev was made at aaaaaaaaaaaa: "
        "run `make plan ENV=dev` again"
    )


def test_refuses_a_plan_made_from_uncommitted_changes(settings: Settings) -> None:
    _save_plan(settings, revision_dirty=True)
    assert "the saved plan of dev was made from uncommitted changes on aaaaaaaaaaaa" in _refusal(settings, Revision(A))


def test_refuses_a_plan_made_in_git_applied_outside_it(settings: Settings) -> None:
    _save_plan(settings)
    assert "the working tree is at no git revision" in _refusal(settings, None)


def test_refuses_a_stale_plan(settings: Settings) -> None:
    _save_plan(settings)
    (settings.outdir / "stacks" / "dev" / "cdk.tf.json").write_text('{"resource": {"changed": {}}}')
    assert "the saved plan of dev is stale (the code changed since)" in _refusal(settings, Revision(A))


def test_refuses_a_plan_older_than_the_configured_age(settings: Settings) -> None:
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=61)
    _save_plan(settings, created_at=old.isoformat(timespec="seconds"))
    assert "the saved plan of dev is 61 minutes old (limit 60)" in _refusal(settings, Revision(A))
    _check(dataclasses.replace(settings, plan_max_age_minutes=120), Revision(A))


def test_outside_git_the_revision_is_not_checked(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    _save_plan(settings, revision=None, revision_dirty=None)
    _check(settings, None)
    assert "not a git repository, so the plan's revision is not checked" in capsys.readouterr().out


def test_the_revision_of_a_working_tree(tmp_path: Path) -> None:
    assert revision.current(tmp_path) is None
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run([*git, "init", "--quiet"], check=True)
    (tmp_path / "dev.yaml").write_text("{}\n")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "A"], check=True)
    clean = revision.current(tmp_path)
    assert clean is not None and not clean.dirty and len(clean.commit) == 40
    assert revision.resolve(tmp_path, "HEAD") == clean.commit
    (tmp_path / "dev.yaml").write_text("cost_center: x\n")
    assert revision.current(tmp_path) == Revision(clean.commit, dirty=True)
    with pytest.raises(UserError, match="'nope' is not a commit of this repository"):
        revision.resolve(tmp_path, "nope")


def test_drift_summary_names_each_resource_and_attribute() -> None:
    plan = {
        "resource_drift": [
            {
                "address": "aws_sqs_queue.dlq",
                "change": {
                    "actions": ["update"],
                    "before": {"name": "q", "message_retention_seconds": 1209600},
                    "after": {"name": "q", "message_retention_seconds": 3600},
                },
            },
            {"address": "aws_sns_topic.alerts", "change": {"actions": ["delete"], "before": {}, "after": None}},
        ]
    }
    assert terraform.drift_summary(plan) == (
        [
            "aws_sqs_queue.dlq: message_retention_seconds changed outside Terraform",
            "aws_sns_topic.alerts: deleted outside Terraform",
        ],
        [],
    )


def test_drift_leaves_out_what_ignore_changes_leaves_to_autoscaling_and_keeps_the_rest() -> None:
    stack = {
        "resource": {
            "aws_appautoscaling_target": {
                "auth": {"min_capacity": 2, "lifecycle": {"ignore_changes": ["min_capacity", "max_capacity"]}}
            },
            "aws_elasticache_replication_group": {
                "cache": {"lifecycle": {"ignore_changes": ["replicas_per_node_group", 'tags["Owner"]']}}
            },
            "aws_cloudwatch_metric_alarm": {"cpu": {"threshold": 60}},
        }
    }
    ignored = terraform.ignored_changes(stack)
    assert ignored == {
        "aws_appautoscaling_target.auth": frozenset({"min_capacity", "max_capacity"}),
        "aws_elasticache_replication_group.cache": frozenset({"replicas_per_node_group", "tags"}),
    }

    def update(address: str, before: dict[str, object], after: dict[str, object]) -> dict[str, object]:
        return {"address": address, "change": {"actions": ["update"], "before": before, "after": after}}

    plan = {
        "resource_drift": [
            update("aws_appautoscaling_target.auth", {"min_capacity": 2}, {"min_capacity": 5}),
            update(
                "aws_elasticache_replication_group.cache",
                {"replicas_per_node_group": 1, "snapshot_retention_limit": 7},
                {"replicas_per_node_group": 3, "snapshot_retention_limit": 1},
            ),
            update("aws_cloudwatch_metric_alarm.cpu", {"threshold": 60}, {"threshold": 95}),
            # an unset attribute read back as another kind of empty is no change
            update(
                "aws_cloudwatch_metric_alarm.quiet",
                {"insufficient_data_actions": [], "dimensions": {}, "metric_query": [], "description": None},
                {
                    "insufficient_data_actions": None,
                    "dimensions": None,
                    "metric_query": [{"id": ""}],
                    "description": "",
                },
            ),
            update(
                "aws_security_group.db",
                {"ingress": [{"cidr_blocks": [], "from_port": 5432}]},
                {"ingress": [{"cidr_blocks": None, "from_port": 5432}]},
            ),
            update("aws_security_group.cache", {"ingress": [{"from_port": 6379}]}, {"ingress": [{"from_port": 6380}]}),
            update(
                "aws_sns_topic_policy.alerts",
                {"policy": '{"Version": "2012-10-17"}'},
                {"policy": '{"Version":"2012-10-17"}'},
            ),
        ]
    }
    assert terraform.drift_summary(plan, terraform.StackAttributes(ignored=ignored)) == (
        [
            "aws_elasticache_replication_group.cache: snapshot_retention_limit changed outside Terraform",
            "aws_cloudwatch_metric_alarm.cpu: threshold changed outside Terraform",
            "aws_security_group.cache: ingress changed outside Terraform",
        ],
        ["aws_appautoscaling_target.auth: min_capacity"],
    )


class _FakeS3:
    """The two calls the revision record makes, on a dict."""

    class exceptions:  # noqa: N801 - boto3's shape
        class NoSuchKey(Exception):  # noqa: N818 - boto3's name
            pass

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        if (Bucket, Key) not in self.objects:
            raise self.exceptions.NoSuchKey(Key)
        body = self.objects[(Bucket, Key)]
        return {"Body": type("Body", (), {"read": lambda self: body})()}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, ContentType: str) -> None:  # noqa: N803
        self.objects[(Bucket, Key)] = Body


def test_the_revision_record_names_the_last_good_revision(tmp_path: Path) -> None:
    stack = tmp_path / "cdk.tf.json"
    stack.write_text(json.dumps({"terraform": {"backend": {"s3": {"bucket": "b", "key": "dev/matbakh-api.tfstate"}}}}))
    record = RevisionRecord.of_stack(stack, _FakeS3())
    assert (record.bucket, record.key) == ("b", "dev/matbakh-api.revisions.json")
    with pytest.raises(UserError, match="records no earlier successful revision: name one with TO="):
        record.rollback_target()
    record.attempt(A)
    record.succeeded(A)
    with pytest.raises(UserError):
        record.rollback_target()  # A is the only one: nothing before it
    record.attempt(B)
    assert record.rollback_target() == A  # B's apply has not succeeded (yet, or ever): A is the last good one
    record.succeeded(B)
    assert record.rollback_target() == A  # B succeeded: roll back to the one before it
    assert record.read()["current"] == B and record.read()["previous"] == A


def test_a_rollback_needs_a_revision(settings: Settings) -> None:
    from cli.rollback import rollback

    with pytest.raises(UserError) as refused:
        rollback(settings, "dev", "eu-central-1", "", None)
    assert refused.value.exit_code == 2
    assert str(refused.value) == "name the revision: make rollback ENV=dev TO=<git ref or previous>"


def test_drift_counts_what_the_configuration_sets_not_what_aws_computes() -> None:
    stack = {
        "resource": {
            "aws_db_instance": {"db": {"identifier": "x", "allocated_storage": 20, "depends_on": ["a"]}},
            "aws_iam_role": {"role": {"name": "r", "assume_role_policy": "{}"}},
        }
    }
    configured = terraform.configured_attributes(stack)
    assert configured["aws_db_instance.db"] == frozenset({"identifier", "allocated_storage"})

    def update(address: str, before: dict[str, object], after: dict[str, object]) -> dict[str, object]:
        return {"address": address, "change": {"actions": ["update"], "before": before, "after": after}}

    plan = {
        "resource_drift": [
            update(
                "aws_db_instance.db",
                {"allocated_storage": 20, "latest_restorable_time": "2026-12-02T01:00:00Z"},
                {"allocated_storage": 50, "latest_restorable_time": "2026-12-02T01:05:00Z"},
            ),
            update("aws_iam_role.role", {"inline_policy": []}, {"inline_policy": [{"name": "p", "policy": "{}"}]}),
        ]
    }
    assert terraform.drift_summary(plan, terraform.StackAttributes(configured=configured)) == (
        ["aws_db_instance.db: allocated_storage changed outside Terraform"],
        [],
    )
    assert terraform.drift_summary(plan, terraform.StackAttributes.of(stack)) == (
        ["aws_db_instance.db: allocated_storage changed outside Terraform"],
        [],
    )
