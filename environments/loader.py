"""Read `environments/<env>.yaml` into `EnvironmentConfig`, reporting every problem at once.

Each message names the file, the dotted field, what is wrong and the value given, e.g.
`environments/prod.yaml: rds.cpu_alarm_threshold_percent: must be ≤ 100 (got 150)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from environments.errors import ConfigError
from environments.schema import ACCOUNT, ENVIRONMENT_NAMES, AccountConfig, EnvironmentConfig, StackSetConfig

__all__ = ["ConfigError", "load_account", "load_environment", "load_environments", "parse_environment"]

ENVIRONMENTS_DIR = Path(__file__).resolve().parent
Config = TypeVar("Config", bound=StackSetConfig)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _dotted(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(top level)"


def _allowed_fields(model: type[Any], location: tuple[int | str, ...]) -> list[str]:
    """Field names (YAML spelling) of the model at `location`, for 'unknown setting' errors."""
    for part in location:
        fields = {field.alias or name: field for name, field in model.model_fields.items()}
        field = fields.get(str(part))
        annotation = getattr(field, "annotation", None) if field else None
        # An optional sub-model (`X | None`) lists the fields of X.
        members = [m for m in getattr(annotation, "__args__", ()) if hasattr(m, "model_fields")]
        annotation = members[0] if len(members) == 1 and not hasattr(annotation, "model_fields") else annotation
        if not (isinstance(annotation, type) and hasattr(annotation, "model_fields")):
            return []
        model = annotation
    return sorted(field.alias or name for name, field in model.model_fields.items() if name != "name")


def _describe(error: Any, model: type[StackSetConfig]) -> str:
    location: tuple[int | str, ...] = tuple(error["loc"])
    value = error.get("input")
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(_allowed_fields(model, location[:-1]))
        return f"{_dotted(location)}: unknown setting; allowed: {allowed} (got {value!r})"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{_dotted(location)}: {message} (got {value!r})"


def parse_environment(name: str, text: str, source: Path) -> EnvironmentConfig:
    """Validate the YAML `text` of environment `name`; `source` is only used in messages."""
    return _parse(EnvironmentConfig, name, text, source)


def _parse(model: type[Config], name: str, text: str, source: Path) -> Config:
    where = _display(source)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        position = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError([f"{where}: {position}YAML syntax error: {problem}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([f"{where}: the file must be a mapping of settings (got a {type(data).__name__})"])
    if "name" in data:
        raise ConfigError([f"{where}: name: is taken from the file name; remove it (got {data['name']!r})"])
    try:
        return model.model_validate({**data, "name": name})
    except ValidationError as error:
        raise ConfigError([f"{where}: {_describe(item, model)}" for item in error.errors()]) from None


def load_environment(name: str, directory: Path = ENVIRONMENTS_DIR) -> EnvironmentConfig:
    """The validated configuration of environment `name` from `<directory>/<name>.yaml`."""
    if name not in ENVIRONMENT_NAMES:
        known = ", ".join(ENVIRONMENT_NAMES)
        raise ConfigError([f"unknown environment {name!r}: known environments are {known}"])
    return _parse(EnvironmentConfig, name, _read(directory / f"{name}.yaml"), directory / f"{name}.yaml")


def load_account(directory: Path = ENVIRONMENTS_DIR) -> AccountConfig:
    """The validated configuration of the account-level stack from `<directory>/account.yaml`."""
    path = directory / f"{ACCOUNT}.yaml"
    return _parse(AccountConfig, ACCOUNT, _read(path), path)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{_display(path)}: file not found (each stack set needs one, even if empty)"]) from None


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
