"""`make bench`: wall time, CPU time and peak memory (all processes) of the fast loop, in one run.

Each run is repeated (`BENCH_REPEATS`, default 3); the median wall and CPU time and the highest
peak are printed:
* `make synth` with every stack set changed (forced, so the full synthesis runs),
* `make synth` with one environment changed: prod's input record is invalidated, exactly what an
  edit of `environments/prod.yaml` does to it (the sources are never touched),
* `make synth` with inputs unchanged (every stack set's content-hash skip),
* `make cost` (every environment) with inputs unchanged: the offline estimate, reports included,
* a plain cdktf run: the bindings imported whole, their JavaScript entry eager (a separate,
  unpatched but warm jsii cache), and a normal interpreter exit;
* the policy gate of prod (`python -m cli gate --env prod`) against a bare checkov run on the same
  JSON (the same stack folders, checkov's own checks, one JSON report);
* `make plan ENV=prod` warm on the local emulator (its own, in a scratch folder: started, the
  state bucket bootstrapped and Terraform initialized by a first run that is not counted), with the
  steps its last line reports: Terraform's init, plan and show, and the project's share (the rest).
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cli import emulator, jsii_cache
from cli.settings import Settings
from cli.timing import TERRAFORM_STEPS, parse
from environments.names import STACK_SETS
from stacks.names import bootstrap_stack_name

ROOT = Path(__file__).resolve().parent.parent
_PAGE = os.sysconf("SC_PAGE_SIZE")
# A sweep of /proc takes ~2 ms of a core; every 10 ms that was ~20 % of one of the two cores the
# measured run competes for. Every 50 ms it is ~4 %, and memory grows too slowly to miss a peak.
_SAMPLE_SECONDS = 0.05
# The bindings' whole package, and their cache left as extracted (`main` makes a cold cache's entry
# lazy at the end of a run: not this one's).
PLAIN_SYNTH = (
    "import sys\nimport cdktf_cdktf_provider_aws\nfrom cli import jsii_cache\nfrom cli.synth import main\n"
    "jsii_cache.make_provider_entries_lazy = lambda root: 0\nsys.exit(main(sys.argv[1:]))\n"
)
ONE_ENVIRONMENT = "prod"


@dataclass(frozen=True)
class Measurement:
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    stdout: str = field(default="", repr=False)


_TICKS = os.sysconf("SC_CLK_TCK")


def _group_sample(group: int, cpu_seconds: dict[int, float]) -> int:
    """Resident memory of every process in a process group (the synth, make, node …); records
    each one's CPU time so far in `cpu_seconds`."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # fields after ")": state, ppid, pgrp, …, utime, stime, …, rss
            total += int(fields[21]) * _PAGE
            cpu_seconds[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / _TICKS
    return total


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], env: dict[str, str]) -> Measurement:
    """One run of `command` in the repository: wall time, CPU time and peak memory of its processes.

    CPU time (what the machine's other load does not inflate): of every process waited for, or, if
    more, of every process seen in its group (the jsii kernel is not waited for: synthesis exits
    without tearing it down)."""
    cpu_before = _children_cpu_seconds()
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    peak = 0
    seen_cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _group_sample(process.pid, seen_cpu))
            time.sleep(_SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed: {(stdout + stderr)[-3000:]}")
    cpu = max(_children_cpu_seconds() - cpu_before, sum(seen_cpu.values()))
    return Measurement(wall, cpu, peak / 1e6, stdout)


def summarize(name: str, runs: list[Measurement]) -> Measurement:
    result = Measurement(
        statistics.median(r.wall_seconds for r in runs),
        statistics.median(r.cpu_seconds for r in runs),
        max(r.peak_rss_mb for r in runs),
    )
    print(
        f"  {name:<40} wall {result.wall_seconds:7.3f} s   cpu {result.cpu_seconds:7.3f} s   "
        f"peak memory {result.peak_rss_mb:6.0f} MB   (n={len(runs)})"
    )
    return result


def repeat(count: int, run: Callable[[], Measurement]) -> list[Measurement]:
    return [run() for _ in range(count)]


def _invalidate(stack_set: str) -> Callable[[], None]:
    record = Settings.from_environment().outdir / ".inputs" / f"{stack_set}.sha256"

    def invalidate() -> None:
        record.write_text("edited\n")

    return invalidate


def _before(prepare: Callable[[], None], command: list[str], env: dict[str, str]) -> Callable[[], Measurement]:
    def run() -> Measurement:
        prepare()
        return measure(command, env)

    return run


def _plan_loop(repeats: int, env: dict[str, str]) -> tuple[Measurement, dict[str, float]]:
    """`make plan ENV=prod` warm on a scratch emulator: the wall time and the median of each step."""
    with tempfile.TemporaryDirectory(prefix="bench-plan-") as scratch:
        emulator_dir = Path(scratch) / "emulator"
        plan_env = {
            **env,
            "AUTOSCALE_TARGET": "emulator",
            "AUTOSCALE_WORK_DIR": str(Path(scratch) / "work"),
            "AUTOSCALE_EMULATOR_DIR": str(emulator_dir),
        }
        command = ["make", "--no-print-directory", "-s", "plan", f"ENV={ONE_ENVIRONMENT}"]
        try:
            measure(command, plan_env)  # starts the emulator, bootstraps, initializes: not counted
            runs = repeat(repeats, lambda: measure(command, plan_env))
        finally:
            emulator.stop(emulator_dir)
    steps = [parse(run.stdout.strip().splitlines()[-1])[1] for run in runs]
    medians = {name: statistics.median(s.get(name, 0.0) for s in steps) for name in steps[0]}
    return summarize(f"make plan ENV={ONE_ENVIRONMENT}, warm emulator", runs), medians


def main() -> int:
    repeats = int(os.environ.get("BENCH_REPEATS", "3"))
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    env.pop("ENV", None)  # `make synth` would build that one only
    make = ["make", "--no-print-directory", "-s", "synth"]
    print(f"bench: the fast loop of every stack set ({', '.join(STACK_SETS)}), {os.cpu_count()} cores")
    changed = summarize(
        "make synth, every stack set changed", repeat(repeats, lambda: measure([*make, "SYNTH_ARGS=--force"], env))
    )
    one = summarize(
        f"make synth, one environment changed ({ONE_ENVIRONMENT})",
        repeat(repeats, _before(_invalidate(ONE_ENVIRONMENT), make, env)),
    )
    unchanged = summarize("make synth, inputs unchanged", repeat(repeats, lambda: measure(make, env)))
    cost_command = ["make", "--no-print-directory", "-s", "cost"]
    summarize("make cost, inputs unchanged", repeat(repeats, lambda: measure(cost_command, env)))

    plain_cache = ROOT / ".cache" / "jsii-plain"
    if any(jsii_cache.is_patched(entry) for entry in plain_cache.glob(jsii_cache.PROVIDER_ENTRY_GLOB)):
        shutil.rmtree(plain_cache)  # patched by an earlier bench: not plain any more
    with tempfile.TemporaryDirectory(prefix="bench-plain-") as outdir:
        plain_env = {**env, "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(plain_cache)}
        plain_command = [sys.executable, "-c", PLAIN_SYNTH, "--outdir", outdir, "--force"]
        measure(plain_command, plain_env)  # warms the plain cache; not counted
        plain_runs = repeat(repeats, lambda: measure(plain_command, plain_env))
        plain = summarize("plain cdktf run (warm jsii cache)", plain_runs)

    settings = Settings.from_environment()
    stacks = [settings.outdir / "stacks" / name for name in (ONE_ENVIRONMENT, bootstrap_stack_name(ONE_ENVIRONMENT))]
    with tempfile.TemporaryDirectory(prefix="bench-gate-") as reports:
        bare_command = [str(settings.checkov), "--framework", "terraform_json", "--soft-fail", "--skip-download"]
        bare_command += ["--quiet", "-o", "json", "--output-file-path", reports]
        bare_command += [argument for stack in stacks for argument in ("-d", str(stack))]
        bare = summarize("bare checkov, prod's JSON", repeat(repeats, lambda: measure(bare_command, env)))
    gate_command = [sys.executable, "-m", "cli", "gate", "--env", ONE_ENVIRONMENT]
    gate_runs = repeat(repeats, lambda: measure(gate_command, env))
    gated = summarize(f"python -m cli gate --env {ONE_ENVIRONMENT}", gate_runs)

    plan, steps = _plan_loop(repeats, env)
    terraform_seconds = sum(steps.get(name, 0.0) for name in TERRAFORM_STEPS)
    project_seconds = plan.wall_seconds - terraform_seconds
    share = 100 * project_seconds / plan.wall_seconds

    print(f"  speed-up, every stack set changed vs plain: {plain.wall_seconds / changed.wall_seconds:5.1f}x")
    print(f"  speed-up, one environment changed vs plain: {plain.wall_seconds / one.wall_seconds:5.1f}x")
    print(f"  speed-up, unchanged vs plain:               {plain.wall_seconds / unchanged.wall_seconds:5.1f}x")
    print(
        f"  gate vs bare checkov: {gated.wall_seconds / bare.wall_seconds:4.2f}x wall, "
        f"{gated.cpu_seconds / bare.cpu_seconds:4.2f}x cpu"
    )
    print("  plan steps (median): " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in steps.items()))
    print(
        f"  plan: terraform init/plan/show {terraform_seconds:.2f} s, the project's share "
        f"{project_seconds:.2f} s of {plan.wall_seconds:.2f} s = {share:.0f} %"
    )
    targets = [
        ("every set changed ≤ 2.5 s", changed.wall_seconds <= 2.5),
        ("≥ 5x faster than plain", plain.wall_seconds / changed.wall_seconds >= 5),
        ("one environment changed ≤ 1.2 s", one.wall_seconds <= 1.2),
        ("≥ 10x faster than plain", plain.wall_seconds / one.wall_seconds >= 10),
        ("unchanged ≤ 0.1 s", unchanged.wall_seconds <= 0.1),
        ("peak memory ≤ 300 MB", changed.peak_rss_mb <= 300),
        # CPU: what the gate costs; its wall time on a shared machine is mostly the others' load.
        ("gate ≤ 1.2x bare checkov (cpu)", gated.cpu_seconds <= 1.2 * bare.cpu_seconds),
        ("plan's project share ≤ 25 %", share <= 25),
    ]
    print("  targets: " + ", ".join(f"{label} {'met' if ok else 'MISSED'}" for label, ok in targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
