"""The emulator's process: start it, find the running one, stop it; its folder holds its own files only.

Its folder (`AUTOSCALE_EMULATOR_DIR`) holds only its own files (`OWN_FILES`): it deletes nothing
else and refuses a folder holding anything else. `stop` kills only the process it recorded: the
PID's command line must be the emulator's `serve` (`python -m cli.emulator serve`, see `server`)
on the recorded port, and on Linux its start time must be the recorded one (a PID reused by
another process is left alone).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cli.emulator.server import HEALTH_PATH, HOST
from cli.emulator.tls import _write_certificate
from cli.errors import UserError

RECORD = "emulator.json"
LOG = "moto.log"
PREVIOUS_LOG = "moto.previous.log"
"""The log of the emulator a new one replaced (why the old one stopped answering)."""
OWN_FILES = frozenset({RECORD, "cert.pem", "key.pem", LOG, PREVIOUS_LOG})
"""Everything the emulator writes in its folder, and all that it ever deletes."""

BUSY_PATIENCE_SECONDS = 30.0
"""How long a live emulator may go unanswering (a loaded machine) before the CLI gives up on it."""

# Credentials and profiles of a real account must not leak into the emulator's processes: a
# profile that the emulator cannot find makes every moto request fail, and the AWS SDKs
# prefer some of these over the emulator's test credentials.
REAL_ACCOUNT_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


def isolated_environment(overrides: dict[str, str]) -> dict[str, str]:
    """This process's environment without a real account's variables, plus `overrides`."""
    clean = {key: value for key, value in os.environ.items() if key not in REAL_ACCOUNT_VARIABLES}
    return {**clean, **overrides}


@dataclass(frozen=True)
class Emulator:
    """A running emulator: where it listens and the CA bundle that trusts its certificate."""

    pid: int
    port: int
    ca_bundle: Path

    @property
    def endpoint(self) -> str:
        return f"https://{HOST}:{self.port}"

    def terraform_environment(self, region: str) -> dict[str, str]:
        """Settings that point Terraform's AWS provider and S3 backend at the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CA_BUNDLE": str(self.ca_bundle),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            # A gap in the emulator must fail in seconds, not after the provider's 25 retries.
            "AWS_MAX_ATTEMPTS": "2",
            "AWS_EC2_METADATA_DISABLED": "true",
        }


def _remove(directory: Path, path: Path) -> None:
    """Delete `path`, one of the emulator's own files directly in `directory`; refuse any other."""
    if path.name not in OWN_FILES or path.parent.resolve() != directory.resolve():
        raise UserError(f"the emulator deletes only its own files in {directory}, not {path}")
    path.unlink(missing_ok=True)  # a symbolic link goes, never what it points to


def _check_own(directory: Path) -> None:
    """Refuse a folder that holds anything but the emulator's own files."""
    foreign = sorted(entry.name for entry in directory.iterdir() if entry.name not in OWN_FILES)
    if foreign:
        shown = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
        raise UserError(
            f"{directory} is not the emulator's folder: it holds {shown}; the emulator writes (and deletes) "
            f"only {', '.join(sorted(OWN_FILES))}. Set AUTOSCALE_EMULATOR_DIR to an empty or new folder"
        )


def _clear(directory: Path) -> None:
    """Empty the emulator's folder (created if missing) of its own files but the previous log, after
    `_check_own`."""
    directory.mkdir(parents=True, exist_ok=True)
    _check_own(directory)
    for name in OWN_FILES - {PREVIOUS_LOG}:
        _remove(directory, directory / name)


def _start_time(pid: int) -> int | None:
    """The process's start time (clock ticks after boot, /proc/<pid>/stat field 22); None off Linux."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[19])


def _command_line(pid: int) -> list[str] | None:
    """The process's arguments (/proc on Linux, else `ps`); None if it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").rstrip("\0").split("\0")
    except FileNotFoundError:
        if Path("/proc/self").exists():
            return None
    except OSError:
        return None
    found = subprocess.run(["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, check=False)
    return found.stdout.split() if found.returncode == 0 and found.stdout.strip() else None


def _contains(arguments: list[str], *sequence: str) -> bool:
    return any(arguments[i : i + len(sequence)] == list(sequence) for i in range(len(arguments)))


def is_emulator(pid: int, port: int, started: int | None) -> bool:
    """Whether `pid` is still the emulator recorded with `port` and start time `started`."""
    if not _is_alive(pid):
        return False
    arguments = _command_line(pid)
    if arguments is None or not (
        _contains(arguments, "-m", "cli.emulator", "serve") and _contains(arguments, "--port", str(port))
    ):
        return False
    return started is None or _start_time(pid) in (None, started)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _is_alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, exited but not yet reaped by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): the signal's answer
    return stat[stat.rindex(")") + 2 :].split()[0] != "Z"


def _responds(emulator: Emulator) -> bool:
    """Any HTTP answer means moto is up."""
    try:
        context = ssl.create_default_context(cafile=str(emulator.ca_bundle))
        with urllib.request.urlopen(f"{emulator.endpoint}{HEALTH_PATH}", timeout=1, context=context):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def running(directory: Path, patience_seconds: float = BUSY_PATIENCE_SECONDS) -> Emulator | None:
    """The emulator recorded in `directory`, if it still runs. One whose process lives but does not
    answer is waited for (up to `patience_seconds`), never taken for gone: replacing it would throw
    away every resource it holds."""
    record = directory / RECORD
    if not record.exists():
        return None
    data = json.loads(record.read_text())
    emulator = Emulator(pid=data["pid"], port=data["port"], ca_bundle=Path(data["ca_bundle"]))
    deadline = time.monotonic() + patience_seconds
    while is_emulator(emulator.pid, emulator.port, data.get("started")):
        if _responds(emulator):
            return emulator
        if time.monotonic() > deadline:
            raise UserError(
                f"the local AWS emulator (process {emulator.pid}, {emulator.endpoint}) runs but has not answered "
                f"for {patience_seconds:.0f} s; see {directory / LOG}. `make emulator-stop` discards it and "
                "everything it holds"
            )
        time.sleep(0.5)
    return None


def start(directory: Path, timeout_seconds: float = 30) -> Emulator:
    """Start a fresh emulator recorded in `directory` (emptied first: its state died with the old one)."""
    if directory.is_dir():
        _check_own(directory)  # before stopping anything
    stop(directory)
    if (directory / LOG).exists():
        (directory / LOG).replace(directory / PREVIOUS_LOG)  # why the old one ended, for whoever asks
    _clear(directory)
    cert, key = _write_certificate(directory)
    port = _free_port()
    log = (directory / LOG).open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.emulator", "serve", "--port", str(port), "--cert", str(cert), "--key", str(key)],
        cwd=Path(__file__).resolve().parents[2],
        env=isolated_environment({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    emulator = Emulator(pid=process.pid, port=port, ca_bundle=cert)
    deadline = time.monotonic() + timeout_seconds
    while not _responds(emulator):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the local AWS emulator did not start; see {directory / 'moto.log'}")
        time.sleep(0.1)
    record = {"pid": process.pid, "port": port, "ca_bundle": str(cert), "started": _start_time(process.pid)}
    (directory / RECORD).write_text(json.dumps(record, indent=2) + "\n")
    return emulator


def ensure(directory: Path) -> tuple[Emulator, bool]:
    """The running emulator, or a new one; the flag says whether it was just started."""
    current = running(directory)
    return (current, False) if current else (start(directory), True)


def stop(directory: Path) -> bool:
    """Stop the emulator recorded in `directory`; True if one was running.

    A recorded PID that is no longer the emulator (it exited and the PID was reused) is not
    touched: only the record goes.
    """
    record = directory / RECORD
    if not record.exists():
        return False
    data = json.loads(record.read_text())
    pid = int(data["pid"])
    _remove(directory, record)
    if not is_emulator(pid, int(data["port"]), data.get("started")):
        return False
    try:
        if os.getpgid(pid) != pid:  # `start` made it a session (and group) leader
            return False
    except OSError:
        return False
    os.killpg(pid, signal.SIGTERM)
    for _ in range(50):
        if not _is_alive(pid):
            break
        time.sleep(0.1)
    else:
        os.killpg(pid, signal.SIGKILL)
    return True
