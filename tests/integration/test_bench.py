"""`make bench` (docs/fast-synth.md) runs and prints the figures issues 2 and 21 name, consistently.

Never timed: the machine's speed varies; only the presence and the consistency of the figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli.timing import TERRAFORM_STEPS
from tests.conftest import run
from tests.integration.conftest import make_ready_repository

pytestmark = pytest.mark.integration

_FIGURE = re.compile(
    r"^  (?P<name>.+?)\s+wall\s+(?P<wall>[\d.]+) s\s+cpu\s+(?P<cpu>[\d.]+) s\s+peak memory\s+(?P<peak>\d+) MB\s+\(n=1\)$",
    re.M,
)
_PLAN_STEPS = (
    "synth", "gate", "target", "cost gate", "bootstrap", "init", "plan", "show", "orphans", "plan gate", "other",
)  # fmt: skip


def _ratio(label: str, text: str) -> float:
    found = re.search(rf"{re.escape(label)}\s+([\d.]+)x", text)
    assert found is not None, (label, text)
    return float(found.group(1))


def test_make_bench_prints_every_figure_of_the_fast_loop(tmp_path: Path) -> None:
    bench = make_ready_repository(tmp_path)
    result = run(["make", "-s", "bench"], cwd=bench.root, env={**bench.env, "BENCH_REPEATS": "1"}, inherit=False)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout

    figures = {m["name"]: (float(m["wall"]), float(m["cpu"]), int(m["peak"])) for m in _FIGURE.finditer(out)}
    assert set(figures) == {
        "make synth, every stack set changed",
        "make synth, one environment changed (prod)",
        "make synth, inputs unchanged",
        "make cost, inputs unchanged",
        "plain cdktf run (warm jsii cache)",
        "bare checkov, prod's JSON",
        "python -m cli gate --env prod",
        "make plan ENV=prod, warm emulator",
    }, out
    changed, one = figures["make synth, every stack set changed"], figures["make synth, one environment changed (prod)"]
    unchanged, plain = figures["make synth, inputs unchanged"], figures["plain cdktf run (warm jsii cache)"]
    assert unchanged[0] < one[0] < plain[0] and unchanged[0] < changed[0] < plain[0]
    assert 0 < unchanged[2] < one[2] < plain[2] and unchanged[2] < changed[2] < plain[2]  # node's memory included
    assert all(cpu > 0 for _, cpu, _ in figures.values())
    # The ratios are of the unrounded figures; the printed ones have three decimals (0.050 s ± 1 %).
    assert _ratio("speed-up, every stack set changed vs plain:", out) == pytest.approx(plain[0] / changed[0], rel=0.05)
    assert _ratio("speed-up, one environment changed vs plain:", out) == pytest.approx(plain[0] / one[0], rel=0.05)
    assert _ratio("speed-up, unchanged vs plain:", out) == pytest.approx(plain[0] / unchanged[0], rel=0.05)
    bare, gated = figures["bare checkov, prod's JSON"], figures["python -m cli gate --env prod"]
    assert _ratio("gate vs bare checkov:", out) == pytest.approx(gated[0] / bare[0], rel=0.05)

    # The plan loop: every step of `make plan`'s last line, Terraform's apart from the project's.
    steps_line = re.search(r"^  plan steps \(median\): (.+)$", out, re.M)
    assert steps_line is not None, out
    steps = {name: float(seconds) for name, seconds in re.findall(r"([a-z][a-z ]*?) ([\d.]+) s", steps_line.group(1))}
    assert list(steps) == list(_PLAN_STEPS)
    plan = figures["make plan ENV=prod, warm emulator"]
    assert sum(steps.values()) <= plan[0]  # make's own start is in the wall time, not in the steps
    share = re.search(
        r"plan: terraform init/plan/show ([\d.]+) s, the project's share ([\d.]+) s of ([\d.]+) s = (\d+) %", out
    )
    assert share is not None, out
    terraform, project, wall, percent = (float(value) for value in share.groups())
    assert abs(terraform - sum(steps[name] for name in TERRAFORM_STEPS)) < 0.02
    assert abs(wall - plan[0]) < 0.01 and abs(project - (wall - terraform)) < 0.02
    # the percentage is rounded from the unrounded seconds, which are printed to ±0.005 s each
    assert abs(percent - 100 * project / wall) <= 0.5 + 100 * 0.005 * (1 + project / wall) / wall
    assert re.search(
        r"targets: every set changed ≤ 2.5 s (met|MISSED), .*one environment changed ≤ 1.2 s (met|MISSED), "
        r".*plan's project share ≤ 25 % (met|MISSED)$",
        out,
        re.M,
    )
