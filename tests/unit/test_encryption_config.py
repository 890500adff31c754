"""`encryption.keys`: the one-key cost profile is dev's and staging's, never prod's."""

from __future__ import annotations

from pathlib import Path

import pytest

from environments.loader import ConfigError, parse_environment


def _errors(text: str, env: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_environment(env, text, Path(f"environments/{env}.yaml"))
    return raised.value.messages


def test_prod_refuses_one_key_for_the_environment() -> None:
    assert _errors("encryption: {keys: per-environment}\n", "prod") == [
        "environments/prod.yaml: encryption: keys must be per-service in prod: a grant on one service's key must not "
        "reveal another's data (got {'keys': 'per-environment'})"
    ]


def test_an_unknown_key_scope_names_the_allowed_ones() -> None:
    (message,) = _errors("encryption: {keys: per-region}\n", "dev")
    assert message.startswith(
        "environments/dev.yaml: encryption.keys: Input should be 'per-service' or 'per-environment'"
    )


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_dev_and_staging_may_share_one_key(env: str) -> None:
    assert parse_environment(
        env, "encryption: {keys: per-environment}\n", Path(f"environments/{env}.yaml")
    ).encryption.keys == ("per-environment")
    assert parse_environment(env, "{}\n", Path(f"environments/{env}.yaml")).encryption.keys == "per-service"
