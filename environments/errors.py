"""The configuration error, importable without loading pydantic (the CLI's fast path needs that)."""

from __future__ import annotations


class ConfigError(Exception):
    """Bad configuration; `messages` holds one line per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages
