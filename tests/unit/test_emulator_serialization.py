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


def test_a_retried_call_whose_first_attempt_succeeded_gets_that_answer_and_runs_once() -> None:
    from cli.emulator import retried_calls_get_their_first_answer

    created: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        name = environ["PATH_INFO"]
        if name in created:
            start_response("400 Bad Request", [("Content-Type", "text/xml")])
            return [b"DuplicateRecordException"]
        created.append(name)
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [f"created {name}".encode()]

    served = retried_calls_get_their_first_answer(app)
    statuses: list[str] = []

    def call(path: str, invocation: str, attempt: int, method: str = "POST") -> bytes:
        environ = {
            "PATH_INFO": path,
            "REQUEST_METHOD": method,
            "HTTP_AMZ_SDK_INVOCATION_ID": invocation,
            "HTTP_AMZ_SDK_REQUEST": f"attempt={attempt}; max=2",
        }
        return b"".join(served(environ, lambda status, headers, *_: statuses.append(status)))

    assert call("/budget", "id-1", 1) == b"created /budget"
    assert call("/budget", "id-1", 2) == b"created /budget"  # the retry: the first answer again
    assert created == ["/budget"] and statuses == ["200 OK", "200 OK"]
    # a new call (another invocation id) is carried out, and meets what exists, as on AWS
    assert call("/budget", "id-2", 1) == b"DuplicateRecordException"
    # a failed first attempt is not replayed: its retry runs again
    assert call("/budget", "id-2", 2) == b"DuplicateRecordException" and statuses[-2:] == ["400 Bad Request"] * 2
    # reads are never replayed
    assert call("/other", "id-3", 1, method="GET") == b"created /other"
    assert call("/other", "id-3", 2, method="GET") == b"DuplicateRecordException"


def test_the_liveness_probe_does_not_wait_behind_a_slow_call() -> None:
    from cli.emulator import HEALTH_PATH

    release = threading.Event()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] != HEALTH_PATH:
            release.wait(timeout=10)  # a slow call holds moto
        start_response("200 OK", [])
        return [environ["PATH_INFO"].encode()]

    served = one_request_at_a_time(app)
    slow = threading.Thread(target=lambda: served({"PATH_INFO": "/slow"}, lambda *_: None))
    slow.start()
    time.sleep(0.05)
    probed = time.monotonic()
    assert served({"PATH_INFO": HEALTH_PATH}, lambda *_: None) == [HEALTH_PATH.encode()]
    assert time.monotonic() - probed < 1, "the probe waited for the slow call"
    assert slow.is_alive()
    release.set()
    slow.join()
