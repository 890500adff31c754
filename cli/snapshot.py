"""`make snapshot-update`: a normalised copy of every synthesized stack in tests/snapshots/, so a
reviewed diff shows any change of a Terraform address or value (tests/synth/test_snapshots.py).

Normalised: CDKTF's `//` metadata (construct paths, which refactors move without changing an
address) is dropped, keys are sorted, one value per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cli.settings import ROOT

SNAPSHOTS = ROOT / "tests" / "snapshots"


def normalised(stack: Any) -> Any:
    """The stack without CDKTF's `//` metadata, at every depth."""
    if isinstance(stack, dict):
        return {key: normalised(value) for key, value in stack.items() if key != "//"}
    if isinstance(stack, list):
        return [normalised(item) for item in stack]
    return stack


def text(stack: Any) -> str:
    return json.dumps(normalised(stack), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def differences(expected: Any, actual: Any, path: str = "") -> Iterator[str]:
    """Each Terraform path whose value differs, `resource.aws_x.name.attribute: old -> new`."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(expected.keys() | actual.keys()):
            where = f"{path}.{key}" if path else key
            if key not in actual:
                yield f"{where}: removed"
            elif key not in expected:
                yield f"{where}: added"
            else:
                yield from differences(expected[key], actual[key], where)
    elif isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (old, new) in enumerate(zip(expected, actual, strict=True)):
            yield from differences(old, new, f"{path}[{index}]")
    elif expected != actual:
        yield f"{path}: {json.dumps(expected)[:120]} -> {json.dumps(actual)[:120]}"


def stacks(outdir: Path) -> dict[str, Any]:
    return {
        path.parent.name: json.loads(path.read_text()) for path in sorted((outdir / "stacks").glob("*/cdk.tf.json"))
    }


def update(outdir: Path, snapshots: Path = SNAPSHOTS) -> int:
    """Rewrite the snapshots from `outdir`; remove those of stacks that are gone; print what changed."""
    synthesized = stacks(outdir)
    snapshots.mkdir(parents=True, exist_ok=True)
    changed = 0
    for name, stack in synthesized.items():
        path = snapshots / f"{name}.json"
        if path.exists() and path.read_text() == text(stack):
            continue
        old = json.loads(path.read_text()) if path.exists() else {}
        found = list(differences(old, normalised(stack)))
        print(f"snapshot: {name}: {len(found)} change(s)" + "".join(f"\n  {line}" for line in found[:20]))
        path.write_text(text(stack))
        changed += 1
    for path in sorted(snapshots.glob("*.json")):
        if path.stem not in synthesized:
            print(f"snapshot: {path.stem}: removed (no such stack)")
            path.unlink()
            changed += 1
    if not changed:
        print(f"snapshot: all {len(synthesized)} snapshots are up to date")
    return 0
