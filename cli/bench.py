"""`make bench`: wall time and peak memory (all processes) of synthesizing every environment.

Four runs, each repeated; the median wall time and the highest peak are printed:
* `make synth` with inputs changed (forced, so the full synthesis runs),
* `make synth` with inputs unchanged (the content-hash skip),
* `make cost` (every environment) with inputs unchanged: the offline estimate, reports included,
* a plain cdktf run: the bindings imported whole, their JavaScript entry eager (a separate,
  unpatched but warm jsii cache), and a normal interpreter exit.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cli.synth import STACK_SETS

ROOT = Path(__file__).resolve().parent.parent
_PAGE = os.sysconf("SC_PAGE_SIZE")
# A sweep of /proc takes ~2 ms of a core; every 10 ms that was ~20 % of one of the two cores the
# measured run competes for. Every 50 ms it is ~4 %, and memory grows too slowly to miss a peak.
_SAMPLE_SECONDS = 0.05
PLAIN_SYNTH = "import sys\nimport cdktf_cdktf_provider_aws\nfrom cli.synth import main\nsys.exit(main(sys.argv[1:]))\n"


@dataclass(frozen=True)
class Measurement:
    wall_seconds: float
    peak_rss_mb: float


def _group_rss_bytes(group: int) -> int:
    """Resident memory of every process in a process group (the synth, make, node …)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # fields after ")": state, ppid, pgrp, …, rss is the 22nd
            total += int(fields[21]) * _PAGE
    return total


def measure(command: list[str], env: dict[str, str]) -> Measurement:
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _group_rss_bytes(process.pid))
            time.sleep(_SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed: {stderr.decode()[-2000:]}")
    return Measurement(wall, peak / 1e6)


def summarize(name: str, runs: list[Measurement]) -> Measurement:
    result = Measurement(statistics.median(r.wall_seconds for r in runs), max(r.peak_rss_mb for r in runs))
    print(
        f"  {name:<34} wall {result.wall_seconds:6.2f} s   peak memory {result.peak_rss_mb:6.0f} MB   (n={len(runs)})"
    )
    return result


def main() -> int:
    repeats = int(os.environ.get("BENCH_REPEATS", "3"))
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    make = ["make", "--no-print-directory", "-s", "synth"]
    print(f"bench: synthesizing every stack set ({', '.join(STACK_SETS)}), {os.cpu_count()} cores")
    changed = summarize(
        "make synth, inputs changed", [measure([*make, "SYNTH_ARGS=--force"], env) for _ in range(repeats)]
    )
    unchanged = summarize("make synth, inputs unchanged", [measure(make, env) for _ in range(repeats)])
    cost_command = ["make", "--no-print-directory", "-s", "cost"]
    summarize("make cost, inputs unchanged", [measure(cost_command, env) for _ in range(repeats)])

    plain_cache = ROOT / ".cache" / "jsii-plain"
    with tempfile.TemporaryDirectory(prefix="bench-plain-") as outdir:
        plain_env = {**env, "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(plain_cache)}
        plain_command = [sys.executable, "-c", PLAIN_SYNTH, "--outdir", outdir, "--force"]
        measure(plain_command, plain_env)  # warms the plain cache; not counted
        plain = summarize(
            "plain cdktf run (warm jsii cache)", [measure(plain_command, plain_env) for _ in range(repeats)]
        )

    print(f"  speed-up, inputs changed vs plain: {plain.wall_seconds / changed.wall_seconds:5.1f}x")
    print(f"  speed-up, unchanged vs plain:      {plain.wall_seconds / unchanged.wall_seconds:5.1f}x")
    targets = [
        ("inputs changed ≤ 2 s", changed.wall_seconds <= 2.0),
        ("inputs unchanged ≤ 0.3 s", unchanged.wall_seconds <= 0.3),
        ("≥ 5x faster than plain", plain.wall_seconds / changed.wall_seconds >= 5),
        ("peak memory ≤ 400 MB", changed.peak_rss_mb <= 400),
    ]
    print("  targets: " + ", ".join(f"{label} {'met' if ok else 'MISSED'}" for label, ok in targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
