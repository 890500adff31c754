"""Terraform workflows: validate, bootstrap, plan (gated twice), safe apply of a saved plan, drift, destroy."""

from __future__ import annotations

import collections
import contextlib
import datetime
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import gate, plan_diff, plan_guard, secret_scan, state_lock, target
from cli.emulator import isolated_environment
from cli.errors import UserError
from cli.revision import Revision, RevisionRecord
from cli.scan_cache import ScanCache
from cli.settings import ROOT, Settings
from cli.timing import Timings
from stacks.names import bootstrap_stack_name, main_stack_name, stack_names, stack_set_of

if TYPE_CHECKING:
    from environments.schema import EnvironmentConfig

_PLAN_FILE = "plan.tfplan"
ADOPT_FILE = "adopt.tf.json"
"""Import blocks of the orphans a plan found (work dir); beside cdk.tf.json only for a plan with IMPORT=yes."""
_PLAN_JSON = "plan.json"
_PLAN_RECORD = "plan.record.json"
_DRIFT_PLAN = "drift.tfplan"
LOCAL_STATE = "terraform.tfstate"
"""A bootstrap's state on this machine (work dir) until the bucket it creates exists."""
BOOTSTRAP_BACKEND_FILE = "bootstrap_backend_override.tf.json"
"""The S3 backend of a bootstrap whose state is in its bucket: beside cdk.tf.json (whose backend is
the first run's local one) during the bootstrap's Terraform runs only."""
LIFT_FILE = "allow_replace_override.tf.json"
"""`lifecycle.prevent_destroy = false` for the protected addresses ALLOW_REPLACE names: beside
cdk.tf.json during the plan only (the saved plan holds the configuration it was made with)."""


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

    def run(self, *args: str, capture: bool = False, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        """Run terraform in the stack's folder with this workspace's data; exit codes in `ok` succeed.

        A locked state fails with one message naming the lock (cli/state_lock.py); an interrupt
        (Ctrl-C, SIGTERM) lets Terraform stop gracefully and then fails saying so."""
        if not (self.stack_dir / "cdk.tf.json").exists():
            raise UserError(f"{self.stack_dir / 'cdk.tf.json'} is missing: run `make synth` first")
        if self.target.name == target.AWS:
            refuse_unpinned_providers(self.stack_dir / "cdk.tf.json", self.stack)
        self.directory.mkdir(parents=True, exist_ok=True)
        overrides = {**self.target.environment, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
        environment = isolated_environment(overrides) if self.target.is_emulator else {**os.environ, **overrides}
        environment["TF_DATA_DIR"] = str(self.data_dir)
        completed, interrupted = _run_terraform(["terraform", *args], self.stack_dir, environment, capture)
        if completed.returncode in ok and interrupted is None:
            return completed
        if state_lock.LOCK_ERROR in completed.stderr:
            lock = state_lock.parse(completed.stderr)
            if lock is not None:
                raise UserError(
                    state_lock.describe(
                        lock,
                        env=self.stack,
                        lock_object=self.lock_object(),
                        holders=state_lock.live_holders(lock, self.stack_dir, self.data_dir),
                    )
                )
        if interrupted is not None:
            name = signal.Signals(interrupted).name
            raise UserError(
                f"terraform {args[0]} of stack {self.stack} was interrupted ({name}); Terraform stopped gracefully "
                "(it saved the state and released the lock; what it was still creating may exist unrecorded): "
                f"run `make plan ENV={stack_set_of(self.stack)}`, which finds that and offers to adopt it",
                exit_code=128 + interrupted,
            )
        detail = f": {completed.stderr.strip()[-3000:]}" if capture else " (see its output above)"
        raise UserError(f"terraform {args[0]} of stack {self.stack} failed{detail}")

    @property
    def data_dir(self) -> Path:
        return self.directory / ".terraform"

    def state_location(self) -> tuple[str, str] | None:
        """(bucket, key) of the stack's S3 state, or `None` for a local one (a first bootstrap's)."""
        backend = json.loads((self.stack_dir / "cdk.tf.json").read_text()).get("terraform", {}).get("backend", {})
        override = self.stack_dir / BOOTSTRAP_BACKEND_FILE
        if override.exists():  # a bootstrap whose state is in its bucket
            backend = json.loads(override.read_text())["terraform"]["backend"]
        s3 = backend.get("s3")
        return (str(s3["bucket"]), str(s3["key"])) if s3 else None

    def lock_object(self) -> str:
        location = self.state_location()
        return f"s3://{location[0]}/{location[1]}.tflock" if location else "the local state's lock"

    def terraform(self, *args: str, capture: bool = False) -> str:
        completed = self.run(*args, capture=capture)
        return completed.stdout if capture else ""

    def init(self, *backend_config: str, backend: bool = True, migrate: bool = False) -> None:
        """`terraform init`; with `migrate`, the state of the backend it was initialized with moves
        to the one configured now (`-migrate-state -force-copy`) instead of being left behind."""
        args = [
            "init",
            "-input=false",
            *(["-migrate-state", "-force-copy"] if migrate else ["-reconfigure"]),
            "-no-color",
        ]
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


def _run_terraform(
    command: list[str], cwd: Path, environment: dict[str, str], capture: bool
) -> tuple[subprocess.CompletedProcess[str], int | None]:
    """Run `command` to its end, whatever signal arrives meanwhile; return it and the first
    SIGINT/SIGTERM received (or `None`).

    Terraform is in this process's group, so Ctrl-C or a SIGTERM to the group reaches it too and it
    stops gracefully (no new operations, those in flight cancelled, the state written, the lock
    released). This process only waits for that: the default handlers would end it at once, and
    `subprocess.run` would then SIGKILL Terraform, leaving the lock and unrecorded resources behind.
    Nothing is forwarded (a second interrupt makes Terraform quit at once). stderr is kept (and,
    without `capture`, echoed) so that a lock error can be read."""
    received: list[int] = []

    def note(signum: int, _frame: object) -> None:
        received.append(signum)

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        previous = {number: signal.signal(number, note) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE,
            text=True,
        )
        if capture:
            stdout, stderr = process.communicate()
        else:
            assert process.stderr is not None
            tail: collections.deque[str] = collections.deque(maxlen=400)
            for line in process.stderr:
                sys.stderr.write(line)
                sys.stderr.flush()
                tail.append(line)
            process.wait()
            stdout, stderr = "", "".join(tail)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr), (received[0] if received else None)


def refuse_unpinned_providers(stack_json: Path, stack: str) -> None:
    """Against AWS, every AWS provider of the stack must be pinned to the configured account
    (`allowed_account_ids`): while `account_id` is null, credentials of any account would do."""
    providers = json.loads(stack_json.read_text()).get("provider", {}).get("aws", [])
    unpinned = [p.get("alias", "default") for p in providers if not p.get("allowed_account_ids")]
    if unpinned:
        stack_set = stack_set_of(stack)
        raise UserError(
            f"{stack}: account_id is null, so its AWS provider(s) ({', '.join(unpinned)}) would accept credentials "
            f"of any account: set account_id (the account's 12 digits, quoted) in environments/account.yaml "
            f"(or environments/{stack_set}.yaml for an account of its own), run `make synth`, then run this again; "
            "the local emulator (AUTOSCALE_TARGET=emulator) needs no account_id"
        )


def _looks_up_the_account_provider(settings: Settings, env: str) -> bool:
    """The environment's bootstrap trusts the account's GitHub OIDC provider (created by `account-bootstrap`)."""
    stack_json = settings.outdir / "stacks" / bootstrap_stack_name(env) / "cdk.tf.json"
    if env == "account" or not stack_json.exists():
        return False
    return "aws_iam_openid_connect_provider" in json.loads(stack_json.read_text()).get("data", {})


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


def bootstrap(settings: Settings, env: str, run_target: target.Target, *, synth_gated: bool = False) -> dict[str, str]:
    """Create (or update) the set's state bucket, its key and CI roles like any stack: its synthesized
    JSON gated, a saved plan gated and shown, then that plan applied; its outputs.

    Its state lives in the bucket it created (`bootstrap_state_key`), encrypted with the state key and
    locked with a lock file there: not on one machine. Only the first run, before the bucket exists,
    keeps it locally (work dir); once applied, `terraform init -migrate-state` moves it into the
    bucket and the local file goes. A later run (on any machine) finds it there.

    In the emulator, an environment whose bootstrap looks up the account's OIDC provider gets the
    account's bootstrap first (in AWS a person applies `account-bootstrap` once, before any environment).
    `synth_gated`: this run's gate already passed the bootstrap stack's synthesized JSON (`make plan`
    gates it beside the environment's stack), so only its plan is gated here."""
    if run_target.is_emulator and _looks_up_the_account_provider(settings, env):
        print(f"bootstrap: {env} trusts the account's GitHub OIDC provider: bootstrapping the account first")
        _bootstrap_outputs(settings, "account", run_target)  # applied once, again only when it changed
    stack = bootstrap_stack_name(env)
    workspace = Workspace(settings, stack, run_target)
    stack_json = workspace.stack_dir / "cdk.tf.json"
    if not stack_json.exists():
        raise UserError(f"{stack_json} is missing: run `make synth` first")
    if run_target.name == target.AWS:  # before any bucket is read with the credentials at hand
        refuse_unpinned_providers(stack_json, stack)
    backend_file, lift_file = workspace.stack_dir / BOOTSTRAP_BACKEND_FILE, workspace.stack_dir / LIFT_FILE
    for placed in (backend_file, lift_file):
        placed.unlink(missing_ok=True)  # an interrupted run's copy: never scanned by the gate, never reused
    if synth_gated:
        print(f"bootstrap: {stack}: its synthesized JSON passed this plan's gate")
    else:
        _quiet_gate(
            stack,
            settings.checkov,
            framework="terraform_json",
            targets=[workspace.stack_dir],
            report_dir=ROOT / "reports" / "gate" / stack / "synth",
            require_all_skips_used=False,
            environment=env,
            scan_cache=_scan_cache(settings),
        )
    location = bootstrap_state_location(settings, env)
    client = state_client(run_target, location.region)
    remote = _read_state(client, location)
    local = workspace.directory / LOCAL_STATE
    try:
        if remote is not None:
            print(f"bootstrap: {stack}: its state is {location}")
            _forget_local_state(stack, local, remote)
            backend_file.write_text(json.dumps(location.backend(), indent=2) + "\n")
            workspace.init(f"kms_key_id={_state_outputs(remote)['state_kms_key_arn']}")
        else:
            _refuse_lost_state(stack, location, local, client)
            print(f"bootstrap: {stack}: local state {local} until its bucket exists; then it moves to {location}")
            workspace.init(f"path={local}")
        _lift_protection(workspace, settings.allow_replace, what=f"bootstrap: {stack}")
        plan_file = _plan_bootstrap(settings, env, workspace)
        workspace.terraform("apply", "-input=false", "-no-color", str(plan_file), capture=True)
        plan_file.unlink(missing_ok=True)
        outputs = workspace.outputs()
        if remote is None:
            _migrate_state(workspace, location, local, client, outputs["state_kms_key_arn"])
    except UserError as error:
        raise _explain_protection(error, env, command="bootstrap") from None
    finally:
        for placed in (backend_file, lift_file):
            placed.unlink(missing_ok=True)
    if run_target.is_emulator:
        (workspace.directory / _BOOTSTRAPPED).write_text(
            json.dumps({**_emulator_fingerprint(workspace, run_target), "outputs": outputs}, indent=2) + "\n"
        )
    return outputs


@dataclass(frozen=True)
class StateLocation:
    """Where a bootstrap keeps its state: an object in the bucket it creates."""

    bucket: str
    key: str
    region: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def backend(self) -> dict[str, Any]:
        """The S3 backend that replaces the synthesized local one (an override file); the key's ARN
        comes at `init` (`-backend-config=kms_key_id=…`), read from the state itself."""
        settings = {"bucket": self.bucket, "key": self.key, "region": self.region, "encrypt": True}
        return {"terraform": {"backend": {"s3": {**settings, "use_lockfile": True}}}}


def bootstrap_state_key(stack_set: str) -> str:
    """The bootstrap's key in its bucket: outside the set's own prefix (`<set>/`), the only one its CI
    roles may read or write, so that no CI role can change the state that defines its permissions."""
    return f"bootstrap/{stack_set}.tfstate"


def bootstrap_state_location(settings: Settings, stack_set: str) -> StateLocation:
    """The bucket and region of the set's main stack backend, and the bootstrap's own key there."""
    main = settings.outdir / "stacks" / main_stack_name(stack_set) / "cdk.tf.json"
    if not main.exists():
        raise UserError(f"{main} is missing: run `make synth` first")
    s3 = json.loads(main.read_text())["terraform"]["backend"]["s3"]
    return StateLocation(bucket=str(s3["bucket"]), key=bootstrap_state_key(stack_set), region=str(s3["region"]))


def _read_state(client: Any, location: StateLocation) -> dict[str, Any] | None:
    """The state object at `location`, or `None` if it (or its bucket) does not exist."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        body = client.get_object(Bucket=location.bucket, Key=location.key)["Body"].read()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchBucket", "404"):
            return None
        raise UserError(f"could not read the bootstrap state {location}: {error}") from None
    except BotoCoreError as error:
        raise UserError(f"could not read the bootstrap state {location}: {error}") from None
    state: dict[str, Any] = json.loads(body)
    return state


def _state_outputs(state: dict[str, Any]) -> dict[str, str]:
    """The root outputs of a state document (what `terraform output -json` prints, as text)."""
    return {name: str(output["value"]) for name, output in (state.get("outputs") or {}).items()}


def _local_state(path: Path) -> dict[str, Any] | None:
    """The local state at `path` if it records any resource (an emptied file does not count)."""
    if not path.exists() or not path.read_text().strip():
        return None
    state: dict[str, Any] = json.loads(path.read_text())
    return state if state.get("resources") else None


def _forget_local_state(stack: str, local: Path, remote: dict[str, Any]) -> None:
    """A local state beside the one in the bucket goes if it records the same (a move whose clean-up
    was interrupted; a move gives the copy a new lineage, so the content is compared); a different
    one is for a person to sort out."""
    state = _local_state(local)
    if state is not None and _recorded(state) != _recorded(remote):
        raise UserError(
            f"{stack}: {local} holds a state that differs from the one in its bucket: keep the current one "
            "(the bucket's: delete the local file; the local one: `terraform state push` it), then run this again"
        )
    for leftover in (local, local.with_name(f"{LOCAL_STATE}.backup")):
        if leftover.exists():
            leftover.unlink()
            print(f"bootstrap: {stack}: removed {leftover} (its state is in the bucket)")


def _recorded(state: dict[str, Any]) -> tuple[Any, Any]:
    """What a state records (its resources and outputs), whatever its lineage and serial."""
    return state.get("resources") or [], state.get("outputs") or {}


def _refuse_lost_state(stack: str, location: StateLocation, local: Path, client: Any) -> None:
    """A bucket that exists while neither it nor this machine holds the bootstrap's state: a plan
    from an empty state would try to create it again."""
    from botocore.exceptions import BotoCoreError, ClientError

    if _local_state(local) is not None:
        return  # a first run interrupted before its move, or a bootstrap from before the move existed
    try:
        client.head_bucket(Bucket=location.bucket)
    except (BotoCoreError, ClientError):
        return  # absent (404), or not ours (403: terraform says so when it creates it)
    raise UserError(
        f"{stack}: the bucket {location.bucket} exists but holds no state at {location} and this machine has none "
        f"at {local}: restore the bootstrap's state (a version of the object in the bucket), or import the bucket "
        "and its key into a fresh state, before bootstrapping again"
    )


def _migrate_state(workspace: Workspace, location: StateLocation, local: Path, client: Any, kms_key_arn: str) -> None:
    """Move the first run's local state into the bucket it created, check that it arrived, remove it here."""
    moved = _local_state(local)
    (workspace.stack_dir / BOOTSTRAP_BACKEND_FILE).write_text(json.dumps(location.backend(), indent=2) + "\n")
    workspace.init(f"kms_key_id={kms_key_arn}", migrate=True)
    arrived = _read_state(client, location)
    if arrived is None or (moved is not None and _recorded(arrived) != _recorded(moved)):
        found = "nothing" if arrived is None else f"{len(arrived.get('resources') or [])} other resource(s)"
        raise UserError(
            f"{workspace.stack}: the state did not arrive in {location} (found {found} there); it stays at "
            f"{local}: run `make bootstrap ENV={stack_set_of(workspace.stack)}` again to move it"
        )
    _forget_local_state(workspace.stack, local, arrived)
    print(f"bootstrap: {workspace.stack}: its state moved to {location} (encrypted with the state key)")


def _plan_bootstrap(settings: Settings, env: str, workspace: Workspace) -> Path:
    """Plan to a file, show it, refuse secrets and prod's stateful replacements, gate the plan JSON,
    print the diff; the saved plan."""
    plan_file, plan_json_path = workspace.directory / _PLAN_FILE, workspace.directory / _PLAN_JSON
    for stale in (plan_file, plan_json_path):
        stale.unlink(missing_ok=True)
    workspace.terraform(*plan_arguments(plan_file, lock=True), capture=True)  # applied at once: always locked
    plan_json_path.write_text(workspace.terraform("show", "-json", "-no-color", str(plan_file), capture=True))
    plan_json = json.loads(plan_json_path.read_text())
    print_diff(f"bootstrap: {workspace.stack}", plan_json)
    secret_scan.refuse_secrets([plan_json_path], what=f"the plan JSON of {workspace.stack}")
    plan_guard.refuse_stateful_replacements(plan_json, env, settings.allow_replace)
    _quiet_gate(
        workspace.stack,
        settings.checkov,
        framework="terraform_plan",
        targets=[plan_json_path],
        report_dir=ROOT / "reports" / "gate" / workspace.stack / "plan",
        require_all_skips_used=False,
        environment=env,
        scan_cache=_scan_cache(settings),
    )
    return plan_file


def _scan_cache(settings: Settings) -> ScanCache:
    """Where `make plan` and `make bootstrap` keep the scanners' answers (cli/scan_cache.py)."""
    return ScanCache(settings.work_dir / "scan-cache")


def _quiet_gate(stack: str, checkov: Path, **arguments: Any) -> None:
    """The policy gate of a bootstrap, its line labelled with the stack: inside `make plan` (the
    emulator's automatic bootstrap), the plan's own `gate:` lines stay the plan's."""
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            gate.gate(checkov, **arguments)
    finally:
        for line in printed.getvalue().splitlines():
            print(f"bootstrap: {stack}: gated, {line.removeprefix('gate: ')}" if line.startswith("gate: ") else line)


def print_diff(prefix: str, plan_json: dict[str, Any]) -> None:
    """The reviewer's diff of a plan (cli/plan_diff.py), under one heading line."""
    lines = plan_diff.render(plan_json)
    if lines == ["no changes"]:
        print(f"{prefix}: the plan changes nothing")
        return
    print(f"{prefix}: the changes, deletions and replacements first (sensitive values hidden):")
    for line in lines:
        print(f"  {line}")


def _bootstrap_outputs(
    settings: Settings, env: str, run_target: target.Target, *, synth_gated: bool = False
) -> dict[str, str]:
    """The outputs of the set's bootstrap (its state key above all): from its state in its bucket; in
    the emulator, bootstrapped first when needed (`synth_gated`: see `bootstrap`); in CI, the key's
    ARN from the settings."""
    if settings.state_kms_key_arn and not run_target.is_emulator:
        return {"state_kms_key_arn": settings.state_kms_key_arn}  # CI: no role there reads the bootstrap's state
    workspace = Workspace(settings, bootstrap_stack_name(env), run_target)
    if run_target.is_emulator:
        return _emulator_bootstrap(settings, env, run_target, workspace, synth_gated=synth_gated)
    if run_target.name == target.AWS:
        refuse_unpinned_providers(workspace.stack_dir / "cdk.tf.json", workspace.stack)
    location = bootstrap_state_location(settings, env)
    state = _read_state(state_client(run_target, location.region), location)
    if state is not None:
        return _state_outputs(state)
    if _local_state(workspace.directory / LOCAL_STATE) is not None:
        raise UserError(
            f"the bootstrap state of {env} is still on this machine ({workspace.directory / LOCAL_STATE}): run "
            f"`make bootstrap ENV={env}` once to move it into {location}"
        )
    raise UserError(
        f"the state bucket of {env} is not bootstrapped for {run_target.name} (no state at {location}): "
        f"run `make bootstrap ENV={env}`"
    )


_BOOTSTRAPPED = "bootstrapped.json"


def _emulator_bootstrap(
    settings: Settings, env: str, run_target: target.Target, workspace: Workspace, *, synth_gated: bool
) -> dict[str, str]:
    """The state bucket in the emulator: created on the first plan, and again whenever the bootstrap
    stack changed or the emulator is another one (a new certificate); otherwise its outputs as recorded."""
    record_file = workspace.directory / _BOOTSTRAPPED
    applied = _emulator_fingerprint(workspace, run_target)
    if record_file.exists():
        record = json.loads(record_file.read_text())
        if {key: record.get(key) for key in applied} == applied:
            print(f"bootstrap: the state bucket of {env} exists in the emulator (bootstrap stack unchanged)")
            outputs: dict[str, str] = record["outputs"]
            return outputs
    print(f"bootstrap: creating the state bucket of {env} in the emulator")
    record_file.unlink(missing_ok=True)
    return bootstrap(settings, env, run_target, synth_gated=synth_gated)  # records what it applied


def protected_addresses(stack_json: dict[str, Any]) -> list[str]:
    """`type.name` of every resource of a synthesized stack with `lifecycle.prevent_destroy` set."""
    return sorted(
        f"{resource_type}.{name}"
        for resource_type, resources in stack_json.get("resource", {}).items()
        for name, body in resources.items()
        if body.get("lifecycle", {}).get("prevent_destroy") is True
    )


def _lift_protection(workspace: Workspace, allowed: tuple[str, ...], *, what: str) -> list[str]:
    """Place beside the stack, for this plan, `prevent_destroy = false` for the protected addresses that
    ALLOW_REPLACE names (Terraform refuses the reviewed replacement otherwise); the ones lifted."""
    protected = protected_addresses(json.loads((workspace.stack_dir / "cdk.tf.json").read_text()))
    lifted = [address for address in protected if address in set(allowed)]
    if not lifted:
        return []
    resources: dict[str, dict[str, Any]] = {}
    for address in lifted:
        resource_type, name = address.split(".", 1)
        resources.setdefault(resource_type, {})[name] = {"lifecycle": {"prevent_destroy": False}}
    (workspace.stack_dir / LIFT_FILE).write_text(json.dumps({"resource": resources}, indent=2) + "\n")
    for address in lifted:
        print(f"{what}: lifecycle.prevent_destroy of {address} lifted for this plan (ALLOW_REPLACE)")
    return lifted


_PREVENT_DESTROY = re.compile(r"Resource\s+(\S+)\s+has\s+lifecycle\.prevent_destroy\s+set")


def _explain_protection(error: UserError, env: str, *, command: str) -> UserError:
    """Terraform's refusal to plan the destruction of a protected resource, as what to do about it."""
    refused = list(dict.fromkeys(_PREVENT_DESTROY.findall(str(error))))
    if not refused:
        return error
    return UserError(
        f"the {command} of {env} would destroy resources that lifecycle.prevent_destroy protects "
        "(stacks/protection.py; their data goes with them):\n  "
        + "\n  ".join(refused)
        + f"\nif that is intended, run `make {command} ENV={env} ALLOW_REPLACE={','.join(refused)}`",
        exit_code=error.exit_code,
    )


_MISSING_POLICY = re.compile(r"no matching CloudFront (?:Cache|Origin Request|Response Headers) Policy \(([^)]+)\)")


def _explain_missing_account_policies(error: UserError, env: str) -> UserError:
    """The provider's "no matching CloudFront … Policy (<name>)" when the account stack set's policies,
    which every distribution finds by name (modules/cdn/policies.py), are not there yet."""
    missing = sorted(set(_MISSING_POLICY.findall(str(error))))
    if not missing:
        return error
    return UserError(
        f"the plan of {env} found no CloudFront policy named {', '.join(missing)}: the distribution uses the "
        "account's, which `account-bootstrap` creates (cdn_policies in environments/account.yaml); a person "
        f"runs `make bootstrap ENV=account` first, then `make plan ENV={env}` again",
        exit_code=error.exit_code,
    )


def _emulator_fingerprint(workspace: Workspace, run_target: target.Target) -> dict[str, str]:
    """What an emulator bootstrap was applied from: the bootstrap stack and the emulator (its certificate)."""
    stack_json = workspace.stack_dir / "cdk.tf.json"
    if not stack_json.exists():
        raise UserError(f"{stack_json} is missing: run `make synth` first")
    ca_bundle = Path(run_target.environment["AWS_CA_BUNDLE"])
    return {"stack_sha256": _sha256(stack_json), "emulator_ca_sha256": _sha256(ca_bundle)}


def _summary(plan_json: dict[str, Any]) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "delete": 0, "replace": 0}
    for change in plan_json.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions == ["no-op"] or actions == ["read"]:
            continue
        key = "replace" if len(actions) == 2 else actions[0]
        counts[key] = counts.get(key, 0) + 1
    return counts


def plan(
    settings: Settings,
    env: str,
    region: str,
    revision: Revision | None,
    config: EnvironmentConfig | None = None,
    *,
    timings: Timings | None = None,
    adopt: bool = False,
    name_prefix: str | None = None,
) -> Path:
    """Gate the synthesized JSON and its cost, plan, gate the plan JSON and record what was gated, from which revision.

    After `terraform plan`, planned creates that already exist (orphans of an interrupted apply,
    cli/discovery/orphans.py) fail the plan and leave their import blocks in the work dir; with
    `adopt`, a plan reads those blocks (they are placed beside the stack for that plan only).
    `name_prefix` (`<namespace>-<env>-<service>`) names the stack's resources (default: from its YAML).

    With `config`, the cost estimate, its report and the cost gate (ceiling ≤ burst budget,
    floor ≤ soft budget) run before Terraform; the estimate and reports stay beside the plan.
    Ends with one line of where the time went (`timings`, which may hold earlier steps).
    """
    timings = timings or Timings()
    failed = True
    try:
        plan_file = _plan(settings, env, region, revision, config, timings, adopt, name_prefix)
        failed = False
        return plan_file
    except UserError as error:
        raise _explain_missing_account_policies(_explain_protection(error, env, command="plan"), env) from None
    finally:
        (settings.outdir / "stacks" / env / LIFT_FILE).unlink(missing_ok=True)
        print(timings.summary(f"plan: {env}", failed=failed))


def _plan(
    settings: Settings,
    env: str,
    region: str,
    revision: Revision | None,
    config: EnvironmentConfig | None,
    timings: Timings,
    adopt: bool = False,
    name_prefix: str | None = None,
) -> Path:
    stack_json = settings.outdir / "stacks" / env / "cdk.tf.json"
    reports = ROOT / "reports" / "gate" / env
    (stack_json.parent / LIFT_FILE).unlink(missing_ok=True)  # an interrupted plan's: the gate never scans it
    with timings.step("gate"):
        gate.gate(
            settings.checkov,
            framework="terraform_json",
            targets=[stack_json.parent, stack_json.parent.with_name(bootstrap_stack_name(env))],
            report_dir=reports / "synth",
            require_all_skips_used=False,
            environment=env,
            scan_cache=_scan_cache(settings),
        )
    with timings.step("target"):
        run_target = target.resolve(settings, region)
    if run_target.name == target.AWS:  # before the cost gate and the bootstrap: nothing runs unpinned
        for stack in stack_names(env):
            refuse_unpinned_providers(settings.outdir / "stacks" / stack / "cdk.tf.json", stack)
    print(f"plan: {env} targets {run_target.description}")
    workspace = Workspace(settings, env, run_target)
    cost_record: dict[str, Any] | None = None
    if config is not None:
        from cli.cost import command as cost

        with timings.step("cost gate"):
            estimate = json.loads(cost.gate(settings.outdir, config, workspace.directory).read_text())
        cost_record = {"floor_eur": estimate["floor_eur"], "ceiling_eur": estimate["ceiling_eur"]}
    with timings.step("bootstrap"):  # the plan's synth gate above passed the bootstrap stack too
        state = _bootstrap_outputs(settings, env, run_target, synth_gated=True)
    with timings.step("init"):
        workspace.init(f"kms_key_id={state['state_kms_key_arn']}")
    _lift_protection(workspace, settings.allow_replace, what=f"plan: {env}")
    plan_file = workspace.directory / _PLAN_FILE
    for stale in (plan_file, workspace.directory / _PLAN_JSON, workspace.directory / _PLAN_RECORD):
        stale.unlink(missing_ok=True)
    adopt_file, placed = workspace.directory / ADOPT_FILE, workspace.stack_dir / ADOPT_FILE
    placed.unlink(missing_ok=True)  # an interrupted adopting plan's copy never reaches another plan
    adopted = _place_import_blocks(env, adopt_file, placed) if adopt else []
    try:
        with timings.step("plan"):
            workspace.terraform(*plan_arguments(plan_file, lock=settings.plan_lock), capture=True)
    finally:
        placed.unlink(missing_ok=True)  # the saved plan holds the configuration it was made with
    plan_json_path = workspace.directory / _PLAN_JSON
    with timings.step("show"):
        plan_json_path.write_text(workspace.terraform("show", "-json", "-no-color", str(plan_file), capture=True))
    print_diff(f"plan: {env}", json.loads(plan_json_path.read_text()))
    with timings.step("orphans"):
        _refuse_orphans(
            json.loads(plan_json_path.read_text()),
            env=env,
            region=region,
            run_target=run_target,
            name_prefix=name_prefix or _name_prefix(env),
            adopt_file=adopt_file,
            adopted=adopted,
            discard=(plan_file, plan_json_path),
        )
    secret_scan.refuse_secrets([plan_json_path], what=f"the plan JSON of {env}")
    plan_guard.refuse_stateful_replacements(json.loads(plan_json_path.read_text()), env, settings.allow_replace)
    with timings.step("plan gate"):
        gate.gate(
            settings.checkov,
            framework="terraform_plan",
            targets=[plan_json_path],
            report_dir=reports / "plan",
            require_all_skips_used=False,
            environment=env,
            scan_cache=_scan_cache(settings),
        )
    counts = _summary(json.loads(plan_json_path.read_text()))
    imports = _imports(json.loads(plan_json_path.read_text()))
    record = {
        "environment": env,
        "target": run_target.name,
        "stack_sha256": _sha256(stack_json),
        "plan_sha256": _sha256(plan_file),
        "revision": revision.commit if revision else None,
        "revision_dirty": revision.dirty if revision else None,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "gate": "passed",
        "changes": counts,
        "imports": imports,
        "cost": cost_record,
    }
    (workspace.directory / _PLAN_RECORD).write_text(json.dumps(record, indent=2) + "\n")
    if revision and revision.dirty:
        print(f"plan: {env}: the working tree has uncommitted changes: `make apply` will refuse this plan")
    print(
        f"plan: {env} on {run_target.name}: {counts['create']} to add, {counts['update']} to change, "
        f"{counts['delete']} to destroy, {counts['replace']} to replace"
        + (f", {len(imports)} to import" if imports else "")
        + f"; saved {plan_file}"
    )
    return plan_file


def plan_arguments(plan_file: Path, *, lock: bool) -> list[str]:
    """`terraform plan` saving to `plan_file`; without `lock` (a pull request's plan) no state lock is taken."""
    return ["plan", "-input=false", f"-lock={'true' if lock else 'false'}", "-no-color", f"-out={plan_file}"]


def _name_prefix(env: str) -> str:
    """`<namespace>-<env>-<service>`, the prefix of the stack set's resource names (`Context.id`)."""
    from cli.config_files import load_account, load_environment

    config = load_account() if env == "account" else load_environment(env)
    return f"{config.namespace}-{env}-{config.service}"


def _imports(plan_json: dict[str, Any]) -> list[str]:
    return sorted(c["address"] for c in plan_json.get("resource_changes", []) if c["change"].get("importing"))


def _place_import_blocks(env: str, adopt_file: Path, placed: Path) -> list[dict[str, str]]:
    """IMPORT=yes: the import blocks the last plan wrote go beside the stack for this plan."""
    if not adopt_file.exists():
        print(f"plan: {env}: IMPORT=yes, but no earlier plan found resources to adopt ({adopt_file} is absent)")
        return []
    blocks: list[dict[str, str]] = json.loads(adopt_file.read_text()).get("import", [])
    print(f"plan: {env}: adopting {len(blocks)} existing resource(s) with the import blocks of {adopt_file}:")
    for block in blocks:
        print(f"  {block['to']} ← {block['id']}")
    placed.write_text(adopt_file.read_text())
    return blocks


def _refuse_orphans(
    plan_json: dict[str, Any],
    *,
    env: str,
    region: str,
    run_target: target.Target,
    name_prefix: str,
    adopt_file: Path,
    adopted: list[dict[str, str]],
    discard: tuple[Path, ...],
) -> None:
    """Fail the plan when resources it would create already exist (read-only look-ups of the target),
    writing the adoptable ones' import blocks to `adopt_file` (after the `adopted` ones this plan
    used); without any, `adopt_file` goes."""
    from cli.discovery import orphans
    from cli.discovery.aws import client_config

    config = client_config()
    found = orphans.find(
        plan_json,
        env=env,
        prefix=name_prefix,
        home_region=region,
        clients=lambda where: lambda service: target.client(run_target, service, where, config),
    )
    for gap in found.gaps:
        print(f"plan: {env}: could not look for existing resources with {gap.action}: {gap.message}")
    if not found.orphans:
        adopt_file.unlink(missing_ok=True)
        return
    for path in discard:
        path.unlink(missing_ok=True)
    if found.adoptable or adopted:
        adopt_file.write_text(orphans.render_json(found.orphans, environment=env, kept=adopted))
    else:
        adopt_file.unlink(missing_ok=True)
    where = "the emulator" if run_target.is_emulator else f"AWS ({region})"
    raise UserError(orphans.describe(found, env=env, where=where, adopt_file=str(adopt_file), adopting=bool(adopted)))


def _refuse_other_revision(env: str, record: dict[str, Any], revision: Revision | None) -> None:
    """The plan applies only on the clean revision it was made from (skipped outside a git repository)."""
    again = f"run `make plan ENV={env}` again"
    planned = record.get("revision")
    if revision is None and planned is None:
        print(f"apply: {env}: not a git repository, so the plan's revision is not checked")
        return
    if record.get("revision_dirty"):
        raise UserError(
            f"the saved plan of {env} was made from uncommitted changes on {str(planned)[:12]}: "
            f"commit them, then {again}"
        )
    if revision is None or planned != revision.commit:
        now = revision.commit[:12] if revision else "no git revision"
        raise UserError(
            f"the working tree is at {now} but the saved plan of {env} was made at {str(planned)[:12]}: {again}"
        )
    if revision.dirty:
        raise UserError(
            f"the working tree differs from the saved plan's revision {revision.commit[:12]} (uncommitted changes): "
            f"commit or stash them, then {again}"
        )


def _check_saved_plan(settings: Settings, env: str, workspace: Workspace, revision: Revision | None) -> None:
    """Every reason to refuse a saved plan, each with what to do instead."""
    plan_file, record_file = workspace.directory / _PLAN_FILE, workspace.directory / _PLAN_RECORD
    if not plan_file.exists() or not record_file.exists():
        raise UserError(f"no saved plan of {env} for {workspace.target.name}: run `make plan ENV={env}` first")
    record = json.loads(record_file.read_text())
    stack_json = workspace.stack_dir / "cdk.tf.json"
    if record.get("gate") != "passed":
        raise UserError(f"the saved plan of {env} did not pass the policy gate: run `make plan ENV={env}` again")
    if record["plan_sha256"] != _sha256(plan_file):
        raise UserError(f"the saved plan of {env} was modified after it was gated: run `make plan ENV={env}` again")
    _refuse_other_revision(env, record, revision)
    if not stack_json.exists() or record["stack_sha256"] != _sha256(stack_json):
        raise UserError(f"the saved plan of {env} is stale (the code changed since): run `make plan ENV={env}` again")
    created = datetime.datetime.fromisoformat(record["created_at"])
    age = datetime.datetime.now(datetime.UTC) - created
    if age > datetime.timedelta(minutes=settings.plan_max_age_minutes):
        raise UserError(
            f"the saved plan of {env} is {int(age.total_seconds() // 60)} minutes old (limit "
            f"{settings.plan_max_age_minutes}): run `make plan ENV={env}` again"
        )


def state_client(run_target: target.Target, region: str) -> Any:
    """An S3 client of the target: the emulator's (its endpoint, certificate, test keys) or AWS's."""
    return target.client(run_target, "s3", region)


ERRORED_STATE = "errored.tfstate"
"""What Terraform writes beside the stack when it cannot save the state to its backend."""


def keep_errored_state(errored: Path, client: Any, bucket: str, state_key: str, kms_key_arn: str) -> str:
    """Move the state Terraform could not save (expired credentials, an unreachable bucket) from the
    runner's disk, which a CI job throws away, into the state bucket beside the state, encrypted with
    the state's key; the message says where it went and how to restore it."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    key = f"{state_key.rsplit('/', 1)[0]}/errored/{stamp}.tfstate"
    client.put_object(
        Bucket=bucket,
        Key=key,
        Body=errored.read_bytes(),
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=kms_key_arn,
        ContentType="application/json",
    )
    errored.unlink()
    return (
        f"Terraform could not save the state to s3://{bucket}/{state_key}; the state it holds is kept in "
        f"s3://{bucket}/{key} (encrypted with the state's key; removed from this machine). Restore it before "
        f"anything else runs: download it, then `terraform state push` it in the stack's folder "
        "(docs/delivery.md)"
    )


def apply(settings: Settings, env: str, region: str, revision: Revision | None) -> None:
    """Apply the saved plan of `env`, only if it is the gated, current one for this target and revision."""
    run_target = target.resolve(settings, region)
    workspace = Workspace(settings, env, run_target)
    _check_saved_plan(settings, env, workspace, revision)
    plan_file, record_file = workspace.directory / _PLAN_FILE, workspace.directory / _PLAN_RECORD
    print(f"apply: {env} targets {run_target.description}")
    if not (workspace.directory / ".terraform").exists():  # a fresh CI runner: the plan came as an artifact
        workspace.init(f"kms_key_id={_bootstrap_outputs(settings, env, run_target)['state_kms_key_arn']}")
    commit = revision.commit if revision else None
    history = RevisionRecord.of_stack(workspace.stack_dir / "cdk.tf.json", state_client(run_target, region))
    before = history.attempt(commit)
    print(
        f"apply: {env}: last successful revision {before.get('current') or 'none'} recorded in "
        f"s3://{history.bucket}/{history.key} (undo with `make rollback ENV={env} TO=previous`)"
    )
    try:
        workspace.terraform("apply", "-input=false", "-no-color", str(plan_file))
    except UserError as failed:
        errored, location = workspace.stack_dir / ERRORED_STATE, workspace.state_location()
        if not errored.exists() or location is None:
            raise
        kms_key_arn = _bootstrap_outputs(settings, env, run_target)["state_kms_key_arn"]
        kept = keep_errored_state(errored, history.client, *location, kms_key_arn)
        raise UserError(f"{failed}\n{kept}", exit_code=failed.exit_code) from None
    history.succeeded(commit)
    record_file.unlink()  # a saved plan applies once
    plan_file.unlink()


def _without_empties(value: Any) -> Any:
    """`value` with null, "", [] and {} (at any depth) made one, and JSON documents parsed: the
    provider reads an unset attribute back as any kind of empty, and a policy in another layout;
    neither is a change anybody made."""
    if isinstance(value, dict):
        kept = {key: _without_empties(item) for key, item in value.items()}
        kept = {key: item for key, item in kept.items() if item is not None}
        return kept or None
    if isinstance(value, list):
        items = [_without_empties(item) for item in value]
        return items if any(item is not None for item in items) else None
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return _without_empties(json.loads(value))  # a policy document: its meaning, not its layout
        except json.JSONDecodeError:
            return value
    return None if value == "" else value


def _changed_attributes(before: Any, after: Any) -> list[str]:
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return sorted(
        key
        for key in before.keys() | after.keys()
        if _without_empties(before.get(key)) != _without_empties(after.get(key))
    )


def ignored_changes(stack_json: dict[str, Any]) -> dict[str, frozenset[str]]:
    """Per resource address, the top-level attributes its `lifecycle.ignore_changes` leaves to others
    (autoscaling and scheduled actions own a target's capacity); `all` stands for every attribute."""
    ignored: dict[str, frozenset[str]] = {}
    for resource_type, resources in stack_json.get("resource", {}).items():
        for name, body in resources.items():
            attributes = body.get("lifecycle", {}).get("ignore_changes", [])
            if attributes == "all":
                attributes = ["all"]
            if attributes:
                ignored[f"{resource_type}.{name}"] = frozenset(re.split(r"[.\[]", a, maxsplit=1)[0] for a in attributes)
    return ignored


_META_ARGUMENTS = frozenset({"count", "depends_on", "for_each", "lifecycle", "provider", "provisioner", "connection"})


def configured_attributes(stack_json: dict[str, Any]) -> dict[str, frozenset[str]]:
    """Per resource address, the attributes its configuration sets: what a change outside Terraform
    can undo. The rest is AWS's to compute (a database's `latest_restorable_time`, a role's
    `inline_policy` made of separate policy resources)."""
    return {
        f"{resource_type}.{name}": frozenset(body) - _META_ARGUMENTS
        for resource_type, resources in stack_json.get("resource", {}).items()
        for name, body in resources.items()
    }


@dataclass(frozen=True)
class StackAttributes:
    """What a stack's configuration says of its resources' attributes, by address: those it sets
    (`configured`; an address not listed counts all of its attributes) and those it leaves to others
    (`ignored`)."""

    configured: Mapping[str, frozenset[str]] = field(default_factory=dict)
    ignored: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, stack_json: dict[str, Any]) -> StackAttributes:
        return cls(configured=configured_attributes(stack_json), ignored=ignored_changes(stack_json))


def drift_summary(plan_json: dict[str, Any], stack: StackAttributes | None = None) -> tuple[list[str], list[str]]:
    """One line per resource whose real state differs from the recorded one in what its configuration
    sets, and one per resource whose only differences are attributes the configuration leaves to
    others: not drift."""
    stack = stack or StackAttributes()
    drifted_lines, ignored_lines = [], []
    for drifted in plan_json.get("resource_drift", []):
        change, address = drifted["change"], drifted["address"]
        if change["actions"] == ["delete"] or change.get("after") is None:
            drifted_lines.append(f"{address}: deleted outside Terraform")
            continue
        attributes = _changed_attributes(change.get("before"), change.get("after"))
        if address in stack.configured:
            attributes = [a for a in attributes if a in stack.configured[address]]
        if not attributes:
            continue  # only what AWS computes, or empty values read back in another form
        left_to_others = stack.ignored.get(address, frozenset())
        real = [a for a in attributes if a not in left_to_others and "all" not in left_to_others]
        if not real:
            ignored_lines.append(f"{address}: {', '.join(attributes)}")
            continue
        drifted_lines.append(f"{address}: {', '.join(real)} changed outside Terraform")
    return drifted_lines, ignored_lines


def drift(settings: Settings, env: str, region: str) -> None:
    """A refresh-only plan: raises with a summary when the real infrastructure differs from the state."""
    run_target = target.resolve(settings, region)
    print(f"drift: {env} targets {run_target.description}")
    state = _bootstrap_outputs(settings, env, run_target)
    workspace = Workspace(settings, env, run_target)
    workspace.init(f"kms_key_id={state['state_kms_key_arn']}")
    drift_plan = workspace.directory / _DRIFT_PLAN
    completed = workspace.run(
        "plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-lock=false", "-no-color",
        f"-out={drift_plan}", capture=True, ok=(0, 2),
    )  # fmt: skip
    if completed.returncode == 0:
        drift_plan.unlink(missing_ok=True)
        print(f"drift: {env} matches its state: no drift")
        return
    lines, left_to_others = drift_summary(
        json.loads(workspace.terraform("show", "-json", "-no-color", str(drift_plan), capture=True)),
        StackAttributes.of(json.loads((workspace.stack_dir / "cdk.tf.json").read_text())),
    )
    drift_plan.unlink(missing_ok=True)
    if left_to_others:
        print(
            f"drift: {env}: changed by what the configuration leaves to autoscaling and scheduled actions "
            "(lifecycle.ignore_changes), not drift:\n  " + "\n  ".join(left_to_others)
        )
    if not lines:
        print(f"drift: {env} matches its state: no drift")
        return
    raise UserError(
        f"drift: {len(lines)} resource(s) of {env} differ from their Terraform state:\n  "
        + "\n  ".join(lines)
        + f"\nrun `make plan ENV={env}` to see what an apply would restore",
        exit_code=3,
    )


def unlock(settings: Settings, env: str, region: str, lock_id: str) -> None:
    """Release the stale state lock `lock_id` of `env` (`terraform force-unlock`), only if it is the
    current lock and its holder does not still run on this machine (cli/state_lock.py)."""
    if not lock_id.strip():
        raise UserError(
            f"name the lock to release: make unlock ENV={env} LOCK_ID=<the lock ID a plan or apply printed>",
            exit_code=2,
        )
    run_target = target.resolve(settings, region)
    workspace = Workspace(settings, env, run_target)
    if not (workspace.stack_dir / "cdk.tf.json").exists():
        raise UserError(f"{workspace.stack_dir / 'cdk.tf.json'} is missing: run `make synth` first")
    location = workspace.state_location()
    if location is None:
        raise UserError(f"stack {env} keeps its state locally: there is no state lock to release")
    lock_object = workspace.lock_object()
    print(f"unlock: {env} targets {run_target.description}")
    lock, unreadable = state_lock.read(state_client(run_target, region), *location)
    if unreadable is None:
        holders = state_lock.live_holders(lock, workspace.stack_dir, workspace.data_dir) if lock else []
        state_lock.check_release(lock, lock_id, env=env, lock_object=lock_object, holders=holders)
        assert lock is not None
        if holders is None:
            print(
                f"unlock: {env}: lock {lock.id} was taken by {lock.who or 'an unknown holder'}, not by this machine "
                "(whose processes it can see): releasing it because you named it"
            )
    else:
        print(f"unlock: {env}: could not read {lock_object} ({unreadable}); Terraform checks the id itself")
    state = _bootstrap_outputs(settings, env, run_target)
    workspace.init(f"kms_key_id={state['state_kms_key_arn']}")
    completed = workspace.run("force-unlock", "-force", "-no-color", "--", lock_id, capture=True, ok=(0, 1))
    if completed.returncode != 0:
        current = state_lock.parse(completed.stderr)
        if current is not None and current.id != lock_id:
            raise UserError(f"LOCK_ID={lock_id} is not the lock on the state of {env}: the lock is {current.id}")
        if "NoSuchKey" in completed.stderr or "StatusCode: 404" in completed.stderr:
            raise UserError(f"there is no lock on the state of {env} ({lock_object}): nothing to release")
        raise UserError(f"terraform force-unlock of {env} failed: {completed.stderr.strip()[-2000:]}")
    held = f" (held by {lock.who} since {lock.since()}; operation {lock.operation_name})" if lock else ""
    print(f"unlock: released lock {lock_id} of {env}{held}")
    print(
        f"unlock: next, `make plan ENV={env}`: it finds what the interrupted run created but did not record, "
        "and offers to adopt it"
    )


def destroy(settings: Settings, env: str, region: str, confirmation: str) -> None:
    """Destroy the stack set's stack (the state bucket stays), only with CONFIRM=<its name>: every
    environment shares the account, and dev's data is someone's work too. A stack whose stateful
    resources carry `lifecycle.prevent_destroy` (prod's, stacks/protection.py) is refused before
    anything runs: Terraform would refuse it too, in its own words."""
    if confirmation != env:  # first: a missing confirmation is refused without reading anything
        named = f" (CONFIRM={confirmation} names another)" if confirmation else ""
        raise UserError(
            f"refusing to destroy {env}{named}: run `make destroy ENV={env} CONFIRM={env}` if you really mean it"
        )
    refuse_protected_destroy(settings.outdir / "stacks" / env / "cdk.tf.json", env)
    run_target = target.resolve(settings, region)
    print(f"destroy: {env} targets {run_target.description}")
    state = _bootstrap_outputs(settings, env, run_target)
    workspace = Workspace(settings, env, run_target)
    workspace.init(f"kms_key_id={state['state_kms_key_arn']}")
    workspace.terraform("destroy", "-input=false", "-auto-approve", "-lock=true", "-no-color")


def refuse_protected_destroy(stack_json: Path, env: str) -> None:
    """Raise `UserError` naming the protected addresses when the stack holds any."""
    if not stack_json.exists():
        raise UserError(f"{stack_json} is missing: run `make synth` first")
    protected = protected_addresses(json.loads(stack_json.read_text()))
    if protected:
        raise UserError(
            f"refusing to destroy {env}: {len(protected)} of its resources hold data and carry "
            "lifecycle.prevent_destroy (stacks/protection.py), so Terraform would refuse too:\n  "
            + "\n  ".join(protected)
            + f"\n{env} is retired by a reviewed change that lifts that protection, never by `make destroy`"
        )
