"""The emulator hands moto one request at a time (its backends are not thread-safe)."""

from __future__ import annotations

import threading
import time
from typing import Any

from cli.emulator import one_request_at_a_time


def test_concurrent_requests_reach_moto_one_at_a_time() -> None:
    running, most = 0, 0
    guard = threading.Lock()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with guard:
            running -= 1
        start_response("200 OK", [])
        return [environ["PATH_INFO"].encode()]

    served = one_request_at_a_time(app)
    answers: list[list[bytes]] = []
    threads = [
        threading.Thread(target=lambda n=n: answers.append(served({"PATH_INFO": f"/{n}"}, lambda *_: None)))
        for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1
    assert sorted(answers) == sorted([[f"/{n}".encode()] for n in range(8)])


def test_every_patch_the_launcher_applies_names_the_moto_version_it_targets() -> None:
    """A patch of moto's internals is written against one version: when requirements.txt moves moto,
    each patch's docstring says what to re-check."""
    import ast
    import re

    from tests.conftest import REPO

    pinned = re.search(r"^moto==(\S+)$", (REPO / "requirements.txt").read_text(), re.MULTILINE)
    assert pinned is not None
    tree = ast.parse((REPO / "cli" / "emulator.py").read_text())
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    applied = [
        call.func.id
        for call in ast.walk(functions["serve"])
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id.startswith("_")
    ]
    assert len(applied) >= 20
    unnamed = [name for name in applied if f"moto {pinned.group(1)}" not in (ast.get_docstring(functions[name]) or "")]
    assert unnamed == []
