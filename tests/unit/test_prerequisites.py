"""`make setup` names a missing or outdated prerequisite in one line, and how to get it."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from tests.conftest import REPO, run

SCRIPT = str(REPO / "scripts" / "check_prerequisites.py")


def _fake(bin_dir: Path, name: str, output: str) -> None:
    tool = bin_dir / name
    tool.write_text(f"#!/bin/sh\necho '{output}'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)


def test_present_and_recent_tools_pass(tmp_path: Path) -> None:
    _fake(tmp_path, "node", "v20.20.2")
    _fake(tmp_path, "terraform", "Terraform v1.11.4")
    result = run([sys.executable, SCRIPT], env={"PATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_missing_tool_is_named_with_how_to_get_it(tmp_path: Path) -> None:
    _fake(tmp_path, "node", "v20.20.2")
    result = run([sys.executable, SCRIPT], env={"PATH": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "prerequisite missing: terraform is missing: install Terraform ≥ 1.10 from "
        "developer.hashicorp.com/terraform/install"
    ]


def test_an_old_version_is_named_with_what_was_found(tmp_path: Path) -> None:
    _fake(tmp_path, "node", "v18.19.0")
    _fake(tmp_path, "terraform", "Terraform v1.9.8")
    result = run([sys.executable, SCRIPT], env={"PATH": str(tmp_path)})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("prerequisite missing: node ≥ 20.0 is required (found 18.19.0): install Node.js 20")
    assert lines[1].startswith("prerequisite missing: terraform ≥ 1.10 is required (found 1.9.8)")
