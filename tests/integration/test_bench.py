"""`make bench` (README, "Fast synth") runs and prints the figures issue 2 names, consistently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run
from tests.integration.conftest import make_ready_repository

pytestmark = pytest.mark.integration

_FIGURE = re.compile(r"^  (?P<name>.+?)\s+wall\s+(?P<wall>[\d.]+) s\s+peak memory\s+(?P<peak>\d+) MB\s+\(n=1\)$", re.M)


def test_make_bench_prints_wall_time_peak_memory_and_the_ratio(tmp_path: Path) -> None:
    bench = make_ready_repository(tmp_path)
    result = run(["make", "-s", "bench"], cwd=bench.root, env={**bench.env, "BENCH_REPEATS": "1"}, inherit=False)
    assert result.returncode == 0, result.stderr

    figures = {m["name"]: (float(m["wall"]), int(m["peak"])) for m in _FIGURE.finditer(result.stdout)}
    assert set(figures) == {
        "make synth, inputs changed",
        "make synth, inputs unchanged",
        "make cost, inputs unchanged",
        "plain cdktf run (warm jsii cache)",
    }, result.stdout
    changed, unchanged = figures["make synth, inputs changed"], figures["make synth, inputs unchanged"]
    plain = figures["plain cdktf run (warm jsii cache)"]
    assert unchanged[0] < changed[0] < plain[0]
    assert 0 < unchanged[1] < changed[1] < plain[1]  # memory of every process, node's included
    ratio = re.search(r"speed-up, inputs changed vs plain:\s+([\d.]+)x", result.stdout)
    assert ratio is not None and abs(float(ratio.group(1)) - plain[0] / changed[0]) < 0.1
    assert re.search(
        r"targets: inputs changed ≤ 2 s (met|MISSED), .*peak memory ≤ 400 MB (met|MISSED)$", result.stdout, re.M
    )
