"""`python main.py`: synthesize every environment (or `--env` ones) into `cdktf.out/`.

Fast by construction (see README, "Fast synth"): synthesis is skipped when a content hash of
everything that affects it is unchanged; otherwise all environments are synthesized in one
process, loading only the binding modules used, and the process exits without tearing
them down. Output is written only after every environment validated and synthesized.
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

if TYPE_CHECKING:
    from cli.packages import BuiltPackage
    from environments.schema import EnvironmentConfig

ROOT = Path(__file__).resolve().parent.parent
STACK_SETS = ("dev", "staging", "prod", "account")  # = environments.schema.STACK_SETS (a test checks it)
# The project's jsii package cache (unless JSII_RUNTIME_PACKAGE_CACHE_ROOT names another) and the
# directly started kernel (cli/jsii_cache.py).
JSII_CACHE = ROOT / ".cache" / "jsii"
JSII_KERNEL = ROOT / ".cache" / "jsii-runtime"
_HASH_FILE = ".inputs.sha256"
# Must equal modules.lambda_service.config.PLACEHOLDER_PACKAGE_FILE (a test checks it); not
# imported from there so that the unchanged-synth fast path never loads pydantic.
PLACEHOLDER_PACKAGE_FILE = "lambda-placeholder.zip"
_PLACEHOLDER_HANDLER = """\
\"\"\"Placeholder of a function whose code the build pipeline has not deployed yet.\"\"\"


def handler(event, context):
    if isinstance(event, dict) and event.get("warmup"):
        return {"warm": True}
    return {"statusCode": 503, "body": "not deployed yet"}
"""
_INPUT_FILES = ("main.py", "cdktf.json", "requirements.txt", "cli/synth.py", "cli/jsii_cache.py", "cli/packages.py")
_INPUT_DIRS = ("environments", "modules", "functions", "cli/cost/prices")  # prices: the database runbooks quote them


def input_hash(environments: list[str], root: Path = ROOT) -> str:
    """sha256 over the code, configuration, pins and settings that shape the output."""
    digest = hashlib.sha256()
    digest.update(f"python {platform.python_version()}\nenvironments {','.join(environments)}\n".encode())
    paths = [root / name for name in _INPUT_FILES]
    for directory in _INPUT_DIRS:
        paths.extend(p for p in (root / directory).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(paths):
        if path.exists():
            digest.update(f"{path.relative_to(root)}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _stack_names(environments: list[str]) -> list[str]:
    """The stacks written: both of each set, and `account-bootstrap` (the OIDC provider the environments'
    bootstraps look up) with any environment."""
    names = [name for env in environments for name in (f"{env}-bootstrap", env)]
    return names if "account-bootstrap" in names else [*names, "account-bootstrap"]


def is_up_to_date(outdir: Path, environments: list[str], digest: str) -> bool:
    hash_file = outdir / _HASH_FILE
    if not hash_file.exists() or hash_file.read_text().strip() != digest:
        return False
    return all(
        (outdir / "stacks" / stack / name).exists()
        for stack in _stack_names(environments)
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
    """Move the synthesized stacks into `outdir`, keeping Terraform's working files beside them;
    each stack gets the placeholder and the built function packages beside it."""
    written: list[Path] = []
    for stack_json in sorted((staging / "stacks").glob("*/cdk.tf.json")):
        target = outdir / "stacks" / stack_json.parent.name / "cdk.tf.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        stack_json.replace(target)
        (target.parent / PLACEHOLDER_PACKAGE_FILE).write_bytes(placeholder_package())
        for package in packages:
            (target.parent / package.filename).write_bytes(package.data)
        written.append(target)
    manifest_path = outdir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"stacks": {}}
    fresh = json.loads((staging / "manifest.json").read_text())
    manifest["stacks"].update(fresh["stacks"])
    manifest["version"] = fresh["version"]
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return written


def database_resize_prices(configs: list[EnvironmentConfig]) -> dict[str, float | None]:
    """Per environment, what the next database class up costs more a month (EUR), for the resize
    runbooks; None where the price table has no figure (the runbook then points to `make cost`)."""
    from cli.cost.prices import PRICES_DIR, load_price_table
    from modules.rds.config import next_class_up

    prices: dict[str, float | None] = {}
    for config in configs:
        database, bigger = config.rds, next_class_up(config.rds.instance_class)
        prices[config.name] = None
        if bigger is None or not (PRICES_DIR / f"{config.region}.yaml").exists():
            continue
        table = load_price_table(config.region)
        try:
            difference_usd = table.monthly_instance_price_usd(
                bigger.name, database.multi_az
            ) - table.monthly_instance_price_usd(database.instance_class, database.multi_az)
        except KeyError:
            continue
        prices[config.name] = round(difference_usd / config.budget.usd_per_eur, 2)
    return prices


def function_packages(configs: list[EnvironmentConfig]) -> list[BuiltPackage]:
    """Every repository directory a function deploys, zipped once; a missing one is reported
    with the file and field that name it."""
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
                built[code.path] = build(ROOT, code.path)
            except UserError as error:
                problems.append(f"environments/{config.name}.yaml: lambda.functions.{key}.code.path: {error}")
    if problems:
        raise ConfigError(sorted(set(problems)))
    return list(built.values())


def synthesize(environments: list[str], outdir: Path) -> list[Path]:
    """Validate all environments, synthesize them in one app, then write the output."""
    from environments.loader import ConfigError, load_account, load_environments

    # Every problem of every file at once, before anything is written.
    messages: list[str] = []
    try:
        configs = load_environments([name for name in environments if name != "account"])
    except ConfigError as error:
        messages.extend(error.messages)
    try:
        # Always: the environments' default account, and `account-bootstrap` (their OIDC provider).
        account = load_account()
    except ConfigError as error:
        messages.extend(error.messages)
    if messages:
        raise ConfigError(list(dict.fromkeys(messages)))  # account.yaml's problems once, not per environment
    from modules.platform import build_app

    packages = function_packages(configs)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".synth-", dir=outdir) as staging:
        build_app(
            configs,
            staging,
            account=account,
            account_main="account" in environments,
            database_resize_prices=database_resize_prices(configs),
            packages={package.source: (package.filename, package.sha256_base64) for package in packages},
        ).synth()
        return _install(Path(staging), outdir, packages)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python main.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--env",
        action="append",
        metavar="ENV",
        help="environment (or `account`) to synthesize (repeatable); default: all",
    )
    parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out", help="output folder (default: cdktf.out)")
    parser.add_argument("--force", action="store_true", help="synthesize even when no input changed")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, *, before_synthesis: Callable[[], None] | None = None) -> int:
    """Synthesize unless nothing changed; `before_synthesis` runs only when synthesis will."""
    from cli.errors import UserError

    args = _parse(argv)
    environments = list(dict.fromkeys(args.env or STACK_SETS))
    unknown = [env for env in environments if env not in STACK_SETS]
    if unknown:
        raise UserError(
            f"unknown environment {unknown[0]!r}: known environments are {', '.join(STACK_SETS)}", exit_code=2
        )
    outdir: Path = args.outdir.resolve()
    digest = input_hash(environments)
    if not args.force and is_up_to_date(outdir, environments, digest):
        print(f"synth: up to date ({', '.join(environments)}; inputs sha256 {digest[:12]})")
        return 0

    if before_synthesis is not None:
        before_synthesis()
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    cache_root = jsii_cache.use_cache_root(JSII_CACHE)
    was_warm = jsii_cache.is_warm(cache_root)
    written = synthesize(environments, outdir)
    (outdir / _HASH_FILE).write_text(digest + "\n")
    for path in written:
        print(f"synthesized {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if not was_warm:
        jsii_cache.make_provider_entries_lazy(cache_root)
    return 0


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
