"""The S3-native state lock (`use_lockfile`): what Terraform says about it, who holds it, releasing it.

A `terraform apply` killed outright (SIGKILL, a runner that died) leaves its lock object
`<key>.tflock` in the state bucket; every later plan or apply fails with "Error acquiring the
state lock" and prints the lock's `Lock Info`. `describe` turns that into one message with the
lock's id, holder, age and operation and the command that releases it; `check_release` refuses
a wrong id, or a release while the holder still runs on this machine (it can see that when the
lock's `Who` is this user@host: a `terraform` process then runs in the stack's folder with the
workspace's data directory, started before the lock was taken).
"""

from __future__ import annotations

import datetime
import json
import os
import pwd
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.errors import UserError

LOCK_ERROR = "Error acquiring the state lock"
_FIELD = re.compile(r"^\s+(ID|Path|Operation|Who|Version|Created|Info):[ \t]*(.*?)\s*$")
_TEXT_TIME = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))? ([+-]\d{4})")
_JSON_TIME = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)$")


@dataclass(frozen=True)
class LockInfo:
    """Terraform's lock record (the `Lock Info` block, or the lock object's JSON)."""

    id: str
    path: str = ""
    operation: str = ""
    who: str = ""
    version: str = ""
    created: str = ""
    info: str = ""

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> LockInfo:
        def text(key: str) -> str:
            return str(document.get(key) or "")

        return cls(
            id=text("ID"),
            path=text("Path"),
            operation=text("Operation"),
            who=text("Who"),
            version=text("Version"),
            created=text("Created"),
            info=text("Info"),
        )

    @property
    def operation_name(self) -> str:
        """`OperationTypeApply` → `apply`."""
        return self.operation.removeprefix("OperationType").lower() or "unknown operation"

    @property
    def created_at(self) -> datetime.datetime | None:
        """When the lock was taken (UTC), from either of Terraform's two spellings."""
        for pattern in (_TEXT_TIME, _JSON_TIME):
            match = pattern.match(self.created.strip())
            if match:
                day, clock, fraction, zone = match.groups()
                zone = "+00:00" if zone == "Z" else zone
                text = f"{day}T{clock}.{(fraction or '0')[:6].ljust(6, '0')}{zone}"
                return datetime.datetime.fromisoformat(text).astimezone(datetime.UTC)
        return None

    def since(self, now: datetime.datetime | None = None) -> str:
        created = self.created_at
        if created is None:
            return self.created or "an unknown time"
        minutes = int(((now or datetime.datetime.now(datetime.UTC)) - created).total_seconds() // 60)
        age = "less than a minute ago" if minutes < 1 else f"{minutes} minute{'s' * (minutes != 1)} ago"
        return f"{created:%Y-%m-%d %H:%M:%S} UTC ({age})"


def parse(text: str) -> LockInfo | None:
    """The `Lock Info:` block of Terraform's output (`Error acquiring the state lock`, or a
    failed `force-unlock`); `None` when the text has none or it names no ID."""
    lines = text.splitlines()
    start = next((number for number, line in enumerate(lines) if line.strip() == "Lock Info:"), None)
    if start is None:
        return None
    fields: dict[str, str] = {}
    for line in lines[start + 1 :]:
        match = _FIELD.match(line)
        if not match:
            break
        fields[match.group(1).lower()] = match.group(2)
    if not fields.get("id"):
        return None
    return LockInfo(**fields)


def this_holder() -> str:
    """How Terraform spells this process's user and machine in a lock's `Who`."""
    return f"{pwd.getpwuid(os.geteuid()).pw_name}@{socket.gethostname()}"


@dataclass(frozen=True)
class Process:
    pid: int
    command: str
    started: datetime.datetime | None


def _boot_time(proc: Path) -> float | None:
    try:
        for line in (proc / "stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def _started(proc: Path, pid: int, boot: float | None) -> datetime.datetime | None:
    if boot is None:
        return None
    try:
        fields = (proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = int(fields[19])  # field 22 of stat(5), counted after the command's ")"
    return datetime.datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), datetime.UTC)


def terraform_processes(stack_dir: Path, data_dir: Path, proc: Path = Path("/proc")) -> list[Process]:
    """`terraform` processes of this machine that work on this workspace: run in the stack's folder
    with its `TF_DATA_DIR` (where that is readable; a process of another user counts by folder)."""
    found: list[Process] = []
    boot = _boot_time(proc)
    wanted = str(stack_dir.resolve())
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if Path(argv[0].decode(errors="replace")).name != "terraform":
                continue
            if str((entry / "cwd").readlink()) != wanted:
                continue
        except OSError:  # gone meanwhile, or not ours to read
            continue
        try:
            environment = dict(
                item.split(b"=", 1) for item in (entry / "environ").read_bytes().split(b"\0") if b"=" in item
            )
            data = environment.get(b"TF_DATA_DIR")
            if data is not None and Path(data.decode(errors="replace")).resolve() != data_dir.resolve():
                continue
        except OSError:
            pass
        command = " ".join(part.decode(errors="replace") for part in argv if part)
        found.append(Process(pid=int(entry.name), command=command, started=_started(proc, int(entry.name), boot)))
    return found


def live_holders(lock: LockInfo, stack_dir: Path, data_dir: Path, proc: Path = Path("/proc")) -> list[Process] | None:
    """The processes of this machine that may hold `lock`; `None` when this machine cannot tell
    (the lock was taken by another user or on another machine)."""
    if lock.who != this_holder():
        return None
    created = lock.created_at
    slack = datetime.timedelta(seconds=2)  # the clock ticks of /proc against the lock's timestamp
    return [
        process
        for process in terraform_processes(stack_dir, data_dir, proc)
        if created is None or process.started is None or process.started <= created + slack
    ]


def _describe_process(process: Process) -> str:
    since = f", running since {process.started:%H:%M:%S} UTC" if process.started else ""
    return f"pid {process.pid} `{process.command[:160]}`{since}"


def describe(lock: LockInfo, *, env: str, lock_object: str, holders: list[Process] | None) -> str:
    """The message for a plan or apply that found the state locked."""
    lines = [
        f"the state of {env} is locked ({LOCK_ERROR}, {lock_object}):",
        f"  lock ID:   {lock.id}",
        f"  held by:   {lock.who or 'unknown'}",
        f"  since:     {lock.since()}",
        f"  operation: {lock.operation_name}" + (f" (Terraform {lock.version})" if lock.version else ""),
    ]
    if holders:
        lines.append("Its holder still runs on this machine: " + "; ".join(_describe_process(p) for p in holders))
        lines.append(
            "Wait for it to finish (Ctrl-C in its terminal stops it and saves the state), then run this again."
        )
        return "\n".join(lines)
    if holders is None:
        lines.append(f"If that run still goes on ({lock.who or 'another machine'}), wait for it to finish.")
    else:
        lines.append(f"No terraform of this workspace runs on this machine ({lock.who}): the lock is stale.")
    lines += [
        "A run that was killed (SIGKILL, a cancelled or dead CI runner) leaves its lock behind; release it with",
        f"  make unlock ENV={env} LOCK_ID={lock.id}",
        f"then `make plan ENV={env}`: it finds what the killed run created but did not record, and offers to adopt it.",
    ]
    return "\n".join(lines)


def read(client: Any, bucket: str, key: str) -> tuple[LockInfo | None, str | None]:
    """The lock object of the state `key` (`<key>.tflock`): `(lock, None)`, `(None, None)` when
    there is no lock, or `(None, reason)` when it could not be read."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        body = client.get_object(Bucket=bucket, Key=f"{key}.tflock")["Body"].read()
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in {"NoSuchKey", "404"}:
            return None, None
        return None, f"{code}: {error.response.get('Error', {}).get('Message', '')}".strip()
    except BotoCoreError as error:
        return None, str(error)
    try:
        document = json.loads(body)
    except ValueError:
        return None, f"s3://{bucket}/{key}.tflock is not a Terraform lock (not JSON)"
    if not isinstance(document, dict) or not document.get("ID"):
        return None, f"s3://{bucket}/{key}.tflock is not a Terraform lock (no ID)"
    return LockInfo.from_json(document), None


def check_release(
    lock: LockInfo | None, lock_id: str, *, env: str, lock_object: str, holders: list[Process] | None
) -> None:
    """Refuse to release anything but the current lock, and a lock whose holder still runs here."""
    if lock is None:
        raise UserError(
            f"there is no lock on the state of {env} ({lock_object}): nothing to release (LOCK_ID={lock_id})"
        )
    if lock.id != lock_id:
        raise UserError(
            f"LOCK_ID={lock_id} is not the lock on the state of {env}: the lock is {lock.id} "
            f"(held by {lock.who or 'unknown'} since {lock.since()}; operation {lock.operation_name}); "
            "nothing was released"
        )
    if holders:
        raise UserError(
            f"refusing to release lock {lock.id} of {env}: it was taken by this machine ({lock.who}) and its "
            "holder still runs: " + "; ".join(_describe_process(p) for p in holders) + ". Wait for it to finish "
            "(Ctrl-C in its terminal stops it and saves the state), or stop it, then run this again"
        )
