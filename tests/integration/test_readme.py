"""The README's two commands, and its example output, are what the code does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cli import emulator
from tests.conftest import PYTHON, REPO, run
from tests.integration.conftest import make_ready_repository

pytestmark = pytest.mark.integration
README = (REPO / "README.md").read_text()
CONFIGURATION = (REPO / "docs" / "configuration.md").read_text()  # the README's topic page


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    assert _quick_start_commands() == ["make plan ENV=dev", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_the_main_job_plans_dev_against_the_emulator_with_make(tmp_path: Path) -> None:
    bench = make_ready_repository(tmp_path)
    root = bench.root
    try:
        result = run(_quick_start_commands()[0].split(), cwd=root, env=bench.env, inherit=False)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "plan: dev targets the LOCAL AWS EMULATOR" in result.stdout
        synthesized = json.loads((root / "cdktf.out" / "stacks" / "dev" / "cdk.tf.json").read_text())
        resources = sum(len(of_type) for of_type in synthesized["resource"].values())
        counts = f"{resources} to add, 0 to change, 0 to destroy"
        assert re.search(rf"plan: dev on emulator-\d+: {counts}", result.stdout)
        assert f"plan: dev on emulator-…: {counts}, 0 to replace" in README, "the README's plan line is stale"
    finally:
        emulator.stop(bench.emulator_dir)


def test_the_error_example_is_real(repo_copy: Path) -> None:
    example = re.search(r"\$ python main.py\n(.*?)\n\$ echo \$\?\n(\d+)", CONFIGURATION, re.DOTALL)
    assert example is not None
    (repo_copy / "environments" / "prod.yaml").write_text("rds: {cpu_alarm_threshold_percent: 150}\n")
    (repo_copy / "environments" / "dev.yaml").write_text("budgets: {}\n")
    result = run([PYTHON, "main.py"], cwd=repo_copy)
    assert result.returncode == int(example.group(2))
    assert sorted(result.stderr.strip().splitlines()) == sorted(example.group(1).splitlines())
