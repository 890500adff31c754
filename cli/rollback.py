"""`make rollback ENV=… TO=<git ref>`: that revision's configuration through the normal path.

The revision's tree is exported (`git archive`) into a temporary folder and synthesized there
by its own code; today's gate, cost gate (against today's budgets), plan and safe apply then run
on that output, so a rollback passes exactly the checks a normal apply does. `TO=previous` reads
the environment's revision record in the state bucket (see cli/revision.py).
"""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cli import target, terraform
from cli.errors import UserError
from cli.revision import PREVIOUS, Revision, RevisionRecord, resolve
from cli.settings import ROOT, Settings
from cli.synth import JSII_CACHE

if TYPE_CHECKING:
    from environments.schema import EnvironmentConfig


def export_tree(root: Path, commit: str, destination: Path) -> Path:
    """The files of `commit` (not the working tree) under `destination`."""
    command = ["git", "-C", str(root), "archive", "--format=tar", commit]
    archive = subprocess.run(command, capture_output=True, check=False)
    if archive.returncode != 0:
        raise UserError(f"git archive {commit[:12]} failed: {archive.stderr.decode().strip()}")
    destination.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def synthesize_revision(tree: Path, env: str, outdir: Path) -> None:
    """Run the revision's own synthesizer with this project's Python environment and jsii cache."""
    environment = {**os.environ}
    environment.setdefault("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(JSII_CACHE))
    completed = subprocess.run(
        [sys.executable, "main.py", "--env", env, "--outdir", str(outdir), "--force"],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise UserError(f"the revision's synthesis failed: {completed.stderr.strip()[-2000:]}")


def rollback(settings: Settings, env: str, region: str, to: str, cost_config: EnvironmentConfig | None) -> str:
    """Synthesize, gate, plan and safely apply revision `to` (a git ref, or `previous`); return its commit.

    `cost_config` is today's configuration of `env`: the revision's estimate must fit today's budgets
    (None for the account set, which has no budget of its own, as in `make plan`).
    """
    if not to:
        raise UserError(f"name the revision: make rollback ENV={env} TO=<git ref or previous>", exit_code=2)
    ref = to
    if to == PREVIOUS:
        run_target = target.resolve(settings, region)
        stack_json = settings.outdir / "stacks" / env / "cdk.tf.json"
        if not stack_json.exists():
            raise UserError(f"{stack_json} is missing: run `make synth` first")
        ref = RevisionRecord.of_stack(stack_json, terraform.state_client(run_target, region)).rollback_target()
    commit = resolve(ROOT, ref)
    print(f"rollback: {env} to {commit[:12]} ({to})")
    with tempfile.TemporaryDirectory(prefix="rollback-") as scratch:
        tree = export_tree(ROOT, commit, Path(scratch) / "tree")
        outdir = Path(scratch) / "cdktf.out"
        synthesize_revision(tree, env, outdir)
        revision_settings = dataclasses.replace(settings, outdir=outdir)
        revision = Revision(commit=commit, dirty=False)  # an exported tree is its commit, exactly
        terraform.plan(revision_settings, env, region, revision, cost_config)
        terraform.apply(revision_settings, env, region, revision)
    print(f"rollback: {env} is at {commit[:12]}")
    return commit
