"""No secret in what the CLI writes: plan JSON and gate reports are scanned for secret attributes.

`terraform show -json` prints sensitive values in clear, and checkov copies resource attributes
into its JSON report (it masks some, such as `secret_string`, not others, such as `auth_token`).
Both end up as CI artifacts. The scan walks a JSON document for the attributes below and flags
every value that is set, is not a `${…}` reference and is not masked; a non-JSON file (JUnit XML)
is searched for the values found in the JSON files scanned with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.errors import UserError

SECRET_ATTRIBUTES = frozenset(
    {
        "auth_token",  # aws_elasticache_replication_group
        "password",  # aws_db_instance, aws_db_proxy auth, …
        "master_password",  # aws_rds_cluster, aws_docdb_cluster, aws_redshift_cluster
        "secret_string",  # aws_secretsmanager_secret_version
        "secret_binary",
        "random_password",  # data.aws_secretsmanager_random_password
        "private_key",  # aws_iam_server_certificate, aws_acm_certificate
        "private_key_pem",  # tls_private_key
        "private_key_openssh",
        "secret",  # aws_iam_access_key
        "ses_smtp_password_v4",
        "client_secret",  # aws_cognito_user_pool_client
    }
)
# Attributes that are secret only on one resource type (the `result` of a random_password).
SECRET_ATTRIBUTES_OF_TYPE = {"random_password": frozenset({"result", "bcrypt_hash"})}
_MASKED = re.compile(r".{0,6}\*{3,}")  # checkov keeps up to 6 characters, then "**********"
_PLACEHOLDERS = frozenset({"<sensitive>", "(sensitive value)", "(sensitive)", "redacted", "[redacted]"})


@dataclass(frozen=True)
class Leak:
    """Where a secret value sits: the file and the JSON path (never the value)."""

    file: Path
    location: str

    def __str__(self) -> str:
        return f"{self.file}: {self.location}"


def is_secret_value(value: Any) -> bool:
    """A value worth hiding: a non-empty string that is neither a reference nor masked."""
    if not isinstance(value, str) or not value.strip() or "${" in value:
        return False
    return not (_MASKED.fullmatch(value) or value.strip().lower() in _PLACEHOLDERS)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """The strings of a value, through lists (checkov wraps attributes in one-element lists)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def find_secrets(
    document: Any, path: str = "$", secret_keys: frozenset[str] = SECRET_ATTRIBUTES
) -> Iterator[tuple[str, str]]:
    """(JSON path, value) of every secret attribute with a secret value in `document`."""
    if isinstance(document, dict):
        kind = document.get("type")
        if isinstance(kind, str) and kind in SECRET_ATTRIBUTES_OF_TYPE:
            secret_keys = secret_keys | SECRET_ATTRIBUTES_OF_TYPE[kind]
        for key, value in document.items():
            here = f"{path}.{key}"
            if key in secret_keys:
                yield from ((where, text) for where, text in _strings(value, here) if is_secret_value(text))
            if isinstance(value, (dict, list)):
                yield from find_secrets(value, here, secret_keys)
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield from find_secrets(item, f"{path}[{index}]", secret_keys)


def scan(files: Iterable[Path], known: Iterable[str] = ()) -> list[Leak]:
    """Every secret in `files`: secret attributes of the JSON ones, and in any file the text of
    a secret found in them or given as `known` (values read from the scanned inputs)."""
    leaks: list[Leak] = []
    values = {value for value in known if is_secret_value(value)}
    texts: dict[Path, str] = {}
    for file in files:
        text = file.read_text(encoding="utf-8", errors="replace")
        texts[file] = text
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            continue
        for location, value in find_secrets(document):
            leaks.append(Leak(file, location))
            values.add(value)
    flagged = {leak.file for leak in leaks}
    for file, text in texts.items():
        if file not in flagged and any(value in text for value in values):
            leaks.append(Leak(file, "the text holds the value of a secret attribute"))
    return leaks


def secret_values_of(files: Iterable[Path]) -> set[str]:
    """The secret values in the JSON `files` (to find them again in what is made from them)."""
    values: set[str] = set()
    for file in files:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        values.update(value for _, value in find_secrets(document))
    return values


def refuse_secrets(files: Iterable[Path], *, what: str, known: Iterable[str] = ()) -> None:
    """Raise `UserError` naming each leak (file and JSON path, never the value) after deleting
    the files that hold one, so that no later step (a CI upload) can publish them."""
    leaks = scan(list(files), known)
    if not leaks:
        return
    for file in sorted({leak.file for leak in leaks}):
        file.unlink(missing_ok=True)
    raise UserError(
        f"{what} held secret values (deleted; the values are not shown):\n  "
        + "\n  ".join(str(leak) for leak in leaks)
        + "\nkeep the value out of Terraform (a secret that AWS generates and the service reads at run time)"
    )
