"""The GitHub Actions workflows: they lint, they call only Makefile targets that exist, and the
delivery's safety properties (OIDC, environments, concurrency, checksum) hold."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = REPO / ".venv" / "bin" / "actionlint"
_MAKE_CALL = re.compile(r"\bmake\s+([a-z][a-z-]*)")


def _workflow(name: str) -> dict[Any, Any]:
    """A workflow as YAML reads it (`on:` becomes the key True)."""
    return dict(yaml.safe_load((WORKFLOWS / name).read_text()))


def _makefile_targets() -> set[str]:
    text = (REPO / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):", text, flags=re.MULTILINE))


def _steps(workflow: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in workflow["jobs"].items() for step in job.get("steps", [])]


def test_the_workflows_lint_clean() -> None:
    assert ACTIONLINT.exists(), "actionlint is missing: run `make setup`"
    linted = subprocess.run([str(ACTIONLINT)], cwd=REPO, capture_output=True, text=True, check=False)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_make_lint_runs_actionlint() -> None:
    lint = (REPO / "Makefile").read_text().split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "$(VENV)/bin/actionlint" in lint


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_every_job_calls_only_makefile_targets_that_exist(name: str) -> None:
    targets = _makefile_targets()
    called = [t for _, step in _steps(_workflow(name)) for t in _MAKE_CALL.findall(step.get("run", ""))]
    missing = sorted(set(called) - targets - {"cost"})  # `make cost`: the cost-estimate issue's target
    assert not missing, f"{name} calls make targets the Makefile lacks: {missing}"


def test_the_workflows_run_the_targets_a_person_runs() -> None:
    called = {
        name: {t for _, step in _steps(_workflow(name)) for t in _MAKE_CALL.findall(step.get("run", ""))}
        for name in ("plan.yml", "deliver-environment.yml", "drift.yml")
    }
    assert called["plan.yml"] == {"synth", "gate", "plan", "cost", "cost-diff"}
    assert called["deliver-environment.yml"] == {"plan", "synth", "apply", "rollback"}  # rollback: in the hint
    assert called["drift.yml"] == {"drift"}


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_every_action_is_pinned_by_commit(name: str) -> None:
    uses = [step["uses"] for _, step in _steps(_workflow(name)) if "uses" in step]
    assert all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses


def test_no_workflow_uses_long_lived_keys() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text()
        assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text, path.name


def test_main_applies_dev_then_staging_then_prod_one_at_a_time() -> None:
    deliver = _workflow("deliver.yml")
    assert deliver[True] == {"push": {"branches": ["main"]}}  # YAML reads `on` as true
    jobs = deliver["jobs"]
    assert list(jobs) == ["dev", "staging", "prod"]
    assert (jobs["staging"]["needs"], jobs["prod"]["needs"]) == ("dev", "staging")
    for env, job in jobs.items():
        assert job["uses"] == "./.github/workflows/deliver-environment.yml"
        assert job["with"]["environment"] == env
        assert job["with"]["apply-role-arn"] == f"${{{{ vars.{env.upper()}_APPLY_ROLE_ARN }}}}"
        assert job["concurrency"] == {"group": f"deliver-{env}", "cancel-in-progress": False}
        assert job["permissions"]["id-token"] == "write"


def test_the_applied_plan_is_the_planned_artifact_verified_by_checksum() -> None:
    jobs = _workflow("deliver-environment.yml")["jobs"]
    plan, apply = jobs["plan"], jobs["apply"]
    assert apply["needs"] == "plan"
    assert apply["environment"] == "${{ inputs.environment }}"
    assert apply["permissions"] == {"contents": "read", "id-token": "write"}
    credentials = [s for s in apply["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert credentials[0]["with"]["role-to-assume"] == "${{ inputs.apply-role-arn }}"
    plan_credentials = [s for s in plan["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert plan_credentials[0]["with"]["role-to-assume"] == "${{ inputs.plan-role-arn }}"
    assert plan["outputs"]["plan-sha256"] == "${{ steps.checksum.outputs.plan-sha256 }}"
    runs = [s.get("run", "") or s.get("uses", "") for s in apply["steps"]]
    download = next(i for i, r in enumerate(runs) if "download-artifact" in r)
    verify = next(i for i, r in enumerate(runs) if "sha256sum --check" in r)
    applying = next(i for i, r in enumerate(runs) if "make apply" in r)
    assert download < verify < applying
    assert apply["steps"][verify]["env"]["PLAN_SHA256"] == "${{ needs.plan.outputs.plan-sha256 }}"
    (upload,) = [s for s in plan["steps"] if "upload-artifact" in s.get("uses", "")]
    assert upload["with"]["include-hidden-files"] is True  # the plan lives under .work/
    assert upload["with"]["path"].splitlines() == [
        ".work/aws/${{ inputs.environment }}/plan.tfplan",
        ".work/aws/${{ inputs.environment }}/plan.record.json",
    ]


def test_pull_requests_plan_every_environment_and_upload_sarif() -> None:
    workflow = _workflow("plan.yml")
    assert set(workflow[True]) == {"pull_request"}
    job = workflow["jobs"]["plan"]
    assert [m["environment"] for m in job["strategy"]["matrix"]["include"]] == ["dev", "staging", "prod"]
    assert "environment" not in job, "an environment would change the OIDC subject the plan role trusts"
    assert job["permissions"]["security-events"] == "write"
    sarif = [s["with"]["sarif_file"] for s in job["steps"] if "upload-sarif" in s.get("uses", "")]
    assert sarif == [
        "reports/gate/${{ matrix.environment }}/synth/results_sarif.sarif",
        "reports/gate/${{ matrix.environment }}/plan/results_sarif.sarif",
    ]


def test_drift_runs_daily_for_every_environment() -> None:
    workflow = _workflow("drift.yml")
    assert workflow[True]["schedule"] == [{"cron": "17 5 * * *"}]
    job = workflow["jobs"]["drift"]
    assert [m["environment"] for m in job["strategy"]["matrix"]["include"]] == ["dev", "staging", "prod"]
