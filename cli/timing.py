"""Where a command's time went: named steps, timed, and one line that lists them in order.

`make plan` prints `plan: <env> took 24.31 s: synth 0.09 s, gate 5.21 s, …`; `make bench`
reads that line back (`parse`) to tell Terraform's own steps from the project's.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

TERRAFORM_STEPS = ("init", "plan", "show")  # what Terraform itself spends; everything else is the project's
_STEP = re.compile(r"(?P<name>[a-z][a-z ]*?) (?P<seconds>\d+\.\d+) s")


@dataclass
class Timings:
    started: float = field(default_factory=time.perf_counter)
    steps: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block as `name` (added up when a step runs more than once)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - start

    def summary(self, prefix: str, *, failed: bool = False) -> str:
        """`<prefix> took|failed after <total> s: <step> <seconds> s, …, other <seconds> s`."""
        total = time.perf_counter() - self.started
        other = max(total - sum(self.steps.values()), 0.0)
        parts = [f"{name} {seconds:.2f} s" for name, seconds in [*self.steps.items(), ("other", other)]]
        return f"{prefix} {'failed after' if failed else 'took'} {total:.2f} s: {', '.join(parts)}"


def parse(line: str) -> tuple[float, dict[str, float]]:
    """The total and the steps of a `summary` line."""
    head, _, tail = line.partition(" s: ")
    total = float(head.rsplit(" ", 1)[1])
    return total, {match["name"]: float(match["seconds"]) for match in _STEP.finditer(tail)}
