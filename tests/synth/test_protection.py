"""prod's stateful resources carry `lifecycle.prevent_destroy` (stacks/protection.py, issue 18); no other
stack set's do; `make destroy ENV=prod` is refused before Terraform runs, naming them."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli import plan_guard, target, terraform
from cli.errors import UserError
from cli.settings import Settings
from stacks.protection import STATEFUL_RESOURCES
from tests.conftest import copy_repository, resources, synthesize

# What cli/plan_guard.py guards, and the serverless cache (the other form of the cache).
STATEFUL = plan_guard.STATEFUL_TYPES | {"aws_elasticache_serverless_cache"}


def _stateful(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{kind}.{name}": body for kind in sorted(STATEFUL) for name, body in resources(stack, kind).items()}


def _protected(stack: dict[str, Any]) -> list[str]:
    return terraform.protected_addresses(stack)


def test_the_protected_classes_are_the_stateful_types_the_stacks_create(stacks: dict[str, dict[str, Any]]) -> None:
    protected_types = {cls.TF_RESOURCE_TYPE for cls in STATEFUL_RESOURCES}
    created = {kind for stack in stacks.values() for kind in stack.get("resource", {})}
    assert (STATEFUL & created) - protected_types == set()
    assert protected_types <= STATEFUL


@pytest.mark.parametrize("name", ["prod", "prod-bootstrap"])
def test_every_stateful_resource_of_prod_is_protected_and_nothing_else(
    stacks: dict[str, dict[str, Any]], name: str
) -> None:
    stateful = _stateful(stacks[name])
    assert stateful, name
    assert _protected(stacks[name]) == sorted(stateful)
    kinds = {address.split(".")[0] for address in stateful}
    expected = {"aws_s3_bucket", "aws_kms_key"} | (
        {"aws_db_instance", "aws_elasticache_replication_group"} if name == "prod" else set()
    )
    assert kinds == expected


def test_the_protection_keeps_the_other_lifecycle_settings(stacks: dict[str, dict[str, Any]]) -> None:
    (cache,) = resources(stacks["prod"], "aws_elasticache_replication_group").values()
    assert cache["lifecycle"] == {"ignore_changes": ["replicas_per_node_group"], "prevent_destroy": True}


@pytest.mark.parametrize(
    "name", ["dev", "dev-bootstrap", "staging", "staging-bootstrap", "account", "account-bootstrap"]
)
def test_no_other_stack_set_is_protected(stacks: dict[str, dict[str, Any]], name: str) -> None:
    assert _stateful(stacks[name]) or name.startswith("account")
    assert _protected(stacks[name]) == []


def test_a_serverless_cache_of_prod_is_protected_too(tmp_path: Path) -> None:
    root = copy_repository(tmp_path / "repo")
    prod = root / "environments" / "prod.yaml"
    config = yaml.safe_load(prod.read_text()) or {}
    config["elasticache"] = {"serverless": {"max_data_storage_gb": 2, "max_ecpu_per_second": 5000}}
    prod.write_text(yaml.safe_dump(config, sort_keys=False))
    stack = synthesize(root / "cdktf.out", "--env", "prod", "--force", cwd=root)["prod"]
    (name,) = resources(stack, "aws_elasticache_serverless_cache")
    assert f"aws_elasticache_serverless_cache.{name}" in _protected(stack)


def test_destroying_prod_is_refused_before_terraform_naming_what_is_protected(
    synthesized_outdir: Path, stacks: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_target(*_: object) -> None:
        raise AssertionError("destroy resolved a target (and could have run terraform)")

    monkeypatch.setattr(target, "resolve", no_target)
    settings = dataclasses.replace(Settings.from_environment(), outdir=synthesized_outdir)
    with pytest.raises(UserError) as refused:
        terraform.destroy(settings, "prod", "eu-central-1", "prod")
    message = str(refused.value)
    protected = sorted(_stateful(stacks["prod"]))
    assert message.startswith(f"refusing to destroy prod: {len(protected)} of its resources hold data")
    assert message.splitlines()[1:-1] == [f"  {address}" for address in protected]
    assert message.endswith("never by `make destroy`")
    # Without CONFIRM the confirmation is asked for first, before anything is read.
    with pytest.raises(UserError, match=r"run `make destroy ENV=prod CONFIRM=prod`"):
        terraform.destroy(
            dataclasses.replace(settings, outdir=synthesized_outdir / "absent"), "prod", "eu-central-1", ""
        )


def test_destroying_dev_still_only_asks_for_confirmation(
    synthesized_outdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(target, "resolve", lambda *_: pytest.fail("no target without CONFIRM"))
    settings = dataclasses.replace(Settings.from_environment(), outdir=synthesized_outdir)
    with pytest.raises(UserError, match=r"run `make destroy ENV=dev CONFIRM=dev`"):
        terraform.destroy(settings, "dev", "eu-central-1", "")
