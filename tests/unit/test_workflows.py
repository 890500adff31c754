"""The GitHub Actions workflows: they lint, they call only Makefile targets that exist, and the
delivery's safety properties (OIDC, environments, concurrency, checksum) hold."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
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
        for name in ("plan.yml", "plan-pull-request.yml", "deliver-environment.yml", "drift.yml")
    }
    assert called["plan.yml"] == {"synth", "gate", "cost", "cost-diff"}
    assert called["plan-pull-request.yml"] == {"plan"}
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


def _bucket_calls(steps: list[dict[str, Any]], verb: str) -> list[str]:
    """The `aws s3api <verb>` commands of `steps` (continued lines joined)."""
    text = "\n".join(str(step.get("run", "")) for step in steps).replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if f"aws s3api {verb} " in line]


def test_the_applied_plan_travels_encrypted_in_the_state_bucket_and_is_verified_by_checksum() -> None:
    """A saved plan holds secret values: never a workflow artifact (anyone who reads the repository can
    download those), but an object under plans/<sha256>/ of the environment's state bucket, written with
    SSE-KMS under the state key, fetched, verified, applied and removed by the apply job."""
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
    assert not [s for s in plan["steps"] + apply["steps"] if "artifact" in s.get("uses", "")]
    puts = _bucket_calls(plan["steps"], "put-object")
    assert puts and all(
        '--key "plans/$PLAN_SHA256/$file"' in put
        and "--server-side-encryption aws:kms" in put
        and '--ssekms-key-id "$AUTOSCALE_STATE_KMS_KEY_ARN"' in put
        for put in puts
    ), puts
    (store,) = [s for s in plan["steps"] if _bucket_calls([s], "put-object")]
    assert store["env"]["PLAN_SHA256"] == "${{ steps.checksum.outputs.plan-sha256 }}"
    assert "for file in plan.tfplan plan.record.json" in store["run"]
    runs = [s.get("run", "") or s.get("uses", "") for s in apply["steps"]]
    fetch = next(i for i, r in enumerate(runs) if "aws s3api get-object" in r)
    verify = next(i for i, r in enumerate(runs) if "sha256sum --check" in r)
    applying = next(i for i, r in enumerate(runs) if "make apply" in r)
    remove = next(i for i, r in enumerate(runs) if "aws s3api delete-object" in r)
    assert fetch < verify < applying < remove
    for index in (fetch, verify, remove):
        assert apply["steps"][index]["env"]["PLAN_SHA256"] == "${{ needs.plan.outputs.plan-sha256 }}"
    assert '--key "plans/$PLAN_SHA256/$file" ".work/aws/$ENV/$file"' in runs[fetch]
    assert apply["steps"][remove]["if"].startswith("always()")


def test_no_workflow_uploads_a_plan_its_json_or_the_gates_json_report() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for _, step in _steps(_workflow(path.name)):
            if "upload-artifact" in step.get("uses", ""):
                uploaded = str(step["with"]["path"])
                assert not re.search(r"\.work|tfplan|plan\.json|reports/gate", uploaded), (path.name, uploaded)


def _delivery(env: str) -> Any:
    from cli.config_files import load_environment

    return load_environment(env).delivery


def test_pull_requests_check_every_environment_without_credentials_and_plan_only_dev() -> None:
    workflow = _workflow("plan.yml")
    assert set(workflow[True]) == {"pull_request"}
    checks, plan = workflow["jobs"]["checks"], workflow["jobs"]["plan"]
    assert checks["strategy"]["matrix"]["environment"] == ["dev", "staging", "prod"]
    assert checks["permissions"] == {"contents": "read", "security-events": "write"}  # no id-token: no role
    assert not [s for s in checks["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    (sarif,) = [s["with"]["sarif_file"] for s in checks["steps"] if "upload-sarif" in s.get("uses", "")]
    assert sarif == "reports/gate/synth/results_sarif.sarif"
    # The plan job: only environments whose bootstrap has a pull-request plan role, with that role.
    planned = {plan["with"]["environment"]}
    assert planned == {env for env in ("dev", "staging", "prod") if _delivery(env).plan_pull_requests} == {"dev"}
    assert plan["with"]["plan-role-arn"] == "${{ vars.DEV_PR_PLAN_ROLE_ARN }}"
    # Called at the branch the role pins, never as ./ (which would run at the pull request's ref).
    delivery = _delivery("dev")
    assert plan["uses"] == f"{delivery.repository}/{delivery.workflows.pull_request_plan}@{delivery.branch}"
    assert plan["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert plan["permissions"] == {"contents": "read", "id-token": "write", "security-events": "write"}


def test_a_pull_requests_plan_takes_no_lock_and_uploads_only_sarif_and_a_redacted_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cli.settings import Settings
    from cli.terraform import plan_arguments

    workflow = _workflow("plan-pull-request.yml")
    assert set(workflow[True]) == {"workflow_call"}
    assert workflow["env"]["AUTOSCALE_PLAN_LOCK"] == "false"
    (job,) = workflow["jobs"].values()
    assert "environment" not in job, "an environment would change the OIDC subject the role trusts"
    monkeypatch.setenv("AUTOSCALE_PLAN_LOCK", workflow["env"]["AUTOSCALE_PLAN_LOCK"])
    assert "-lock=false" in plan_arguments(Path("plan.tfplan"), lock=Settings.from_environment().plan_lock)
    monkeypatch.delenv("AUTOSCALE_PLAN_LOCK")
    assert "-lock=true" in plan_arguments(Path("plan.tfplan"), lock=Settings.from_environment().plan_lock)
    uploads = [s for s in job["steps"] if "upload" in s.get("uses", "")]
    assert [s["with"].get("sarif_file") or s["with"]["path"] for s in uploads] == [
        "reports/gate/${{ inputs.environment }}/plan/results_sarif.sarif",
        "reports/delivery/summary-${{ inputs.environment }}.md",
    ]
    (summary,) = [s for s in job["steps"] if "summary-$ENV.md" in s.get("run", "")]
    assert "plan.record.json" in summary["run"] and "plan.json" not in summary["run"].replace("plan.record.json", "")


def test_a_bad_lock_setting_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.errors import UserError
    from cli.settings import Settings

    monkeypatch.setenv("AUTOSCALE_PLAN_LOCK", "off")
    with pytest.raises(UserError, match=r"^AUTOSCALE_PLAN_LOCK must be true or false \(got 'off'\)$"):
        Settings.from_environment()


def test_every_called_workflow_is_local_or_this_repositorys_at_the_delivery_branch() -> None:
    delivery = _delivery("dev")
    for path in WORKFLOWS.glob("*.yml"):
        for job_id, job in _workflow(path.name)["jobs"].items():
            if "uses" not in job:
                continue
            local = job["uses"].startswith("./.github/workflows/")
            at_branch = re.fullmatch(
                rf"{re.escape(delivery.repository)}/\.github/workflows/[\w.-]+@{delivery.branch}", job["uses"]
            )
            assert local or at_branch, (path.name, job_id, job["uses"])
            called = WORKFLOWS / job["uses"].split("/.github/workflows/", 1)[1].split("@", 1)[0]
            assert called.exists(), (path.name, job_id, called)


def test_drift_runs_daily_for_every_environment() -> None:
    workflow = _workflow("drift.yml")
    assert workflow[True]["schedule"] == [{"cron": "17 5 * * *"}]
    job = workflow["jobs"]["drift"]
    assert [m["environment"] for m in job["strategy"]["matrix"]["include"]] == ["dev", "staging", "prod"]


def test_the_apply_summary_lists_deletions_and_replacements_before_the_whole_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The checksum step run as GitHub runs it, on what `make plan` prints for a plan that replaces
    prod's database: the reviewer reads the destructive changes first, under their own heading."""
    import json

    from cli.terraform import print_diff

    print_diff(
        "plan: prod",
        json.loads((REPO / "tests" / "gate" / "fixtures" / "plan_prod_replaces_database.json").read_text()),
    )
    printed = capsys.readouterr().out
    (step,) = [s for s in _workflow("deliver-environment.yml")["jobs"]["plan"]["steps"] if s.get("id") == "checksum"]
    (tmp_path / "reports" / "delivery").mkdir(parents=True)
    (tmp_path / "reports" / "delivery" / "plan-prod.txt").write_text(printed)
    (tmp_path / ".work" / "aws" / "prod").mkdir(parents=True)
    (tmp_path / ".work" / "aws" / "prod" / "plan.tfplan").write_bytes(b"plan")
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = {"ENV": "prod", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output), "PATH": "/usr/bin:/bin"}
    subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=tmp_path, env=env, check=True)
    text = summary.read_text()
    destructive = text.split("### Deletions and replacements", 1)[1].split("### The whole plan", 1)[0]
    assert (
        [line for line in destructive.splitlines() if "!! REPLACE" in line]
        == [line for line in printed.splitlines() if "!! REPLACE" in line]
        != []
    )
    assert printed in text.split("### The whole plan", 1)[1]
    assert output.read_text().startswith("plan-sha256=")
