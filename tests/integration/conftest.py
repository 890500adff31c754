"""Integration fixtures: a scratch repository whose CLI runs real terraform against a local
AWS emulator that the CLI starts on 127.0.0.1 and these fixtures stop."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from cli import emulator
from cli.settings import Settings
from tests.conftest import PYTHON, REPO, copy_repository, run

pytestmark = pytest.mark.integration

_CREDENTIALS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_ENDPOINT_URL",
    "CI",
    "AUTOSCALE_TARGET",
)


def emulator_client(running: emulator.Emulator, service: str, region: str = "eu-central-1") -> Any:
    """A boto3 client of the emulator, trusting its certificate, with its test credentials."""
    return boto3.client(
        service,
        endpoint_url=running.endpoint,
        verify=str(running.ca_bundle),
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@dataclass
class Workbench:
    """A copy of the repository with its own output, working folder, emulator and HOME."""

    root: Path
    env: dict[str, str]

    def cli(self, *args: str, extra_env: dict[str, str] | None = None) -> Any:
        return run([PYTHON, "-m", "cli", *args], cwd=self.root, env={**self.env, **(extra_env or {})}, inherit=False)

    def synth(self, *args: str) -> Any:
        result = run([PYTHON, "main.py", *args], cwd=self.root, env=self.env, inherit=False)
        assert result.returncode == 0, result.stderr
        return result

    @property
    def emulator_dir(self) -> Path:
        return Path(self.env["AUTOSCALE_EMULATOR_DIR"])

    def emulator(self) -> emulator.Emulator:
        running = emulator.running(self.emulator_dir)
        assert running is not None, "the CLI should have started the emulator"
        return running

    def client(self, service: str) -> Any:
        return emulator_client(self.emulator(), service)


def make_workbench(root: Path, home: Path) -> Workbench:
    home.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key not in _CREDENTIALS}
    env.update(
        {
            "HOME": str(home),
            "AUTOSCALE_WORK_DIR": str(root / ".work"),
            "AUTOSCALE_EMULATOR_DIR": str(root / ".emulator"),
            "AUTOSCALE_CHECKOV": str(Settings.from_environment().checkov),
            "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(REPO / ".cache" / "jsii"),
        }
    )
    return Workbench(root=root, env=env)


def new_workbench(tmp_path_factory: pytest.TempPathFactory, name: str) -> Workbench:
    """A fresh copy of the repository (under a temporary folder named `name`) and its workbench."""
    root = copy_repository(tmp_path_factory.mktemp(name) / "repo")
    return make_workbench(root, root.parent / "home")


@pytest.fixture(scope="module")
def workbench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    bench = new_workbench(tmp_path_factory, "workbench")
    yield bench
    emulator.stop(bench.emulator_dir)


def git(root: Path, *args: str) -> str:
    """`git -C root …`; its output, stripped."""
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout.strip()


def commit_everything(bench: Workbench, message: str) -> None:
    """Make the workbench's copy a git repository of one commit, ignoring what a clone ignores."""
    shutil.copy2(REPO / ".gitignore", bench.root / ".gitignore")  # the linked virtual environments stay out
    git(bench.root, "init", "--quiet", "--initial-branch=main")
    git(bench.root, "config", "user.email", "ci@example.invalid")
    git(bench.root, "config", "user.name", "tests")
    git(bench.root, "add", "-A")
    git(bench.root, "commit", "--quiet", "-m", message)


def plan_counts(stdout: str) -> tuple[int, int, int, int]:
    """(add, change, destroy, replace) from the summary line `make plan` prints."""
    found = re.search(r"(\d+) to add, (\d+) to change, (\d+) to destroy, (\d+) to replace", stdout)
    assert found, stdout
    add, change, destroy, replace = (int(group) for group in found.groups())
    return add, change, destroy, replace


def make_ready_repository(tmp_path: Path) -> Workbench:
    """A copy of the repository whose `make` targets reuse this run's virtual environments."""
    root = copy_repository(tmp_path / "repo")
    for venv in (".venv", ".venv-checkov"):
        (root / venv).symlink_to(REPO / venv)  # installed by this run's `make setup`
    (root / ".cache" / "jsii").mkdir(parents=True)
    (root / ".cache" / "jsii" / ".warm").touch()
    return make_workbench(root, tmp_path / "home")


def state_versions(bench: Workbench, bucket: str, key: str) -> list[dict[str, Any]]:
    listing = bench.client("s3").list_object_versions(Bucket=bucket, Prefix=key)
    return [v for v in listing.get("Versions", []) if v["Key"] == key]


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())


def local_state_terraform(
    running: emulator.Emulator, stack_dir: Path, tmp_path: Path, region: str = "eu-central-1"
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """A synthesized stack, its backend swapped for local state (no state bucket, no minute-long
    wait), `terraform init`-ed against the emulator; returns a runner of `terraform <args>`."""
    stack = json.loads((stack_dir / "cdk.tf.json").read_text())
    stack["terraform"]["backend"] = {"local": {"path": str(tmp_path / "terraform.tfstate")}}
    (stack_dir / "cdk.tf.json").write_text(json.dumps(stack))
    env = {
        **emulator.isolated_environment(running.terraform_environment(region)),
        "TF_DATA_DIR": str(tmp_path / ".terraform"),
        "TF_IN_AUTOMATION": "1",
    }

    def terraform(*args: str) -> subprocess.CompletedProcess[str]:
        return run(["terraform", *args, "-no-color"], cwd=stack_dir, env=env, inherit=False)

    plugin_dir = env.get("TF_PLUGIN_DIR")
    initialized = terraform("init", "-input=false", *([f"-plugin-dir={plugin_dir}"] if plugin_dir else []))
    assert initialized.returncode == 0, initialized.stderr
    return terraform


def apply_account_policies(running: emulator.Emulator, synthesized_outdir: Path, work: Path) -> dict[str, str]:
    """The account's CloudFront policies, which every environment's distribution finds by name, applied
    from the shipped `account-bootstrap` as a person's `make bootstrap ENV=account` creates them (only
    them, `-target`: the rest is the state bucket's, with its minute-long lifecycle wait); their ids
    by output name. A test that applies or plans an environment's stack with terraform alone needs them."""
    stack_dir = Path(shutil.copytree(synthesized_outdir / "stacks" / "account-bootstrap", work / "account-bootstrap"))
    stack = json.loads((stack_dir / "cdk.tf.json").read_text())
    policies = [
        f"{kind}.{name}"
        for kind, bodies in stack["resource"].items()
        if kind.startswith("aws_cloudfront_")
        for name in bodies
    ]
    assert len(policies) == 4, policies
    terraform = local_state_terraform(running, stack_dir, work)
    applied = terraform("apply", "-input=false", "-auto-approve", *(f"-target={address}" for address in policies))
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr
    outputs = json.loads(terraform("output", "-json").stdout)
    return {name: output["value"] for name, output in outputs.items() if name.startswith("cdn_")}


@dataclass(frozen=True)
class PoliciesEmulator:
    """An emulator holding the account's CloudFront policies, and their ids by output name."""

    running: emulator.Emulator
    policies: dict[str, str]


@pytest.fixture(scope="module")
def emulator_with_account_policies(
    tmp_path_factory: pytest.TempPathFactory, synthesized_outdir: Path
) -> Iterator[PoliciesEmulator]:
    """A module's own emulator for terraform-only tests of an environment's stack (its distribution
    finds the account's CloudFront policies by name)."""
    directory = tmp_path_factory.mktemp("emulator")
    started = emulator.start(directory)
    try:
        yield PoliciesEmulator(
            started, apply_account_policies(started, synthesized_outdir, tmp_path_factory.mktemp("account"))
        )
    finally:
        emulator.stop(directory)


def plan_with_local_state(
    running: emulator.Emulator, stack_dir: Path, tmp_path: Path, region: str
) -> list[dict[str, Any]]:
    """The resource changes of a plan of the stack with local state against the emulator."""
    terraform = local_state_terraform(running, stack_dir, tmp_path, region)
    plan_file = tmp_path / "plan"
    plan = terraform("plan", "-input=false", f"-out={plan_file}")
    assert plan.returncode == 0, plan.stderr
    changes: list[dict[str, Any]] = json.loads(terraform("show", "-json", str(plan_file)).stdout)["resource_changes"]
    return changes
