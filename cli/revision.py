"""Which git revision the code is at, and the record of the revisions applied to an environment.

A saved plan names the revision it was made from; `make apply` applies it only on that revision
with a clean working tree. Before every apply the environment's revision record (an object
beside its Terraform state, in the versioned state bucket) notes the attempt, and after a
successful apply the new revision: so `make rollback ENV=… TO=previous` knows the last good one,
on any machine, after a failed apply as after a successful one. A revision's tree can be
exported and synthesized by its own code (`make rollback`, `make cost-diff`).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.errors import UserError
from cli.synth import JSII_CACHE

PREVIOUS = "previous"


@dataclass(frozen=True)
class Revision:
    """A commit, and whether the working tree had changes on top of it."""

    commit: str
    dirty: bool = False


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)


def current(root: Path) -> Revision | None:
    """The revision of the working tree at `root`; None outside a git repository."""
    head = _git(root, "rev-parse", "--verify", "HEAD")
    if head.returncode != 0:
        return None
    status = _git(root, "status", "--porcelain", "--untracked-files=normal")
    return Revision(commit=head.stdout.strip(), dirty=bool(status.stdout.strip()))


def resolve(root: Path, ref: str) -> str:
    """The full commit a git ref (sha, tag, branch, `HEAD~1`) names."""
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0 or not found.stdout.strip():
        raise UserError(f"{ref!r} is not a commit of this repository", exit_code=2)
    return found.stdout.strip()


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


def synthesize_revision(tree: Path, stack_sets: list[str], outdir: Path) -> None:
    """Run the revision's own synthesizer on `stack_sets` with this project's Python environment and
    jsii cache."""
    environment = {**os.environ}
    environment.setdefault("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(JSII_CACHE))
    selected = [argument for stack_set in stack_sets for argument in ("--env", stack_set)]
    completed = subprocess.run(
        [sys.executable, "main.py", *selected, "--outdir", str(outdir), "--force"],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise UserError(f"the revision's synthesis failed: {completed.stderr.strip()[-2000:]}")


@dataclass(frozen=True)
class RevisionRecord:
    """The object `<state key without .tfstate>.revisions.json` in the state bucket."""

    bucket: str
    key: str
    client: Any

    @classmethod
    def of_stack(cls, stack_json: Path, client: Any) -> RevisionRecord:
        backend = json.loads(stack_json.read_text())["terraform"]["backend"]["s3"]
        key = backend["key"].removesuffix(".tfstate") + ".revisions.json"
        return cls(bucket=backend["bucket"], key=key, client=client)

    def read(self) -> dict[str, Any]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return {}
        return dict(json.loads(body))

    def _write(self, record: dict[str, Any]) -> None:
        body = json.dumps(record, indent=2, sort_keys=True).encode()
        self.client.put_object(Bucket=self.bucket, Key=self.key, Body=body, ContentType="application/json")

    def attempt(self, commit: str | None) -> dict[str, Any]:
        """Before an apply: keep the last successful revision, note the one being applied."""
        record = self.read()
        record["attempt"] = {"revision": commit, "status": "started", "at": _now()}
        self._write(record)
        return record

    def succeeded(self, commit: str | None) -> None:
        record = self.read()
        record["previous"] = record.get("current")
        record["current"] = commit
        record["attempt"] = {"revision": commit, "status": "succeeded", "at": _now()}
        self._write(record)

    def rollback_target(self) -> str:
        """After a failed apply: the last successful revision; after a good one: the one before it."""
        record = self.read()
        attempt = record.get("attempt") or {}
        wanted = record.get("previous") if attempt.get("status") == "succeeded" else record.get("current")
        if not wanted:
            raise UserError(f"s3://{self.bucket}/{self.key} records no earlier successful revision: name one with TO=")
        return str(wanted)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
