"""Parse the text of `environments/<env>.yaml` into `EnvironmentConfig`, reporting every problem at once
(`cli/config_files.py` reads the files: this package touches none).

Each message names the file, the dotted field, what is wrong and the value given, e.g.
`environments/prod.yaml: rds.cpu_alarm_threshold_percent: must be ≤ 100 (got 150)`.

The reading is strict: a file is at most 256 KiB of UTF-8 text; YAML anchors and aliases are
refused (none is needed, and an alias "bomb" of a few hundred bytes expands to gigabytes); a key
written twice in one mapping is an error (YAML would keep the last one silently); values quoted
in messages are cut to 100 characters.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node
from yaml.reader import ReaderError

from environments.errors import ConfigError
from environments.names import ACCOUNT
from environments.schema import AccountConfig, EnvironmentConfig, StackSetConfig

__all__ = ["ConfigError", "parse_account", "parse_environment"]

Config = TypeVar("Config", bound=StackSetConfig)
MAX_FILE_BYTES = 256 * 1024
MAX_QUOTED_CHARS = 100  # an ACM certificate ARN (83 characters) stays whole
_REFUSED = "are not allowed in environment files; write the value out"


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors and aliases, and with duplicate keys as errors."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.get_event()  # type: ignore[no-untyped-call]
            raise ComposerError(None, None, f"aliases (*{event.anchor}) {_REFUSED}", event.start_mark)
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise ComposerError(None, None, f"anchors (&{anchor}) {_REFUSED}", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) or key is None:
                if key in seen:
                    raise ConstructorError(
                        None,
                        None,
                        f"{_quote(key)} is written twice in this mapping (first on line {seen[key]}); keep one",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_QUOTED_CHARS else text[: MAX_QUOTED_CHARS - 1] + "…"


def _quote(value: Any) -> str:
    """`repr(value)`, cut to `MAX_QUOTED_CHARS` characters."""
    return _shorten(repr(value))


def _dotted(location: tuple[int | str, ...]) -> str:
    return ".".join(_shorten(str(part)) for part in location) or "(top level)"


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
        return f"{_dotted(location)}: unknown setting; allowed: {allowed} (got {_quote(value)})"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{_dotted(location)}: {message} (got {_quote(value)})"


def parse_environment(name: str, text: str, source: Path) -> EnvironmentConfig:
    """Validate the YAML `text` of environment `name`; `source` is only used in messages."""
    return _parse(EnvironmentConfig, name, text, source)


def parse_account(text: str, source: Path) -> AccountConfig:
    """Validate the YAML `text` of the account's stack set; `source` is only used in messages."""
    return _parse(AccountConfig, ACCOUNT, text, source)


def _parse(model: type[Config], name: str, text: str, source: Path) -> Config:
    where = display(source)
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError([f"{where}: {too_large(len(text.encode()))}"])
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise ConfigError([f"{where}: line {line}: {error.reason} (character #x{error.character:04x})"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        position = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        kind = "YAML syntax error: " if not isinstance(error, (ComposerError, ConstructorError)) else ""
        raise ConfigError([f"{where}: {position}{kind}{problem}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([f"{where}: the file must be a mapping of settings (got a {type(data).__name__})"])
    if "name" in data:
        raise ConfigError([f"{where}: name: is taken from the file name; remove it (got {_quote(data['name'])})"])
    try:
        return model.model_validate({**data, "name": name})
    except ValidationError as error:
        raise ConfigError([f"{where}: {_describe(item, model)}" for item in error.errors()]) from None


def too_large(size: int) -> str:
    return f"the file is {size} bytes; an environment file may be at most {MAX_FILE_BYTES // 1024} KiB"
