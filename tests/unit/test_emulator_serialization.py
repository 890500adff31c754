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
