"""Terraform workflows: validate, bootstrap, plan (gated twice), apply of a saved plan, destroy."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import gate, target
from cli.emulator import isolated_environment
from cli.errors import UserError
from cli.settings import ROOT, Settings

if TYPE_CHECKING:
    from environments.schema import EnvironmentConfig

_PLAN_FILE = "plan.tfplan"
_PLAN_JSON = "plan.json"
_PLAN_RECORD = "plan.record.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Workspace:
    """One stack run against one target: where Terraform keeps its data, plans and local state."""

    settings: Settings
    stack: str
    target: target.Target

    @property
    def stack_dir(self) -> Path:
        return self.settings.outdir / "stacks" / self.stack

    @property
    def directory(self) -> Path:
        return self.settings.work_dir / self.target.name / self.stack

    def terraform(self, *args: str, capture: bool = False) -> str:
        if not (self.stack_dir / "cdk.tf.json").exists():
            raise UserError(f"{self.stack_dir / 'cdk.tf.json'} is missing: run `make synth` first")
        self.directory.mkdir(parents=True, exist_ok=True)
        overrides = {**self.target.environment, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
        environment = isolated_environment(overrides) if self.target.is_emulator else {**os.environ, **overrides}
        environment["TF_DATA_DIR"] = str(self.directory / ".terraform")
        completed = subprocess.run(
            ["terraform", *args],
            cwd=self.stack_dir,
            env=environment,
            capture_output=capture,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            detail = f": {completed.stderr.strip()[-3000:]}" if capture else " (see its output above)"
            raise UserError(f"terraform {args[0]} of stack {self.stack} failed{detail}")
        return completed.stdout if capture else ""

    def init(self, *backend_config: str, backend: bool = True) -> None:
        args = ["init", "-input=false", "-reconfigure", "-no-color"]
        if self.settings.plugin_dir:
            args.append(f"-plugin-dir={self.settings.plugin_dir}")
        if not backend:
            args.append("-backend=false")
        args += [f"-backend-config={item}" for item in backend_config]
        try:
            self.terraform(*args, capture=True)
        except UserError as error:
            if self.settings.plugin_dir is None and "registry.terraform.io" in str(error):
                raise UserError(
                    f"{error}\nThe provider registry is unreachable: set TF_PLUGIN_DIR to an offline provider mirror."
                ) from None
            raise

    def outputs(self) -> dict[str, str]:
        raw = json.loads(self.terraform("output", "-json", "-no-color", capture=True) or "{}")
        return {name: str(value["value"]) for name, value in raw.items()}


def validate(settings: Settings, stacks: list[str]) -> None:
    """`terraform init -backend=false` and `validate` of every synthesized stack."""
    offline = target.Target(name="validate", description="no backend")
    for stack in stacks:
        workspace = Workspace(settings, stack, offline)
        workspace.init(backend=False)
        result = json.loads(workspace.terraform("validate", "-json", "-no-color", capture=True))
        if not result.get("valid"):
            messages = "; ".join(d.get("summary", "") for d in result.get("diagnostics", []))
            raise UserError(f"terraform validate failed for {stack}: {messages}")
        print(f"validate: {stack} ok ({result.get('warning_count', 0)} warnings)")


def bootstrap(settings: Settings, env: str, run_target: target.Target) -> dict[str, str]:
    """Create (or update) the state bucket; its own state is local, under the working folder."""
    workspace = Workspace(settings, f"{env}-bootstrap", run_target)
    workspace.init(f"path={workspace.directory / 'terraform.tfstate'}")
    workspace.terraform("apply", "-input=false", "-auto-approve", "-no-color", capture=True)
    return workspace.outputs()


def _bootstrap_outputs(settings: Settings, env: str, run_target: target.Target) -> dict[str, str]:
    workspace = Workspace(settings, f"{env}-bootstrap", run_target)
    if run_target.is_emulator:
        print(f"bootstrap: creating the state bucket of {env} in the emulator")
        return bootstrap(settings, env, run_target)
    if not (workspace.directory / "terraform.tfstate").exists():
        raise UserError(
            f"the state bucket of {env} is not bootstrapped for {run_target.name}: run `make bootstrap ENV={env}`"
        )
    workspace.init(f"path={workspace.directory / 'terraform.tfstate'}")
    return workspace.outputs()


def _summary(plan_json: dict[str, Any]) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "delete": 0, "replace": 0}
    for change in plan_json.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions == ["no-op"] or actions == ["read"]:
            continue
        key = "replace" if len(actions) == 2 else actions[0]
        counts[key] = counts.get(key, 0) + 1
    return counts


def plan(settings: Settings, env: str, region: str, config: EnvironmentConfig | None = None) -> Path:
    """Gate the synthesized JSON and its cost, plan, gate the plan JSON and record what was gated.

    With `config`, the cost estimate, its report and the cost gate (ceiling ≤ burst budget,
    floor ≤ soft budget) run before Terraform; the estimate and reports stay beside the plan.
    """
    stack_json = settings.outdir / "stacks" / env / "cdk.tf.json"
    reports = ROOT / "reports" / "gate" / env
    gate.gate(
        settings.checkov,
        framework="terraform_json",
        targets=[stack_json.parent, stack_json.parent.with_name(f"{env}-bootstrap")],
        report_dir=reports / "synth",
        require_all_skips_used=False,
    )
    run_target = target.resolve(settings, region)
    print(f"plan: {env} targets {run_target.description}")
    workspace = Workspace(settings, env, run_target)
    cost_record: dict[str, Any] | None = None
    if config is not None:
        from cli.cost import command as cost

        estimate = json.loads(cost.gate(settings.outdir, config, workspace.directory).read_text())
        cost_record = {"floor_eur": estimate["floor_eur"], "ceiling_eur": estimate["ceiling_eur"]}
    state = _bootstrap_outputs(settings, env, run_target)
    workspace.init(f"kms_key_id={state['state_kms_key_arn']}")
    plan_file = workspace.directory / _PLAN_FILE
    for stale in (plan_file, workspace.directory / _PLAN_JSON, workspace.directory / _PLAN_RECORD):
        stale.unlink(missing_ok=True)
    workspace.terraform("plan", "-input=false", "-lock=true", "-no-color", f"-out={plan_file}", capture=True)
    plan_json_path = workspace.directory / _PLAN_JSON
    plan_json_path.write_text(workspace.terraform("show", "-json", "-no-color", str(plan_file), capture=True))
    gate.gate(
        settings.checkov,
        framework="terraform_plan",
        targets=[plan_json_path],
        report_dir=reports / "plan",
        require_all_skips_used=False,
    )
    counts = _summary(json.loads(plan_json_path.read_text()))
    record = {
        "environment": env,
        "target": run_target.name,
        "stack_sha256": _sha256(stack_json),
        "plan_sha256": _sha256(plan_file),
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "gate": "passed",
        "changes": counts,
        "cost": cost_record,
    }
    (workspace.directory / _PLAN_RECORD).write_text(json.dumps(record, indent=2) + "\n")
    print(
        f"plan: {env} on {run_target.name}: {counts['create']} to add, {counts['update']} to change, "
        f"{counts['delete']} to destroy, {counts['replace']} to replace; saved {plan_file}"
    )
    return plan_file


def apply(settings: Settings, env: str, region: str) -> None:
    """Apply the saved plan of `env`, only if it is the gated, current one for this target."""
    run_target = target.resolve(settings, region)
    workspace = Workspace(settings, env, run_target)
    plan_file, record_file = workspace.directory / _PLAN_FILE, workspace.directory / _PLAN_RECORD
    if not plan_file.exists() or not record_file.exists():
        raise UserError(f"no saved plan of {env} for {run_target.name}: run `make plan ENV={env}` first")
    record = json.loads(record_file.read_text())
    stack_json = settings.outdir / "stacks" / env / "cdk.tf.json"
    if record.get("gate") != "passed":
        raise UserError(f"the saved plan of {env} did not pass the policy gate")
    if record["plan_sha256"] != _sha256(plan_file):
        raise UserError(f"the saved plan of {env} was modified after it was gated: run `make plan ENV={env}` again")
    if not stack_json.exists() or record["stack_sha256"] != _sha256(stack_json):
        raise UserError(f"the saved plan of {env} is stale (the code changed since): run `make plan ENV={env}` again")
    created = datetime.datetime.fromisoformat(record["created_at"])
    age = datetime.datetime.now(datetime.UTC) - created
    if age > datetime.timedelta(minutes=settings.plan_max_age_minutes):
        raise UserError(
            f"the saved plan of {env} is {int(age.total_seconds() // 60)} minutes old (limit "
            f"{settings.plan_max_age_minutes}): run `make plan ENV={env}` again"
        )
    print(f"apply: {env} targets {run_target.description}")
    workspace.terraform("apply", "-input=false", "-no-color", str(plan_file))
    record_file.unlink()  # a saved plan applies once
    plan_file.unlink()


def destroy(settings: Settings, env: str, region: str, confirmation: str) -> None:
    """Destroy the environment stack (the state bucket stays); prod only with CONFIRM=prod."""
    if env == "prod" and confirmation != "prod":
        raise UserError("refusing to destroy prod: run `make destroy ENV=prod CONFIRM=prod` if you really mean it")
    run_target = target.resolve(settings, region)
    print(f"destroy: {env} targets {run_target.description}")
    state = _bootstrap_outputs(settings, env, run_target)
    workspace = Workspace(settings, env, run_target)
    workspace.init(f"kms_key_id={state['state_kms_key_arn']}")
    workspace.terraform("destroy", "-input=false", "-auto-approve", "-lock=true", "-no-color")
