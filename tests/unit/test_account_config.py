"""`account_id` (account.yaml, and per environment), the OIDC provider's source and the adopted
services monitor: bad values name the file and the field; an environment defaults to the account's."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.config_files import load_account, load_environment
from environments.loader import ConfigError, parse_environment
from tests.conftest import PYTHON, run

TWELVE = "111122223333"


def _directory(tmp_path: Path, account: str, dev: str = "") -> Path:
    (tmp_path / "account.yaml").write_text(account)
    (tmp_path / "dev.yaml").write_text(dev)
    return tmp_path


def _messages(load: object) -> list[str]:
    assert callable(load)
    with pytest.raises(ConfigError) as raised:
        load()
    return raised.value.messages


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ('"12345"', "must be exactly 12 digits (the AWS account id), or null (got '12345')"),
        ('"1111-2222-3333"', "must be exactly 12 digits (the AWS account id), or null (got '1111-2222-3333')"),
        ("111122223333", "must be the account's 12 digits written as a quoted string"),
    ],
    ids=["too short", "dashes", "unquoted"],
)
def test_a_bad_account_id_names_the_file_and_the_field(tmp_path: Path, value: str, reason: str) -> None:
    directory = _directory(tmp_path, f"account_id: {value}\n")
    (message,) = _messages(lambda: load_account(directory))
    assert message.startswith(f"{directory / 'account.yaml'}: account_id: ")
    assert reason in message


def test_a_bad_account_id_of_an_environment_names_its_file() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_environment("dev", 'account_id: "abc"\n', Path("environments/dev.yaml"))
    assert raised.value.messages == [
        "environments/dev.yaml: account_id: must be exactly 12 digits (the AWS account id), or null (got 'abc')"
    ]


def test_an_environment_takes_the_accounts_id_unless_it_names_its_own(tmp_path: Path) -> None:
    directory = _directory(tmp_path, f'account_id: "{TWELVE}"\n')
    assert load_environment("dev", directory).account_id == TWELVE
    (directory / "dev.yaml").write_text('account_id: "444455556666"\n')
    assert load_environment("dev", directory).account_id == "444455556666"
    (directory / "account.yaml").write_text("account_id: null\n")
    (directory / "dev.yaml").write_text("")
    assert load_environment("dev", directory).account_id is None


def test_the_shipped_files_name_no_account() -> None:
    text = (Path("environments") / "account.yaml").read_text()
    assert "\naccount_id: null\n" in text and "set this" in text.lower()
    assert load_account().account_id is None
    assert all(load_environment(env).account_id is None for env in ("dev", "staging", "prod"))


def test_the_provider_is_created_or_named_never_both() -> None:
    arn = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    with pytest.raises(ConfigError) as raised:
        parse_environment(
            "dev",
            f"delivery:\n  oidc_provider_arn: {arn}\n  create_oidc_provider: true\n",
            Path("environments/dev.yaml"),
        )
    (message,) = raised.value.messages
    assert message.startswith("environments/dev.yaml: delivery: create_oidc_provider: true and oidc_provider_arn")


def test_a_bad_services_monitor_arn_names_the_field(tmp_path: Path) -> None:
    directory = _directory(tmp_path, "anomaly_detection:\n  existing_service_monitor_arn: monitor-1\n")
    (message,) = _messages(lambda: load_account(directory))
    assert message.startswith(f"{directory / 'account.yaml'}: anomaly_detection.existing_service_monitor_arn: ")
    assert "anomalymonitor" in message


def test_synthesis_reports_a_bad_account_id_once(repo_copy: Path) -> None:
    """Every environment reads account.yaml for its default account; its problem is still listed once."""
    (repo_copy / "environments" / "account.yaml").write_text('account_id: "12"\n')
    result = run([PYTHON, "main.py", "--env", "dev", "--env", "prod"], cwd=repo_copy)
    assert result.returncode == 2
    assert result.stderr.count("environments/account.yaml: account_id: must be exactly 12 digits") == 1
    assert "Traceback" not in result.stderr
    assert not (repo_copy / "cdktf.out" / "stacks").exists()
