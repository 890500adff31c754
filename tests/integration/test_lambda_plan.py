"""Planned against the emulator: prod's provisioned-concurrency autoscaling (applied whole in
test_one_account.py) and a warmer schedule, with real terraform (local state, so no state
bucket and its minute-long wait)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from cli import emulator
from modules.lambda_service.package import PLACEHOLDER_PACKAGE_FILE
from tests.conftest import copy_repository, synthesize
from tests.integration.conftest import PoliciesEmulator, plan_with_local_state

pytestmark = pytest.mark.integration

PROD_WITH_A_WARMED_FUNCTION = """\
lambda:
  functions:
    report: {provisioned_concurrency: null, snap_start: true, warmer: {rate_minutes: 5}}
"""


@pytest.fixture(scope="module")
def running(emulator_with_account_policies: PoliciesEmulator) -> emulator.Emulator:
    return emulator_with_account_policies.running


def test_prod_autoscaling_and_a_warmer_plan_against_the_emulator(running: emulator.Emulator, tmp_path: Path) -> None:
    root = copy_repository(tmp_path / "repo")
    (root / "environments" / "prod.yaml").write_text(PROD_WITH_A_WARMED_FUNCTION)
    synthesize(root / "cdktf.out", "--env", "prod", "--force", cwd=root)
    assert (root / "cdktf.out" / "stacks" / "prod" / PLACEHOLDER_PACKAGE_FILE).exists()
    changes = plan_with_local_state(running, root / "cdktf.out" / "stacks" / "prod", tmp_path, "eu-central-1")
    created = Counter(c["type"] for c in changes if c["change"]["actions"] == ["create"])
    assert created["aws_lambda_function"] == 6
    assert created["aws_appautoscaling_target"] == 5 + 1  # the functions' and the cache's replicas
    assert created["aws_appautoscaling_policy"] == 5 + 1
    assert created["aws_appautoscaling_scheduled_action"] == 10
    assert created["aws_scheduler_schedule"] == 1
    target = next(
        c["change"]["after"]
        for c in changes
        if c["type"] == "aws_appautoscaling_target"
        and c["change"]["after"]["scalable_dimension"] == "lambda:function:ProvisionedConcurrency"
    )
    assert (target["min_capacity"], target["max_capacity"]) == (2, 20)
