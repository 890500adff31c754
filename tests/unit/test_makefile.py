"""The Makefile hands ENV, TO, CONFIRM, LOCK_ID and IMPORT to the CLI as data: no value is ever run (issue 18).

Each test runs the real `make` on a copy of the Makefile whose `.venv/bin/python` only records
its arguments, with every setup stamp in place so that nothing is built.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, run

HOSTILE = (
    "`touch {marker}`",
    "$(shell touch {marker})",
    "$$(touch {marker})",
    "$(touch {marker})",
    "dev;touch {marker}",
    'dev" ; touch {marker} ; echo "',
    "dev' ; touch {marker} ; echo '",
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A Makefile with a recording `.venv/bin/python` and up-to-date setup stamps."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("Makefile", "requirements.txt", "requirements-checkov.txt"):
        shutil.copy2(REPO / name, root / name)
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        "with open(os.environ['CALLS'], 'a') as log:\n"
        "    log.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "if 'ALLOW_REPLACE' in os.environ:\n"
        "    with open(os.environ['CALLS'] + '.allow', 'w') as allowed:\n"
        "        allowed.write(os.environ['ALLOW_REPLACE'])\n"
    )
    python.chmod(0o755)
    for stamp in (".venv/.installed", ".venv-checkov/.installed", ".cache/jsii/.warm"):
        (root / stamp).parent.mkdir(parents=True, exist_ok=True)
        (root / stamp).touch()
    return root


def _make(project: Path, *args: str) -> tuple[int, str, list[list[str]]]:
    calls = project / "calls.jsonl"
    calls.unlink(missing_ok=True)
    environment = {"PATH": os.environ["PATH"], "HOME": str(project), "CALLS": str(calls)}
    result = run(["make", "--no-print-directory", *args], cwd=project, env=environment, inherit=False, timeout=60)
    recorded = [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []
    return result.returncode, result.stderr, recorded


@pytest.mark.parametrize("template", HOSTILE)
def test_a_hostile_env_is_rejected_with_the_list_and_never_run(project: Path, template: str) -> None:
    marker = project / "pwned"
    value = template.format(marker=marker)
    for target in ("check-env", "plan"):
        code, stderr, calls = _make(project, target, f"ENV={value}")
        assert code == 2, stderr
        assert f"error: ENV must be one of: dev staging prod account (got '{value}')" in stderr
        assert calls == []
        assert not marker.exists(), f"make {target} ran the shell text in ENV={value!r}"


@pytest.mark.parametrize("template", HOSTILE)
def test_to_and_confirm_reach_the_cli_verbatim_and_are_never_run(project: Path, template: str) -> None:
    marker = project / "pwned"
    value = template.format(marker=marker)
    code, stderr, calls = _make(project, "rollback", "ENV=dev", f"TO={value}")
    assert code == 0, stderr
    assert calls == [
        ["-O", "main.py", "--env=dev", "--env=account"],
        ["-m", "cli", "rollback", "--env=dev", f"--to={value}"],
    ]
    code, stderr, calls = _make(project, "destroy", "ENV=prod", f"CONFIRM={value}")
    assert code == 0, stderr
    assert calls[-1] == ["-m", "cli", "destroy", "--env=prod", f"--confirm={value}"]
    assert not marker.exists()


@pytest.mark.parametrize("template", HOSTILE)
def test_lock_id_and_import_reach_the_cli_verbatim_and_are_never_run(project: Path, template: str) -> None:
    marker = project / "pwned"
    value = template.format(marker=marker)
    code, stderr, calls = _make(project, "unlock", "ENV=dev", f"LOCK_ID={value}")
    assert code == 0, stderr
    assert calls == [["-m", "cli", "unlock", "--env=dev", f"--lock-id={value}"]]
    code, stderr, calls = _make(project, "plan", "ENV=dev", f"IMPORT={value}")
    assert code == 0, stderr
    assert calls == [["-m", "cli", "plan", "--env=dev", f"--import={value}"]]
    assert not marker.exists()


def test_unlock_needs_a_known_env_and_passes_an_absent_lock_id_as_empty(project: Path) -> None:
    code, stderr, calls = _make(project, "unlock", "ENV=qa", "LOCK_ID=abc")
    assert code == 2 and calls == [] and "ENV must be one of" in stderr
    assert _make(project, "unlock", "ENV=dev")[2] == [["-m", "cli", "unlock", "--env=dev", "--lock-id="]]


def test_plan_env_prod_runs_the_plan_of_prod_which_synthesizes_its_stack_set(project: Path) -> None:
    code, stderr, calls = _make(project, "plan", "ENV=prod")
    assert code == 0, stderr
    assert calls == [["-m", "cli", "plan", "--env=prod"]]


def test_env_from_the_environment_counts_like_the_command_line(project: Path) -> None:
    calls_file = project / "calls.jsonl"
    environment = {"PATH": os.environ["PATH"], "HOME": str(project), "CALLS": str(calls_file), "ENV": "staging"}
    result = run(["make", "apply"], cwd=project, env=environment, inherit=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(calls_file.read_text()) == ["-m", "cli", "apply", "--env=staging"]


def test_cost_scans_every_environment_unless_env_is_given(project: Path) -> None:
    assert _make(project, "cost")[2][-1] == ["-m", "cli", "cost"]
    assert _make(project, "cost", "ENV=staging")[2][-1] == ["-m", "cli", "cost", "--env=staging"]


def test_allow_replace_reaches_the_plan_raw(project: Path) -> None:
    marker = project / "pwned"
    value = f"aws_db_instance.database_instance_1,$(shell touch {marker})"
    code, stderr, _ = _make(project, "plan", "ENV=prod", f"ALLOW_REPLACE={value}")
    assert code == 0, stderr
    assert (project / "calls.jsonl.allow").read_text() == value
    assert not marker.exists()
