"""Shared fixtures: a synthesized copy of every stack, a scratch copy of the repository,
and a local AWS emulator started (and stopped) by the tests themselves."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import scheduling

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# The jsii kernel of this process (in-process synthesis, tests that build constructs) uses the
# project's warm cache, as `main.py` does.
os.environ.setdefault("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(REPO / ".cache" / "jsii"))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
_COPIED = (
    "main.py",
    "README.md",
    "cdktf.json",
    "Makefile",
    "requirements.txt",
    "requirements-checkov.txt",
    "cli",
    "environments",
    "functions",
    "modules",
    "stacks",
    "policies",
    "scripts",
)


def run(
    args: list[str], *, cwd: Path = REPO, env: dict[str, str] | None = None, inherit: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command the way a user would; `env` adds to this process's environment, or replaces it."""
    environment = {**os.environ, **(env or {})} if inherit else dict(env or {})
    environment.setdefault("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(REPO / ".cache" / "jsii"))
    return subprocess.run(args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout, check=False)


def _code_digest(root: Path) -> str:
    """sha256 of what every stack set's synthesis shares (`cli.synth.shared_inputs`): equal digests,
    equal code, whatever the YAML files say."""
    from cli import synth

    digest = hashlib.sha256()
    for path in sorted(synth.shared_inputs(root)):
        digest.update(f"{path.relative_to(root)}\n".encode())
        digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()


@functools.cache
def _repository_code_digest() -> str:
    return _code_digest(REPO)


def synthesize(
    outdir: Path, *extra: str, cwd: Path = REPO, in_process: bool | None = None
) -> dict[str, dict[str, Any]]:
    """`python main.py --outdir OUTDIR EXTRA…` in `cwd`; every stack in `outdir` afterwards.

    Where `cwd` holds this repository's code (a copy whose YAML files differ, say), the synthesis
    runs in this process by default (`in_process=None`): the same `cli.synth.main`, the same bytes
    (tests/synth/test_fast_synth.py checks it) without starting an interpreter and a jsii kernel
    (~4 s). `in_process=False` runs `main.py` as a user does."""
    if in_process is None:
        in_process = _code_digest(cwd) == _repository_code_digest()
    if in_process:
        from cli import synth

        assert synth.main(["--outdir", str(outdir), *extra], root=cwd) == 0
    else:
        result = run([PYTHON, "main.py", "--outdir", str(outdir), *extra], cwd=cwd)
        assert result.returncode == 0, result.stderr
    return _read_stacks(outdir)


def _read_stacks(outdir: Path) -> dict[str, dict[str, Any]]:
    return {path.parent.name: json.loads(path.read_text()) for path in sorted(outdir.glob("stacks/*/cdk.tf.json"))}


def session_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's temporary folder, shared by every xdist worker of the run (each has a subfolder)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def once_per_session(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Path, bool]]:
    """A folder `name` of the whole run, and whether it still needs building: the first worker to
    get here builds it while holding a lock; the others wait, then reuse it. A failed build is
    retried by the next worker (and fails there the same way)."""
    shared = session_directory(tmp_path_factory)
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        folder, done = shared / name, shared / f"{name}.done"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        yield folder, not done.exists()
        done.touch()


@pytest.fixture(scope="session")
def synthesized_outdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`cdktf.out` of every shipped stack set, synthesized (`main.py --force`) once per test run and
    shared by every worker: read it, never write into it (copy it first)."""
    with once_per_session(tmp_path_factory, "synth") as (folder, build):
        if build:
            synthesize(folder / "cdktf.out", "--force", in_process=False)
    return folder / "cdktf.out"


@pytest.fixture(scope="session")
def stacks(synthesized_outdir: Path) -> dict[str, dict[str, Any]]:
    """Every stack of every shipped environment, synthesized once per test run."""
    return _read_stacks(synthesized_outdir)


VARIANT_REASON = "a scratch copy for a test: its environment files are variants with budgets of their own"


def copy_repository(copy: Path) -> Path:
    """Copy the sources (not outputs, caches or virtual environments) to `copy`.

    A test writes variants of the environment files (a `dev.yaml` without `budget:` has prod's), so
    the copy's account says why its total may be below their soft budgets added up; the shipped
    files' sum is checked by tests/cost/test_shipped.py and tests/unit/test_shared_account.py."""
    copy.mkdir(parents=True)
    for name in _COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    account = copy / "environments" / "account.yaml"
    if account.exists():
        data = yaml.safe_load(account.read_text()) or {}
        data.setdefault("budget", {})["below_environments_reason"] = VARIANT_REASON
        account.write_text(yaml.safe_dump(data, sort_keys=False))
    return copy


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A scratch copy of the sources, so a test can break a YAML file without touching ours."""
    return copy_repository(tmp_path / "repo")


def resources(stack: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return dict(stack.get("resource", {}).get(resource_type, {}))


def only(stack: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = list(resources(stack, resource_type).values())
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]


@dataclass(frozen=True)
class PurposeKey:
    """The KMS key a module's data uses, and the key-policy statements that module's services got.

    With `encryption.keys: per-environment` (dev, staging) that is the environment's one key and
    its statements prefixed with the purpose (`CacheServicesEncryptWithKey`); `statements` are
    keyed without the prefix, so a test reads the same grants whichever key holds them.
    """

    name: str
    body: dict[str, Any]
    statements: dict[str, dict[str, Any]]
    shared: bool

    @property
    def arn(self) -> str:
        return f"${{aws_kms_key.{self.name}.arn}}"


def purpose_key(stack: dict[str, Any], purpose: str) -> PurposeKey:
    """`purpose`: the construct path of a module's dedicated key, e.g. `database/key/key`, `cdn/log_key/key`."""
    keys = resources(stack, "aws_kms_key")
    by_path = {body["//"]["metadata"]["path"].split("/", 1)[1]: name for name, body in keys.items()}
    if purpose in by_path:
        name = by_path[purpose]
        statements = {s["Sid"]: s for s in json.loads(keys[name]["policy"])["Statement"]}
        return PurposeKey(name, keys[name], statements, shared=False)
    name = by_path["key/key"]
    module = purpose.split("/")[0]
    prefix = {"cdn/log_key/key": "CdnLogs", "cdn/assets_key/key": "CdnAssets"}.get(purpose, module.capitalize())
    statements = {
        s["Sid"].removeprefix(prefix): s
        for s in json.loads(keys[name]["policy"])["Statement"]
        if s["Sid"].startswith(prefix) or s["Sid"] == "AccountRootAdministersKey"
    }
    return PurposeKey(name, keys[name], statements, shared=True)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup` (`make test`): the tests of a module that use one of its
    module-scoped fixtures (an emulator, a synthesized variant) run on one worker, so that the
    fixture is built once; an explicit `xdist_group` mark wins."""
    for item in items:
        fixture_info = getattr(item, "_fixtureinfo", None)
        if fixture_info is None or item.get_closest_marker("xdist_group") is not None:
            continue
        scopes = {definitions[-1].scope for definitions in fixture_info.name2fixturedefs.values() if definitions}
        if "module" in scopes:
            item.add_marker(pytest.mark.xdist_group(f"module:{item.nodeid.split('::')[0]}"))


class _IntegrationFirst:
    """Under xdist: the longest modules, then the other integration tests (minutes each) are handed
    out first and the quick ones fill the workers' last minutes, whatever order the modules were
    shuffled into (`.ci/run`; tests/scheduling.py)."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items.sort(key=scheduling.handing_order)  # stable


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the workers collect; each sorts the same way
        config.pluginmanager.register(_IntegrationFirst(), "integration-first")
    elif config.pluginmanager.hasplugin("xdist") and getattr(config.option, "dist", "no") == "loadgroup":
        config.pluginmanager.register(scheduling.HandOutTheLongestFirst(), "longest-first")
