"""What the emulator cannot apply is planned: prod's provisioned-concurrency autoscaling (moto
lacks Application Auto Scaling's ListTagsForResource) and a warmer schedule, planned with real
terraform against the emulator (local state, so no state bucket and its minute-long wait)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import emulator
from cli.synth import PLACEHOLDER_PACKAGE_FILE
from tests.conftest import copy_repository, run, synthesize

pytestmark = pytest.mark.integration

PROD_WITH_A_WARMED_FUNCTION = """\
lambda:
  functions:
    report: {provisioned_concurrency: null, snap_start: true, warmer: {rate_minutes: 5}}
"""


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[emulator.Emulator]:
    directory = tmp_path_factory.mktemp("emulator")
    yield emulator.start(directory)
    emulator.stop(directory)


def test_prod_autoscaling_and_a_warmer_plan_against_the_emulator(running: emulator.Emulator, tmp_path: Path) -> None:
    root = copy_repository(tmp_path / "repo")
    (root / "environments" / "prod.yaml").write_text(PROD_WITH_A_WARMED_FUNCTION)
    synthesize(root / "cdktf.out", "--env", "prod", "--force", cwd=root)
    stack_dir = root / "cdktf.out" / "stacks" / "prod"
    stack = json.loads((stack_dir / "cdk.tf.json").read_text())
    stack["terraform"]["backend"] = {"local": {"path": str(tmp_path / "terraform.tfstate")}}
    (stack_dir / "cdk.tf.json").write_text(json.dumps(stack))
    assert (stack_dir / PLACEHOLDER_PACKAGE_FILE).exists()

    env = {
        **emulator.isolated_environment(running.terraform_environment("eu-central-1")),
        "TF_DATA_DIR": str(tmp_path / ".terraform"),
        "TF_IN_AUTOMATION": "1",
    }
    plugin_dir = env.get("TF_PLUGIN_DIR")
    init = ["terraform", "init", "-input=false", "-no-color", *([f"-plugin-dir={plugin_dir}"] if plugin_dir else [])]
    assert run(init, cwd=stack_dir, env=env, inherit=False).returncode == 0
    plan = run(
        ["terraform", "plan", "-input=false", "-no-color", f"-out={tmp_path / 'plan'}"],
        cwd=stack_dir,
        env=env,
        inherit=False,
    )
    assert plan.returncode == 0, plan.stderr
    shown = run(["terraform", "show", "-json", str(tmp_path / "plan")], cwd=stack_dir, env=env, inherit=False)
    changes = json.loads(shown.stdout)["resource_changes"]
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
