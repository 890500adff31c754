"""Shared fixtures: a synthesized copy of every stack, a scratch copy of the repository,
and a local AWS emulator started (and stopped) by the tests themselves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
_COPIED = (
    "main.py",
    "cdktf.json",
    "Makefile",
    "requirements.txt",
    "requirements-checkov.txt",
    "cli",
    "environments",
    "functions",
    "modules",
    "policies",
    "scripts",
)


def run(
    args: list[str], *, cwd: Path = REPO, env: dict[str, str] | None = None, inherit: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command the way a user would; `env` adds to this process's environment, or replaces it."""
    environment = {**os.environ, **(env or {})} if inherit else dict(env or {})
    environment.setdefault("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(REPO / ".cache" / "jsii"))
    return subprocess.run(args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout, check=False)


def synthesize(outdir: Path, *extra: str, cwd: Path = REPO) -> dict[str, dict[str, Any]]:
    result = run([PYTHON, "main.py", "--outdir", str(outdir), *extra], cwd=cwd)
    assert result.returncode == 0, result.stderr
    return {path.parent.name: json.loads(path.read_text()) for path in sorted(outdir.glob("stacks/*/cdk.tf.json"))}


@pytest.fixture(scope="session")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every stack of every shipped environment, synthesized once per test session."""
    return synthesize(tmp_path_factory.mktemp("synth") / "cdktf.out", "--force")


def copy_repository(copy: Path) -> Path:
    """Copy the sources (not outputs, caches or virtual environments) to `copy`."""
    copy.mkdir(parents=True)
    for name in _COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    return copy


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A scratch copy of the sources, so a test can break a YAML file without touching ours."""
    return copy_repository(tmp_path / "repo")


def resources(stack: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return dict(stack.get("resource", {}).get(resource_type, {}))


def only(stack: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = list(resources(stack, resource_type).values())
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]
