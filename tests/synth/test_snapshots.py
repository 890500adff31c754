"""tests/snapshots/ holds every shipped stack, normalised: a change of an address or a value shows
up as a reviewed diff (`make snapshot-update` after the review), never silently."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cli import snapshot

pytestmark = pytest.mark.usefixtures("synthesized_outdir")


def test_every_stack_matches_its_snapshot(stacks: dict[str, dict[str, Any]]) -> None:
    assert {path.stem for path in snapshot.SNAPSHOTS.glob("*.json")} == set(stacks)
    for name, stack in stacks.items():
        shipped = (snapshot.SNAPSHOTS / f"{name}.json").read_text()
        if shipped != snapshot.text(stack):
            found = list(snapshot.differences(json.loads(shipped), snapshot.normalised(stack)))
            pytest.fail(
                f"{name} differs from tests/snapshots/{name}.json; review, then `make snapshot-update`:\n"
                + "\n".join(found[:30])
            )


def test_the_snapshot_leaves_out_construct_paths_only(stacks: dict[str, dict[str, Any]]) -> None:
    dev = stacks["dev"]
    normalised = snapshot.normalised(dev)
    assert "//" in dev and "//" not in snapshot.text(dev)
    assert normalised["resource"].keys() == dev["resource"].keys()
    for kind, of_kind in dev["resource"].items():
        assert of_kind.keys() == normalised["resource"][kind].keys()
        for address, body in of_kind.items():
            assert {key: value for key, value in body.items() if key != "//"} == normalised["resource"][kind][address]


def test_a_changed_value_and_a_moved_address_show_up_by_path(stacks: dict[str, dict[str, Any]]) -> None:
    before = snapshot.normalised(stacks["dev"])
    after = copy.deepcopy(before)
    functions = after["resource"]["aws_lambda_function"]
    address = sorted(functions)[0]
    old_memory = functions[address]["memory_size"]
    functions[address]["memory_size"] = old_memory * 2
    functions[f"{address}_moved"] = functions.pop(address)
    assert list(snapshot.differences(before, after)) == [
        f"resource.aws_lambda_function.{address}: removed",
        f"resource.aws_lambda_function.{address}_moved: added",
    ]
    functions[address] = functions.pop(f"{address}_moved")
    assert list(snapshot.differences(before, after)) == [
        f"resource.aws_lambda_function.{address}.memory_size: {old_memory} -> {old_memory * 2}"
    ]


def test_the_update_rewrites_stale_snapshots_and_drops_those_of_gone_stacks(
    synthesized_outdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshots = tmp_path / "snapshots"
    shutil.copytree(snapshot.SNAPSHOTS, snapshots)
    dev = snapshots / "dev.json"
    dev.write_text(dev.read_text().replace('"memory_size": 512', '"memory_size": 256', 1))
    (snapshots / "qa.json").write_text("{}\n")
    assert snapshot.update(synthesized_outdir, snapshots) == 0
    out = capsys.readouterr().out
    assert "snapshot: dev: 1 change(s)" in out and ".memory_size: 256 -> 512" in out
    assert "snapshot: qa: removed (no such stack)" in out and not (snapshots / "qa.json").exists()
    assert dev.read_text() == (snapshot.SNAPSHOTS / "dev.json").read_text()
    assert snapshot.update(synthesized_outdir, snapshots) == 0
    assert capsys.readouterr().out == f"snapshot: all {len(list(snapshots.glob('*.json')))} snapshots are up to date\n"
