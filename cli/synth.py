"""`python main.py`: synthesize every environment (or `--env` ones) into `cdktf.out/`.

Fast by construction (see docs/fast-synth.md): each stack set (an environment, or the account)
is skipped when the content hash of everything that shapes it is unchanged; the changed ones are
synthesized in one process, loading only the binding modules used, and the process exits without
tearing them down. Output is written only after every changed set validated and synthesized.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cli import jsii_cache
from cli.settings import ROOT
from environments.names import STACK_SETS
from modules.lambda_service.package import PLACEHOLDER_PACKAGE_FILE
from stacks.names import stack_names

if TYPE_CHECKING:
    from cli.packages import BuiltPackage
    from environments.schema import EnvironmentConfig

# The project's jsii package cache (unless JSII_RUNTIME_PACKAGE_CACHE_ROOT names another) and the
# directly started kernel (cli/jsii_cache.py).
JSII_CACHE = ROOT / ".cache" / "jsii"
JSII_KERNEL = ROOT / ".cache" / "jsii-runtime"
# One record per stack set: `<outdir>/.inputs/<set>.sha256` (see `stack_set_inputs`).
_HASH_DIR = ".inputs"
_PLACEHOLDER_HANDLER = """\
\"\"\"Placeholder of a function whose code the build pipeline has not deployed yet.\"\"\"


def handler(event, context):
    if isinstance(event, dict) and event.get("warmup"):
        return {"warm": True}
    return {"statusCode": 503, "body": "not deployed yet"}
"""
_INPUT_FILES = (
    "main.py",
    "cdktf.json",
    "requirements.txt",
    "cli/synth.py",
    "cli/config_files.py",
    "cli/jsii_cache.py",
    "cli/packages.py",
)
# functions: the packages built from the repository (no price: a report quotes prices, the plan does not)
_INPUT_DIRS = ("environments", "modules", "stacks", "functions")


def _set_file(root: Path, stack_set: str) -> Path:
    return root / "environments" / f"{stack_set}.yaml"


def shared_inputs(root: Path = ROOT) -> list[Path]:
    """The files that shape every stack set: code, pins, and everything in `environments/`
    but the stack sets' own YAML files (a YAML file of no stack set counts as shared)."""
    own = {_set_file(root, stack_set) for stack_set in STACK_SETS}
    paths = [root / name for name in _INPUT_FILES]
    for directory in _INPUT_DIRS:
        paths.extend(
            p for p in (root / directory).rglob("*") if p.is_file() and "__pycache__" not in p.parts and p not in own
        )
    return paths


def stack_set_inputs(stack_set: str, root: Path = ROOT) -> list[Path]:
    """Every file that shapes `stack_set`'s stacks: the shared inputs, its own YAML file, and for an
    environment the account's (its `account_id` is the environment's default).

    A file that influences several stack sets must be listed for each of them. The rules that
    compare environments (cross-environment limits) read every file but shape no output: they run
    on every synthesis instead (see `synthesize`).
    """
    own = [_set_file(root, stack_set)]
    if stack_set != "account":
        own.append(_set_file(root, "account"))
    return [*shared_inputs(root), *own]


def input_hashes(stack_sets: list[str], root: Path = ROOT) -> dict[str, str]:
    """Per stack set, a sha256 over the files that shape it (each file read once) and the Python version."""
    file_digests: dict[Path, bytes] = {}

    def file_digest(path: Path) -> bytes:
        if path not in file_digests:
            file_digests[path] = hashlib.sha256(path.read_bytes()).digest() if path.exists() else b"missing"
        return file_digests[path]

    hashes: dict[str, str] = {}
    for stack_set in stack_sets:
        digest = hashlib.sha256(f"python {platform.python_version()}\nstack set {stack_set}\n".encode())
        for path in sorted(set(stack_set_inputs(stack_set, root))):
            digest.update(f"{path.relative_to(root)}\n".encode())
            digest.update(file_digest(path))
        hashes[stack_set] = digest.hexdigest()
    return hashes


def _record(outdir: Path, stack_set: str) -> Path:
    return outdir / _HASH_DIR / f"{stack_set}.sha256"


def is_up_to_date(outdir: Path, stack_set: str, digest: str) -> bool:
    """The stack set's output exists and was synthesized from inputs with this digest."""
    record = _record(outdir, stack_set)
    if not record.exists() or record.read_text().strip() != digest:
        return False
    return all(
        (outdir / "stacks" / stack / name).exists()
        for stack in stack_names(stack_set)
        for name in ("cdk.tf.json", PLACEHOLDER_PACKAGE_FILE)
    )


def placeholder_package() -> bytes:
    """A deterministic zip (fixed timestamps) with `index.handler`, for functions without `code`."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("index.py", date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        archive.writestr(info, _PLACEHOLDER_HANDLER)
    return buffer.getvalue()


def _install(staging: Path, outdir: Path, packages: list[BuiltPackage]) -> list[Path]:
    """Move the synthesized stacks into `outdir`, keeping Terraform's working files beside them."""
    written: list[Path] = []
    for stack_json in sorted((staging / "stacks").glob("*/cdk.tf.json")):
        target = outdir / "stacks" / stack_json.parent.name / "cdk.tf.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        stack_json.replace(target)
        _write_function_packages(target.parent, packages)
        written.append(target)
    manifest_path = outdir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"stacks": {}}
    fresh = json.loads((staging / "manifest.json").read_text())
    manifest["stacks"].update(fresh["stacks"])
    manifest["version"] = fresh["version"]
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return written


def _write_function_packages(stack_dir: Path, packages: list[BuiltPackage]) -> None:
    """The packages a synthesized stack's functions deploy, beside its `cdk.tf.json`: the
    placeholder and every package built from the repository."""
    (stack_dir / PLACEHOLDER_PACKAGE_FILE).write_bytes(placeholder_package())
    for package in packages:
        (stack_dir / package.filename).write_bytes(package.data)


def function_packages(configs: list[EnvironmentConfig], root: Path) -> list[BuiltPackage]:
    """Every repository directory (under `root`) a function deploys, zipped once; a missing one is
    reported with the file and field that name it."""
    from cli.errors import UserError
    from cli.packages import build
    from environments.errors import ConfigError
    from modules.lambda_service.config import SourceDirectory

    built: dict[str, BuiltPackage] = {}
    problems: list[str] = []
    for config in configs:
        for key, settings in sorted(config.lambda_service.functions.items()):
            code = settings.code
            if not isinstance(code, SourceDirectory) or code.path in built:
                continue
            try:
                built[code.path] = build(root, code.path)
            except UserError as error:
                problems.append(f"environments/{config.name}.yaml: lambda.functions.{key}.code.path: {error}")
    if problems:
        raise ConfigError(sorted(set(problems)))
    return list(built.values())


def synthesize(
    environments: list[str],
    outdir: Path,
    *,
    before_install: Callable[[], None] | None = None,
    environments_dir: Path = ROOT / "environments",
) -> list[Path]:
    """Validate the given stack sets, synthesize them in one app, then write their output."""
    from cli.config_files import load_account, load_stack_sets

    # Every problem of every file at once, before anything is written; the rules across
    # environments read every environment file, synthesized or not.
    configs, account = load_stack_sets(environments, environments_dir)
    # The environments sharing the account look up its CloudFront policies by the account's names.
    shared = account or (load_account(environments_dir) if (environments_dir / "account.yaml").exists() else None)
    from stacks.app import build_app

    packages = function_packages(configs, environments_dir.parent)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".synth-", dir=outdir) as staging:
        build_app(
            configs,
            staging,
            account=account,
            shared_account=shared.context if shared else None,
            packages={package.source: (package.filename, package.sha256_base64) for package in packages},
        ).synth()
        if before_install is not None:
            before_install()
        return _install(Path(staging), outdir, packages)


def _parse(argv: list[str] | None, root: Path) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python main.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--env",
        action="append",
        metavar="ENV",
        help="environment (or `account`) to synthesize (repeatable); default: all",
    )
    parser.add_argument("--outdir", type=Path, default=root / "cdktf.out", help="output folder (default: cdktf.out)")
    parser.add_argument("--force", action="store_true", help="synthesize even when no input changed")
    return parser.parse_args(argv)


def main(
    argv: list[str] | None = None, *, before_synthesis: Callable[[], None] | None = None, root: Path = ROOT
) -> int:
    """Synthesize what changed; `before_synthesis` runs only when synthesis will. `root`: the sources
    whose inputs are hashed and whose `environments/` is read (the tests' copies; the code is this one)."""
    from cli.errors import UserError

    args = _parse(argv, root)
    environments = list(dict.fromkeys(args.env or STACK_SETS))
    unknown = [env for env in environments if env not in STACK_SETS]
    if unknown:
        raise UserError(
            f"unknown environment {unknown[0]!r}: known environments are {', '.join(STACK_SETS)}", exit_code=2
        )
    outdir: Path = args.outdir.resolve()
    digests = input_hashes(environments, root)
    stale = [env for env in environments if args.force or not is_up_to_date(outdir, env, digests[env])]
    if not stale:
        summary = ", ".join(f"{env} {digests[env][:12]}" for env in environments)
        print(f"synth: up to date ({', '.join(environments)}; inputs sha256 {summary})")
        return 0
    if before_synthesis is not None:
        before_synthesis()  # may re-execute this process (`_synthesize_fast`): print after it
    if len(stale) < len(environments):
        fresh = [env for env in environments if env not in stale]
        print(f"synth: up to date: {', '.join(fresh)}; synthesizing {', '.join(stale)}")
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    cache_root = jsii_cache.use_cache_root(JSII_CACHE)
    was_warm = jsii_cache.is_warm(cache_root)
    written = synthesize(
        stale, outdir, before_install=lambda: _forget(outdir, stale), environments_dir=root / "environments"
    )
    for env in stale:
        _record(outdir, env).write_text(digests[env] + "\n")
    for path in written:
        print(f"synthesized {path.relative_to(root) if path.is_relative_to(root) else path}")
    if not was_warm:
        jsii_cache.make_provider_entries_lazy(cache_root)
    return 0


def _forget(outdir: Path, stack_sets: list[str]) -> None:
    """Drop the records of the stack sets about to be replaced: a run that dies while installing
    them leaves them stale, never up to date with half-written output."""
    (outdir / _HASH_DIR).mkdir(parents=True, exist_ok=True)
    for stack_set in stack_sets:
        _record(outdir, stack_set).unlink(missing_ok=True)


def _optimized_bytecode_installed() -> bool:
    spec = importlib.util.find_spec("cdktf")
    if spec is None or spec.origin is None:  # pragma: no cover - the pinned requirements install it
        return False
    return Path(importlib.util.cache_from_source(spec.origin, optimization=1)).exists()


def _synthesize_fast() -> None:
    """Run the synthesis under `python -O`, with the jsii kernel as a direct child.

    The bindings check every argument's type at run time under `if __debug__:` (typeguard, ~0.6 s
    a synthesis); `mypy --strict` checks the same calls against the same stubs before they run.
    `make setup` compiles the optimized bytecode; without it, -O would compile from source and
    be slower, so the run stays as it is.
    """
    if not sys.flags.optimize and _optimized_bytecode_installed():
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, "-O", *sys.orig_argv[1:]])
    jsii_cache.use_direct_kernel(JSII_KERNEL)


def run() -> None:
    """Entry point: synthesize fast (`_synthesize_fast`), and exit without tearing down thousands
    of jsii objects (~3 s) once output is flushed.

    A run that starts on a cold jsii cache exits normally instead, so that the kernel finishes
    building the cache's type index rather than leaving it half-built.
    """
    from cli.errors import run_cli

    cache_root = jsii_cache.use_cache_root(JSII_CACHE)
    started_warm = jsii_cache.is_warm(cache_root)
    code = run_cli(lambda: main(sys.argv[1:], before_synthesis=_synthesize_fast))
    sys.stdout.flush()
    sys.stderr.flush()
    if started_warm:
        os._exit(code)
    sys.exit(code)
