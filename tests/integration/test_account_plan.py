"""The account-level stack planned with real terraform against the emulator in us-east-1.

moto has no Cost Explorer anomaly API, so the stack is planned, not applied (docs/emulator.md, its gaps).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import emulator
from tests.conftest import copy_repository, synthesize
from tests.integration.conftest import plan_with_local_state

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[emulator.Emulator]:
    directory = tmp_path_factory.mktemp("emulator")
    yield emulator.start(directory)
    emulator.stop(directory)


def test_the_account_stack_plans_its_budget_monitors_and_subscription(
    running: emulator.Emulator, tmp_path: Path
) -> None:
    root = copy_repository(tmp_path / "repo")
    synthesize(root / "cdktf.out", "--env", "account", "--force", cwd=root)
    changes = plan_with_local_state(running, root / "cdktf.out" / "stacks" / "account", tmp_path, "us-east-1")
    created = Counter(c["type"] for c in changes if c["change"]["actions"] == ["create"])
    assert created["aws_budgets_budget"] == 1
    assert created["aws_ce_anomaly_monitor"] == 1 + 3  # the services monitor and one per environment tag
    assert created["aws_ce_anomaly_subscription"] == 1
    assert created["aws_sns_topic"] == 1 and created["aws_kms_key"] == 1
    budget = next(c["change"]["after"] for c in changes if c["type"] == "aws_budgets_budget")
    assert (budget["name"], budget["limit_unit"]) == ("matbakh-account-shared-budget-total", "USD")
