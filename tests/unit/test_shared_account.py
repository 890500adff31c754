"""The rules across environments that share one AWS account (environments/shared_account.py),
through `load_stack_sets` (what synthesis calls) on directories of YAML files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from cli.config_files import ENVIRONMENTS_DIR, load_stack_sets
from environments.loader import ConfigError
from tests.conftest import PYTHON, run


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped environment files."""
    for path in ENVIRONMENTS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _set(directory: Path, name: str, dotted: str, value: object) -> None:
    """Set one field of a stack set's file (comments are lost; the values stay)."""
    path = directory / f"{name}.yaml"
    data = yaml.safe_load(path.read_text()) or {}
    *parents, last = dotted.split(".")
    node = data
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    path.write_text(yaml.safe_dump(data))


def _file(directory: Path, name: str) -> str:
    return str(directory / f"{name}.yaml")


def _messages(directory: Path, names: list[str]) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_stack_sets(names, directory)
    return raised.value.messages


def test_the_shipped_environments_pass_every_rule(shipped: Path) -> None:
    configs, account = load_stack_sets(["dev", "staging", "prod", "account"], shipped)
    assert [c.name for c in configs] == ["dev", "staging", "prod"]
    assert account is not None
    cidrs = {c.name: c.network.cidr_block for c in configs}
    assert len(set(cidrs.values())) == 3, cidrs


def test_reservations_that_overflow_the_shared_quota_name_every_file(shipped: Path) -> None:
    # 5 functions × 50 in dev and staging, 5 × 100 in prod: 1000 > 1000 - 100
    for key in ("persona", "vc-start", "vc-result", "auth", "upload"):
        _set(shipped, "prod", f"lambda.functions.{key}", {"reserved_concurrency": 100})
    (message,) = _messages(shipped, ["prod"])  # prod alone is synthesized; dev and staging are read
    files = ", ".join(_file(shipped, name) for name in ("dev", "staging", "prod"))
    assert message == (
        f"{files}: lambda.functions.*.reserved_concurrency: dev and staging and prod share the account of "
        "environments/account.yaml in eu-central-1 and reserve 1000 together (dev 250, staging 250, prod 500), "
        "but a quota of 1000 (lambda.account_concurrency_quota) leaves only 900 (AWS keeps 100 unreserved); "
        "lower reserved_concurrency, or raise the quota with AWS and then account_concurrency_quota"
    )


def test_environments_in_accounts_of_their_own_reserve_apart(shipped: Path) -> None:
    _set(shipped, "prod", "account_id", "111122223333")
    _set(shipped, "prod", "lambda.functions.auth", {"reserved_concurrency": 600})
    configs, _ = load_stack_sets(["prod"], shipped)
    assert configs[0].account_id == "111122223333"


def test_environments_in_other_regions_reserve_apart(shipped: Path) -> None:
    _set(shipped, "staging", "lambda.functions.auth", {"reserved_concurrency": 500})
    assert "reserve 1200 together (dev 250, staging 700, prod 250)" in _messages(shipped, ["staging"])[0]
    _set(shipped, "staging", "region", "eu-west-1")
    _set(shipped, "staging", "network.availability_zones", ["eu-west-1a", "eu-west-1b", "eu-west-1c"])
    configs, _ = load_stack_sets(["staging"], shipped)
    assert configs[0].region == "eu-west-1"


def test_overlapping_vpc_ranges_name_both_files_and_the_field(shipped: Path) -> None:
    _set(shipped, "dev", "network.cidr_block", "10.40.128.0/20")
    (message,) = _messages(shipped, ["dev"])
    assert message == (
        f"{_file(shipped, 'prod')}: network.cidr_block: 10.40.0.0/16 overlaps dev's 10.40.128.0/20 "
        f"({_file(shipped, 'dev')}: network.cidr_block); give each environment a range of its own"
    )


def test_an_existing_vpc_is_not_compared(shipped: Path) -> None:
    _set(shipped, "dev", "network.cidr_block", "10.40.0.0/16")
    assert _messages(shipped, ["dev"])
    subnets = ["subnet-0a1b2c3d4e5f60781", "subnet-0a1b2c3d4e5f60782"]
    _set(shipped, "dev", "network.existing", {"vpc_id": "vpc-0a1b2c3d4e5f60789", "private_subnet_ids": subnets})
    configs, _ = load_stack_sets(["dev"], shipped)
    assert configs[0].network.existing is not None


def test_a_total_budget_below_the_soft_budgets_needs_a_reason(shipped: Path) -> None:
    configs, _ = load_stack_sets(["dev", "staging", "prod"], shipped)
    soft = {config.name: f"{config.budget.soft_limit_eur:g}" for config in configs}
    total = sum(config.budget.soft_limit_eur for config in configs)
    assert load_stack_sets(["account"], shipped)[1] is not None  # the shipped total covers them
    _set(shipped, "account", "budget.total_limit_eur", 100)
    (message,) = _messages(shipped, ["account"])
    assert message == (
        f"{_file(shipped, 'account')}: budget.total_limit_eur: 100 EUR is below the soft budgets of the "
        f"environments in the account added up ({total:g} EUR: dev {soft['dev']}, staging "
        f"{soft['staging']}, prod {soft['prod']}); raise it, or say why in budget.below_environments_reason"
    )
    _set(shipped, "account", "budget.total_limit_eur", 200)
    _set(shipped, "account", "budget.below_environments_reason", "the seed caps the account at 200 EUR")
    assert load_stack_sets(["account"], shipped)[1] is not None


def test_synthesis_refuses_overlapping_ranges_and_writes_nothing(repo_copy: Path) -> None:
    dev = repo_copy / "environments" / "dev.yaml"
    dev.write_text(dev.read_text().replace("cidr_block: 10.42.0.0/16", "cidr_block: 10.40.0.0/16"))
    completed = run([PYTHON, "main.py", "--env", "dev", "--outdir", str(repo_copy / "out")], cwd=repo_copy)
    assert completed.returncode == 2, completed.stderr
    assert "environments/prod.yaml: network.cidr_block: 10.40.0.0/16 overlaps dev's 10.40.0.0/16" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (repo_copy / "out" / "stacks").exists()


def test_an_environment_sharing_the_account_needs_the_account_set(shipped: Path) -> None:
    """Its distribution finds the account's CloudFront policies by name (account-bootstrap makes them)."""
    (shipped / "account.yaml").unlink()
    assert _messages(shipped, ["dev"]) == [  # dev is synthesized; staging and prod are read
        f"{_file(shipped, env)}: cdn: {env}'s distribution uses the account's CloudFront policies, which "
        f"account-bootstrap creates from {_file(shipped, 'account')}, but that file is missing: add it, or make {env} "
        "an environment alone in an account of its own (delivery.create_oidc_provider: true)"
        for env in ("dev", "staging", "prod")
    ]
    _set(shipped, "dev", "delivery.create_oidc_provider", True)
    _set(shipped, "staging", "delivery.create_oidc_provider", True)
    _set(shipped, "prod", "delivery.create_oidc_provider", True)
    configs, _ = load_stack_sets(["dev"], shipped)
    assert configs[0].own_cdn_policies is not None
