"""How `make test` hands tests to its xdist workers: the longest first, each on a worker of its own.

xdist's `loadgroup` hands out whole groups (a module whose tests share an emulator is one), by
default the groups with the most tests first, and queues the next group behind a running test as
soon as its worker has two tests or fewer left. A module of two tests that runs for a quarter of an
hour then started late, or queued behind another such module on the same worker, and the suite
ended with one core idle for minutes. Here (with `--no-loadscope-reorder`, Makefile):
* the modules in `LONGEST_FIRST` come first, in that order, then the other integration tests, then
  the rest, each part in the order `pytest-random-order` shuffled it into;
* a worker busy with one of them is next given a quick group, while one is left.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

LONGEST_FIRST = (
    "tests/integration/test_dev_lifecycle.py",
    "tests/integration/test_one_account.py",
    "tests/integration/test_delivery.py",
    "tests/integration/test_interrupted_apply.py",
    "tests/integration/test_cdn.py",
    "tests/integration/test_account_emulator.py",
    "tests/integration/test_rds_emulator.py",
    "tests/integration/test_cache_emulator.py",
    "tests/integration/test_readme.py",
    "tests/integration/test_bench.py",
)
"""The modules that run for minutes, longest first (`make test`'s slowest durations in CI)."""


def _module_of(scope: str) -> str:
    """The module of an xdist scope: a group (`module:<path>`) or a test's node id."""
    return scope.removeprefix("module:").split("::")[0]


def is_long(scope: str) -> bool:
    return _module_of(scope) in LONGEST_FIRST


def handing_order(item: pytest.Item) -> tuple[int, int]:
    """The sort key of the collection: long modules by rank, then integration tests, then the rest."""
    module = _module_of(item.nodeid)
    if module in LONGEST_FIRST:
        return 0, LONGEST_FIRST.index(module)
    return (1 if item.get_closest_marker("integration") is not None else 2), 0


@functools.cache
def longest_first_scheduling() -> Any:
    """xdist's `loadgroup` scheduler that queues a quick group, if one is left, behind a long one."""
    from xdist.scheduler import LoadGroupScheduling  # type: ignore[import-untyped]

    class Scheduling(LoadGroupScheduling):  # type: ignore[misc]
        def _assign_work_unit(self, node: Any) -> None:
            running = self.assigned_work.get(node, {})
            busy_long = any(is_long(scope) and not all(done.values()) for scope, done in running.items())
            if busy_long:
                quick = next((scope for scope in self.workqueue if not is_long(scope)), None)
                if quick is not None:
                    self.workqueue.move_to_end(quick, last=False)
            super()._assign_work_unit(node)

    return Scheduling


class HandOutTheLongestFirst:
    """Registered on xdist's controller: its scheduler."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        return longest_first_scheduling()(config, log)
