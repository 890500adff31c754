"""Read the stack sets' files (`environments/<set>.yaml`) into validated configurations.

The reading is strict: a file is at most `MAX_FILE_BYTES` of UTF-8 text, else a `ConfigError`
naming the file (`environments.loader` parses the text, and touches no file).
"""

from __future__ import annotations

from pathlib import Path

from cli.settings import ROOT
from environments.errors import ConfigError
from environments.loader import MAX_FILE_BYTES, display, parse_account, parse_environment, too_large
from environments.names import ACCOUNT, ENVIRONMENT_NAMES
from environments.schema import AccountConfig, EnvironmentConfig

ENVIRONMENTS_DIR = ROOT / "environments"


def load_environment(name: str, directory: Path = ENVIRONMENTS_DIR) -> EnvironmentConfig:
    """The validated configuration of environment `name` from `<directory>/<name>.yaml`."""
    if name not in ENVIRONMENT_NAMES:
        known = ", ".join(ENVIRONMENT_NAMES)
        raise ConfigError([f"unknown environment {name!r}: known environments are {known}"])
    path = directory / f"{name}.yaml"
    config = parse_environment(name, _read(path), path)
    if config.account_id is None and (directory / f"{ACCOUNT}.yaml").exists():
        # The environment's account is the account stack set's unless its own file names another.
        shared = load_account(directory).account_id
        if shared is not None:
            config = config.model_copy(update={"account_id": shared})
    return config


def load_account(directory: Path = ENVIRONMENTS_DIR) -> AccountConfig:
    """The validated configuration of the account-level stack from `<directory>/account.yaml`."""
    path = directory / f"{ACCOUNT}.yaml"
    return parse_account(_read(path), path)


def _read(path: Path) -> str:
    """The file's text: at most `MAX_FILE_BYTES` of UTF-8, else a `ConfigError` naming the file."""
    where = display(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError([f"{where}: file not found (each stack set needs one, even if empty)"]) from None
    except OSError as error:
        raise ConfigError([f"{where}: cannot be read: {error.strerror}"]) from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError([f"{where}: {too_large(path.stat().st_size)}"])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line, column = before.count(b"\n") + 1, error.start - (before.rfind(b"\n") + 1) + 1
        raise ConfigError(
            [
                f"{where}: line {line}, column {column}: not UTF-8 text (byte 0x{data[error.start]:02x}); "
                "save the file as UTF-8"
            ]
        ) from None


def load_environments(names: list[str], directory: Path = ENVIRONMENTS_DIR) -> list[EnvironmentConfig]:
    """All requested environments, or a `ConfigError` with the problems of all of them."""
    configs: list[EnvironmentConfig] = []
    messages: list[str] = []
    for name in names:
        try:
            configs.append(load_environment(name, directory))
        except ConfigError as error:
            messages.extend(error.messages)
    if messages:
        raise ConfigError(messages)
    return configs


def load_stack_sets(
    names: list[str], directory: Path = ENVIRONMENTS_DIR
) -> tuple[list[EnvironmentConfig], AccountConfig | None]:
    """The requested stack sets (environments, and the account's when named), validated together with
    every other stack set file in `directory` by the rules across environments sharing an account
    (`environments.shared_account`); a `ConfigError` with every problem of every file."""
    from environments.shared_account import shared_account_problems

    messages: list[str] = []
    configs: dict[str, EnvironmentConfig] = {}
    account: AccountConfig | None = None
    others = [n for n in ENVIRONMENT_NAMES if n not in names and (directory / f"{n}.yaml").exists()]
    for name in [n for n in names if n != ACCOUNT] + others:
        try:
            configs[name] = load_environment(name, directory)
        except ConfigError as error:
            messages.extend(error.messages)
    if ACCOUNT in names or (directory / f"{ACCOUNT}.yaml").exists():
        try:
            account = load_account(directory)
        except ConfigError as error:
            if ACCOUNT in names:
                messages.extend(error.messages)
    if messages:
        raise ConfigError(list(dict.fromkeys(messages)))
    ordered = [configs[n] for n in ENVIRONMENT_NAMES if n in configs]
    problems = shared_account_problems(ordered, account, lambda name: display(directory / f"{name}.yaml"))
    if problems:
        raise ConfigError(problems)
    return [configs[n] for n in names if n != ACCOUNT], account if ACCOUNT in names else None
