"""The emulator's server process: moto over TLS on `HOST`, patched (`patches`), until terminated.

`lifecycle.start` runs it as `python -m cli.emulator serve --port … --cert … --key …` (`main`;
`lifecycle.is_emulator` recognizes that command line). Around moto: one request at a time (its
backends are not thread-safe), the first answer again for a retried writing call, and a liveness
probe that waits for neither. moto's `/moto-api/data.json` fails (500) once a Lambda function
exists (it asks Docker, which is absent), so the health probe uses `/moto-api/config`
(`HEALTH_PATH`), and any HTTP answer counts.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli.emulator.patches import apply_all

HOST = "127.0.0.1"

HEALTH_PATH = "/moto-api/config"
"""Answers without serializing any model (`/moto-api/data.json` fails once a Lambda exists)."""


def one_request_at_a_time(app: Callable[..., Any]) -> Callable[..., Any]:
    """moto 5.2.1's backends are not thread-safe: Terraform's parallel calls (ten at a time) can
    race in them (a 500 that the SDK retries into `Alias already exists`, or a duplicated policy
    statement). The server stays threaded so the liveness probe always gets an answer, but moto
    handles one request at a time; each is answered in milliseconds. The liveness probe
    (`HEALTH_PATH`, which reads moto's configuration only) does not wait for the others: a probe
    that timed out behind a slow call would make the CLI think the emulator gone."""
    lock = threading.Lock()

    def serialized(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            return list(app(environ, start_response))
        with lock:
            return list(app(environ, start_response))

    return serialized


ANSWERS_KEPT = 4096
"""How many answers to writing calls the emulator keeps for their retries (a few applies' worth)."""


def retried_calls_get_their_first_answer(app: Callable[..., Any]) -> Callable[..., Any]:
    """A loaded machine can make moto answer a call after the AWS SDK gave up on it; the SDK then
    sends the call again (header `amz-sdk-request: attempt=2`, the same `amz-sdk-invocation-id`),
    and moto, which already carried out the first attempt, answers the retry "already exists"
    (`DuplicateRecordException` for a budget, `UserGroupAlreadyExists`, `Alias already exists`),
    where AWS would have answered the first attempt in time. Here a retried writing call whose first
    attempt succeeded gets that answer and is not carried out twice (a failed first attempt is
    retried as before); the replay is logged."""
    answers: OrderedDict[str, tuple[str, list[tuple[str, str]], bytes]] = OrderedDict()

    def replaying(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not invocation or environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD"):
            return list(app(environ, start_response))
        if invocation in answers:
            status, headers, body = answers[invocation]
            print(f"emulator: replayed the first answer ({status}) to a retried call {invocation}", file=sys.stderr)
            start_response(status, headers)
            return [body]
        started: list[tuple[str, list[tuple[str, str]]]] = []

        def keep(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            started.append((status, list(headers)))
            return start_response(status, headers, *args)

        body = b"".join(app(environ, keep))
        if started and started[0][0].startswith("2"):
            answers[invocation] = (started[0][0], started[0][1], body)
            while len(answers) > ANSWERS_KEPT:
                answers.popitem(last=False)
        return [body]

    return replaying


def serve(port: int, cert: Path, key: Path) -> None:
    """Run moto in this process until terminated."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    apply_all()
    application = one_request_at_a_time(
        retried_calls_get_their_first_answer(DomainDispatcherApplication(create_backend_app))
    )
    run_simple(HOST, port, application, threaded=True, ssl_context=(str(cert), str(key)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.emulator")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run moto in the foreground (used by `start`)")
    serve_parser.add_argument("--port", type=int, required=True)
    serve_parser.add_argument("--cert", type=Path, required=True)
    serve_parser.add_argument("--key", type=Path, required=True)
    args = parser.parse_args(argv)
    serve(args.port, args.cert, args.key)
    return 0
