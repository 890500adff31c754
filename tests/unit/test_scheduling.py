"""`make test` hands the longest modules out first, and queues a quick group behind one of them
(tests/scheduling.py)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from tests import scheduling
from tests.conftest import REPO

LIFECYCLE = "tests/integration/test_dev_lifecycle.py"
ACCOUNT = "tests/integration/test_one_account.py"


def test_every_long_module_exists_and_is_an_integration_module() -> None:
    for module in scheduling.LONGEST_FIRST:
        assert (REPO / module).is_file(), module
        assert "pytest.mark.integration" in (REPO / module).read_text(), module


class _Node:
    """What the scheduler asks of a worker: to run some of its collected tests."""

    def __init__(self) -> None:
        self.sent: list[list[int]] = []
        self.shutting_down = False

    def send_runtest_some(self, indexes: list[int]) -> None:
        self.sent.append(indexes)


def test_a_worker_busy_with_a_long_module_is_given_a_quick_one_next() -> None:
    scheduling_class = scheduling.longest_first_scheduling()
    scheduler: Any = scheduling_class.__new__(scheduling_class)  # its state, without a run's workers
    scheduler.assigned_work, scheduler.registered_collections = {}, {}
    collection = [
        f"{LIFECYCLE}::test_dev_runs_end_to_end_against_the_emulator",
        f"{ACCOUNT}::test_the_vpcs_of_the_environments_do_not_overlap",
        "tests/unit/test_label.py::test_quick",
    ]
    node = _Node()
    scheduler.registered_collections[node] = collection
    scheduler.workqueue = OrderedDict(
        (
            (f"module:{LIFECYCLE}", {collection[0]: False}),
            (f"module:{ACCOUNT}", {collection[1]: False}),
            (collection[2], {collection[2]: False}),
        )
    )
    scheduler._assign_work_unit(node)  # an idle worker: the longest
    scheduler._assign_work_unit(node)  # the next behind it: the quick one, not the other long module
    assert node.sent == [[0], [2]]
    assert list(scheduler.workqueue) == [f"module:{ACCOUNT}"]
    scheduler.assigned_work[node][f"module:{LIFECYCLE}"][collection[0]] = True
    scheduler.assigned_work[node][collection[2]][collection[2]] = True
    scheduler._assign_work_unit(node)  # done with the long one: the next long one
    assert node.sent[-1] == [1]


def test_the_collection_puts_the_long_modules_first_by_rank_then_integration_then_the_rest() -> None:
    class _Item:
        def __init__(self, nodeid: str, integration: bool) -> None:
            self.nodeid, self.integration = nodeid, integration

        def get_closest_marker(self, name: str) -> object:
            return object() if name == "integration" and self.integration else None

    items = [
        _Item("tests/unit/test_label.py::test_quick", False),
        _Item("tests/integration/test_validate.py::test_every_stack_validates_offline", True),
        _Item(f"{ACCOUNT}::test_x", True),
        _Item(f"{LIFECYCLE}::test_y", True),
    ]
    ordered = sorted(items, key=scheduling.handing_order)  # type: ignore[arg-type]
    assert [i.nodeid.split("::")[0].rsplit("/", 1)[-1] for i in ordered] == [
        "test_dev_lifecycle.py",
        "test_one_account.py",
        "test_validate.py",
        "test_label.py",
    ]
