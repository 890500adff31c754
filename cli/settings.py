"""How to run (never what to build): read once from the environment, with defaults.

| variable | meaning | default |
|---|---|---|
| `TF_PLUGIN_DIR` | offline provider mirror for `terraform init -plugin-dir` | unset: providers are downloaded |
| `AUTOSCALE_TARGET` | `aws`, `emulator` or `auto` (AWS when credentials exist, else the emulator) | `auto` |
| `AUTOSCALE_WORK_DIR` | Terraform working data, plans, a first bootstrap's state (then in its bucket) | `.work` |
| `AUTOSCALE_EMULATOR_DIR` | the local emulator's record, certificate and log | `.emulator` |
| `AUTOSCALE_CHECKOV` | the checkov executable of the gate | `.venv-checkov/bin/checkov` |
| `AUTOSCALE_PLAN_MAX_AGE_MINUTES` | how old a saved plan `make apply` still accepts | `60` |
| `AUTOSCALE_STATE_KMS_KEY_ARN` | the state key (bootstrap output) where its local state is absent (CI) | unset |
| `AUTOSCALE_PLAN_LOCK` | `false`: `make plan` takes no state lock (`-lock=false`: a pull request's plan) | `true` |
| `CI` | `true` in CI: never fall back to the emulator silently | unset |
| `ALLOW_REPLACE` | addresses (comma-separated) of stateful resources a prod plan may delete or replace | unset |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cli.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _boolean(name: str, value: str) -> bool:
    """`true`/`false` (or 1/0, yes/no): a typo must not silently mean either."""
    try:
        return _BOOLEANS[value.strip().lower()]
    except KeyError:
        raise UserError(f"{name} must be true or false (got {value!r})", exit_code=2) from None


@dataclass(frozen=True)
class Settings:
    plugin_dir: Path | None
    target: str
    work_dir: Path
    emulator_dir: Path
    checkov: Path
    outdir: Path
    plan_max_age_minutes: int
    in_ci: bool
    state_kms_key_arn: str | None = None
    allow_replace: tuple[str, ...] = ()
    plan_lock: bool = True
    """`terraform plan -lock=…`: a pull request's plan (AUTOSCALE_PLAN_LOCK=false) must not block,
    or be blocked by, main's delivery, and its role may not write the lock."""

    @classmethod
    def from_environment(cls) -> Settings:
        def setting(name: str, default: str) -> str:
            return os.environ.get(name) or default  # set-but-empty means the default

        plugin_dir = setting("TF_PLUGIN_DIR", "")
        return cls(
            plugin_dir=Path(plugin_dir) if plugin_dir else None,
            target=setting("AUTOSCALE_TARGET", "auto"),
            work_dir=Path(setting("AUTOSCALE_WORK_DIR", str(ROOT / ".work"))),
            emulator_dir=Path(setting("AUTOSCALE_EMULATOR_DIR", str(ROOT / ".emulator"))),
            checkov=Path(setting("AUTOSCALE_CHECKOV", str(ROOT / ".venv-checkov" / "bin" / "checkov"))),
            outdir=ROOT / "cdktf.out",
            plan_max_age_minutes=int(setting("AUTOSCALE_PLAN_MAX_AGE_MINUTES", "60")),
            in_ci=setting("CI", "").lower() in {"1", "true", "yes"},
            state_kms_key_arn=setting("AUTOSCALE_STATE_KMS_KEY_ARN", "") or None,
            allow_replace=tuple(setting("ALLOW_REPLACE", "").replace(",", " ").split()),
            plan_lock=_boolean("AUTOSCALE_PLAN_LOCK", setting("AUTOSCALE_PLAN_LOCK", "true")),
        )
