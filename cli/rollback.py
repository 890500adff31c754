"""`make rollback ENV=… TO=<git ref>`: that revision's configuration through the normal path.

The revision's tree is exported (`git archive`) into a temporary folder and synthesized there
by its own code; today's gate, cost gate (against today's budgets), plan and safe apply then run
on that output, so a rollback passes exactly the checks a normal apply does. `TO=previous` reads
the environment's revision record in the state bucket (see cli/revision.py).
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cli import target, terraform
from cli.errors import UserError
from cli.revision import PREVIOUS, Revision, RevisionRecord, export_tree, resolve, synthesize_revision
from cli.settings import ROOT, Settings

if TYPE_CHECKING:
    from environments.schema import EnvironmentConfig


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
        synthesize_revision(tree, [env], outdir)
        revision_settings = dataclasses.replace(settings, outdir=outdir)
        revision = Revision(commit=commit, dirty=False)  # an exported tree is its commit, exactly
        terraform.plan(revision_settings, env, region, revision, cost_config)
        terraform.apply(revision_settings, env, region, revision)
    print(f"rollback: {env} is at {commit[:12]}")
    return commit
