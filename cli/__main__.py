"""`python -m cli <command>`: the workflows behind the Makefile's targets."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cli.errors import UserError, run_cli
from cli.settings import ROOT, Settings
from cli.timing import Timings
from environments.names import STACK_SETS
from stacks.names import stack_names

if TYPE_CHECKING:
    from environments.schema import StackSetConfig


def _environment(name: str) -> str:
    if name not in STACK_SETS:
        raise UserError(f"unknown environment {name!r}: known environments are {', '.join(STACK_SETS)}", exit_code=2)
    return name


def _config(env: str) -> StackSetConfig:
    """Loaded only by the commands that need it, so `gate` and `emulator` start fast."""
    from cli.config_files import load_account, load_environment

    return load_account() if env == "account" else load_environment(env)


def _synthesize(env: str) -> None:
    """`python main.py --env ENV --env account`: the stack set's synthesis and the account's (whose
    `account-bootstrap` holds the OIDC provider an environment's bootstrap looks up), each skipped
    while its inputs are unchanged."""
    command = [sys.executable, str(ROOT / "main.py"), "--env", env, "--env", "account"]
    completed = subprocess.run(command, cwd=ROOT, check=False)
    if completed.returncode != 0:
        raise UserError(f"synthesis of {env} failed (see above)", exit_code=completed.returncode)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("plan", "apply", "bootstrap", "destroy", "drift", "rollback", "unlock"):
        sub = commands.add_parser(name)
        sub.add_argument("--env", required=True)
        if name == "plan":
            sub.add_argument(
                "--import",
                dest="import_orphans",
                choices=["yes", "no"],
                default="no",
                help="yes: adopt the existing resources the last plan found (its import blocks)",
            )
        if name == "unlock":
            sub.add_argument(
                "--lock-id", default="", help="the ID of the stale lock (printed by the plan that found it)"
            )
        if name == "destroy":
            sub.add_argument("--confirm", default="")
        if name == "rollback":
            sub.add_argument("--to", default="", help="a git ref, or `previous` (the last successful revision)")
    commands.add_parser("validate")
    gate_parser = commands.add_parser("gate")
    gate_parser.add_argument("--env", action="append")
    gate_parser.add_argument("--cost-estimate", type=Path, help="also gate this estimate against --env's budgets")
    cost_parser = commands.add_parser("cost", help="estimated monthly cost: table, gate JSON, reports")
    cost_parser.add_argument("--env", action="append", help="one environment (repeatable); default: all")
    cost_parser.add_argument("--outdir", type=Path, help="where the stacks were synthesized (default: cdktf.out)")
    cost_parser.add_argument(
        "--update",
        action="store_true",
        help="set prod's budget and cap to its estimate; rewrite the cost table of docs/cost.md",
    )
    cost_diff_parser = commands.add_parser("cost-diff", help="cost before (a git revision) and after this change")
    cost_diff_parser.add_argument("--base", default="", help="the git revision to compare with (e.g. origin/main)")
    cost_diff_parser.add_argument("--env", action="append", help="one environment (repeatable); default: all")
    cost_diff_parser.add_argument("--outdir", type=Path, help="where this tree was synthesized (default: cdktf.out)")
    discover_parser = commands.add_parser("discover", help="inventory the account read-only; readiness; drafts")
    discover_parser.add_argument("--env", required=True)
    discover_parser.add_argument("--json", type=Path, help="JSON report path (draft YAML and imports go beside it)")
    discover_parser.add_argument("--page-size", type=int, help="items per page of every listing")
    discover_parser.add_argument("--name-pattern", help="regex naming the environment's untagged resources")
    commands.add_parser("reference", help="regenerate docs/configuration-reference.md from the schema")
    commands.add_parser("snapshot-update", help="rewrite tests/snapshots/ from the synthesized stacks")
    emulator_parser = commands.add_parser("emulator")
    emulator_parser.add_argument("action", choices=["start", "stop", "status"])
    args = parser.parse_args(argv)
    settings = Settings.from_environment()

    from cli import cost_gate, emulator, gate, revision, target, terraform

    if args.command == "snapshot-update":
        from cli import snapshot

        if not (settings.outdir / "stacks").is_dir():
            raise UserError("nothing synthesized: run `make synth` first")
        return snapshot.update(settings.outdir)
    if args.command == "reference":
        from cli import reference

        return reference.main()
    if args.command == "discover":
        from cli.discovery.command import main as discover

        return discover(
            settings,
            _environment(args.env),
            json_path=args.json,
            page_size=args.page_size,
            name_pattern=args.name_pattern,
        )
    if args.command in ("cost", "cost-diff"):
        from cli.cost import command as cost

        # Every environment by default; the account set has no budget of its own.
        envs = [_environment(e) for e in args.env] if args.env else [e for e in STACK_SETS if e != "account"]
        if "account" in envs:
            raise UserError(
                f"{args.command}: the account stack set has no budget of its own to estimate against", exit_code=2
            )
        if args.command == "cost-diff":
            return cost.diff_main(args.outdir or settings.outdir, settings.work_dir, envs, args.base)
        return cost.main(args.outdir or settings.outdir, settings.work_dir, envs, update_budgets=args.update)
    if args.command == "validate":
        stacks = sorted(p.parent.name for p in (settings.outdir / "stacks").glob("*/cdk.tf.json"))
        if not stacks:
            raise UserError("nothing synthesized: run `make synth` first")
        terraform.validate(settings, stacks)
    elif args.command == "gate":
        envs = [_environment(e) for e in (args.env or STACK_SETS)]
        targets = [settings.outdir / "stacks" / stack for e in envs for stack in stack_names(e)]
        missing = [t for t in targets if not (t / "cdk.tf.json").exists()]
        if missing:
            raise UserError(f"{missing[0] / 'cdk.tf.json'} is missing: run `make synth` first")
        if args.cost_estimate:
            if len(envs) != 1:
                raise UserError("--cost-estimate needs exactly one --env", exit_code=2)
            from cli.config_files import load_environment

            budget = load_environment(envs[0]).budget
            cost_gate.gate(
                args.cost_estimate,
                environment=envs[0],
                soft_limit_eur=budget.soft_limit_eur,
                burst_limit_eur=budget.burst_limit_eur,
            )
        gate.gate(
            settings.checkov,
            framework="terraform_json",
            targets=targets,
            report_dir=Path("reports") / "gate" / "synth",
            require_all_skips_used=not args.env,
        )
    elif args.command == "emulator":
        if args.action == "start":
            running, started = emulator.ensure(settings.emulator_dir)
            print(f"emulator: {'started' if started else 'running'} at {running.endpoint}")
        elif args.action == "stop":
            print("emulator: stopped" if emulator.stop(settings.emulator_dir) else "emulator: was not running")
        else:
            current = emulator.running(settings.emulator_dir)
            print(f"emulator: running at {current.endpoint}" if current else "emulator: not running")
            return 0 if current else 3
    else:
        env = _environment(args.env)
        timings = Timings()
        if args.command == "plan":
            with timings.step("synth"):
                _synthesize(env)
        config = _config(env)
        region = config.region
        from environments.schema import EnvironmentConfig

        # The account set has no budget of its own to estimate against: no cost gate there.
        cost_config = config if isinstance(config, EnvironmentConfig) else None
        if args.command == "plan":
            terraform.plan(
                settings,
                env,
                region,
                revision.current(ROOT),
                cost_config,
                timings=timings,
                adopt=args.import_orphans == "yes",
                name_prefix=f"{config.namespace}-{env}-{config.service}",
            )
        elif args.command == "apply":
            terraform.apply(settings, env, region, revision.current(ROOT))
        elif args.command == "drift":
            terraform.drift(settings, env, region)
        elif args.command == "rollback":
            from cli.rollback import rollback

            rollback(settings, env, region, args.to, cost_config)
        elif args.command == "bootstrap":
            outputs = terraform.bootstrap(settings, env, target.resolve(settings, region))
            print(f"bootstrap: {env} state bucket {outputs['state_bucket_name']}")
            for name in (
                "state_kms_key_arn",
                "ci_plan_role_arn",
                "ci_pr_plan_role_arn",
                "ci_apply_role_arn",
                "ci_oidc_provider_arn",
            ):
                print(f"bootstrap: {env} {name} {outputs.get(name, '(none)')}")
        elif args.command == "destroy":
            terraform.destroy(settings, env, region, args.confirm)
        elif args.command == "unlock":
            terraform.unlock(settings, env, region, args.lock_id)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(lambda: main(sys.argv[1:])))
