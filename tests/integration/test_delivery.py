"""Delivery against the local emulator, in a scratch git repository: apply revision A, apply
revision B, roll back to A in one command (`TO=previous`), and drift detection."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from cli import emulator
from tests.integration.conftest import Workbench, commit_everything, git, new_workbench

pytestmark = pytest.mark.integration

FUNCTION = "matbakh-dev-api-auth"
QUEUE = "matbakh-dev-api-auth-dlq"
REVISIONS = ("matbakh-dev-api-tfstate", "dev/matbakh-api.revisions.json")


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    """A copy of the sources as a git repository with one commit: revision A."""
    bench = new_workbench(tmp_path_factory, "delivery")
    commit_everything(bench, "A")
    yield bench
    emulator.stop(bench.emulator_dir)


def _plan_and_apply(bench: Workbench) -> None:
    bench.synth("--env", "dev")
    planned = bench.cli("plan", "--env", "dev")
    assert planned.returncode == 0, planned.stderr
    applied = bench.cli("apply", "--env", "dev")
    assert applied.returncode == 0, applied.stderr


def _memory(bench: Workbench) -> int:
    return int(bench.client("lambda").get_function_configuration(FunctionName=FUNCTION)["MemorySize"])


def _revisions(bench: Workbench) -> dict[str, object]:
    bucket, key = REVISIONS
    return dict(json.loads(bench.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()))


def test_apply_a_then_b_then_roll_back_to_a_then_detect_drift(repository: Workbench) -> None:
    bench = repository
    revision_a = git(bench.root, "rev-parse", "HEAD")
    _plan_and_apply(bench)
    assert _memory(bench) == 512
    assert _revisions(bench)["current"] == revision_a

    # Revision B: a visible difference, committed.
    dev_yaml = bench.root / "environments" / "dev.yaml"
    dev_yaml.write_text(
        dev_yaml.read_text().replace("lambda:\n", "lambda:\n  functions: {auth: {memory_mb: 1024}}\n", 1)
    )
    git(bench.root, "commit", "--quiet", "-am", "B: auth gets 1024 MB")
    revision_b = git(bench.root, "rev-parse", "HEAD")
    _plan_and_apply(bench)
    assert _memory(bench) == 1024
    record = _revisions(bench)
    assert (record["current"], record["previous"]) == (revision_b, revision_a)

    # One command back to the last good revision: A's configuration, gated and planned again.
    rolled_back = bench.cli("rollback", "--env", "dev", "--to", "previous")
    assert rolled_back.returncode == 0, rolled_back.stderr
    assert f"rollback: dev to {revision_a[:12]} (previous)" in rolled_back.stdout
    assert rolled_back.stdout.count("gate: ") == 3
    assert "cost gate: dev floor " in rolled_back.stdout  # A's estimate against today's budgets
    assert _memory(bench) == 512
    assert _revisions(bench)["current"] == revision_a

    # Drift: what moto echoes imperfectly drifts already (README, emulator gaps); the queue is
    # round-tripped faithfully, so a change to it made behind Terraform's back must show.
    baseline = bench.cli("drift", "--env", "dev")
    assert "aws_sqs_queue" not in baseline.stderr, baseline.stderr
    sqs = bench.client("sqs")
    queue_url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"MessageRetentionPeriod": "3600"})
    drifted = bench.cli("drift", "--env", "dev")
    assert drifted.returncode == 3, drifted.stderr
    line = next(x for x in drifted.stderr.splitlines() if "aws_sqs_queue" in x)
    assert "message_retention_seconds" in line and "changed outside Terraform" in line
    assert "differ from their Terraform state" in drifted.stderr


def test_rollback_needs_a_revision(repository: Workbench) -> None:
    refused = repository.cli("rollback", "--env", "dev", "--to", "no-such-ref")
    assert refused.returncode == 2
    assert "'no-such-ref' is not a commit of this repository" in refused.stderr
