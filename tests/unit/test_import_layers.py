"""The packages' layers, read from their source: `stacks/` assembles `modules/` configured by
`environments/`; `modules/` is a library of neither; `policies/` (loaded by checkov, in its own
virtual environment) imports nothing of the project; only `cli/` and `main.py` touch files or
start processes."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

PROJECT_PACKAGES = frozenset({"cli", "environments", "modules", "policies", "stacks", "tests", "main"})
# What each package may import of the project (itself included).
ALLOWED = {
    "modules": {"modules"},
    "environments": {"environments", "modules"},
    "stacks": {"stacks", "modules", "environments"},
    "policies": set(),  # checkov puts policies/checks on its path: the checks import each other by bare name
}
# Imports that reach the file system or other processes.
IO_MODULES = frozenset({"os", "subprocess", "shutil", "tempfile", "socket", "urllib", "http", "boto3", "fcntl"})
IO_CALLS = frozenset(
    {
        "open",
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "exists",
        "is_file",
        "is_dir",
        "stat",
        "mkdir",
        "unlink",
        "glob",
        "rglob",
        "iterdir",
        "system",
        "popen",
    }
)
# The checks read their own reviewed data beside them (checkov loads them as plugins, there is no
# caller to hand the data in): the only files read outside `cli/`.
POLICY_DATA_READERS = {"policies/checks/policy_support.py", "policies/checks/iam_support.py"}


def _sources(package: str) -> list[Path]:
    return sorted(p for p in (REPO / package).rglob("*.py") if "__pycache__" not in p.parts)


def _imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _project_imports(path: Path) -> list[str]:
    return [
        f"{path.relative_to(REPO)}:{line}: {name}"
        for line, name in _imports(ast.parse(path.read_text()))
        if name.split(".")[0] in PROJECT_PACKAGES
    ]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_the_layers_below_it(package: str) -> None:
    allowed = ALLOWED[package]
    wrong = [
        found
        for path in _sources(package)
        for found in _project_imports(path)
        if found.rsplit(": ", 1)[1].split(".")[0] not in allowed
    ]
    assert _sources(package), package
    assert wrong == [], f"{package}/ may import only {sorted(allowed) or 'nothing of the project'}"


def _io_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    uses = [f"imports {name}" for _, name in _imports(tree) if name.split(".")[0] in IO_MODULES]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
            if name in IO_CALLS:
                uses.append(f"line {node.lineno}: {name}()")
    return uses


@pytest.mark.parametrize("package", ["modules", "environments", "stacks", "policies"])
def test_only_the_cli_touches_files_or_processes(package: str) -> None:
    touching = {
        str(path.relative_to(REPO)): uses
        for path in _sources(package)
        if (uses := _io_uses(path)) and str(path.relative_to(REPO)) not in POLICY_DATA_READERS
    }
    assert touching == {}


def test_the_layer_checks_see_what_they_look_for() -> None:
    """The readers above find an import across layers and a file read where there are some."""
    assert any(found.endswith(": modules.core.cdk") for found in _project_imports(REPO / "stacks" / "app.py"))
    assert "stacks" in {f.rsplit(": ", 1)[1].split(".")[0] for f in _project_imports(REPO / "cli" / "synth.py")}
    reads = _io_uses(REPO / "cli" / "config_files.py")
    assert any("open()" in use for use in reads), reads
    for reader in POLICY_DATA_READERS:
        assert any("read_text()" in use for use in _io_uses(REPO / reader)), reader


def _arn_literals(path: Path) -> list[int]:
    """Lines of f-strings or strings that start an ARN (`arn:`…) by hand."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and str(first.value).startswith("arn:"):
                found.append(node.lineno)
    return found


def test_every_arn_of_the_modules_and_stacks_is_built_by_one_helper() -> None:
    helper = REPO / "modules" / "core" / "arn.py"
    by_hand = {
        str(path.relative_to(REPO)): lines
        for package in ("modules", "stacks")
        for path in _sources(package)
        if path != helper and (lines := _arn_literals(path))
    }
    assert by_hand == {}
    assert _arn_literals(helper), "the check sees the helper's own f-string"
