"""The account is named: every AWS provider of every stack pinned to it, global names carrying it;
and what the account holds once (cost-allocation tags, an adopted services anomaly monitor)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cli import gate, terraform
from cli.config_files import load_environment
from cli.errors import UserError
from cli.settings import Settings
from cli.terraform import refuse_unpinned_providers
from tests.conftest import copy_repository, only, resources, synthesize

ACCOUNT_ID = "111122223333"  # the shared account of the test copy
PROD_ACCOUNT_ID = "444455556666"  # prod alone in an account of its own
MONITOR = "arn:aws:ce::111122223333:anomalymonitor/0a1b2c3d-1111-2222-3333-444455556666"
SETS = ("dev", "staging", "prod", "account")
OIDC = "aws_iam_openid_connect_provider"


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every stack with the account named, prod in another account, and the default monitor adopted."""
    root = copy_repository(tmp_path_factory.mktemp("named") / "repo")
    account = root / "environments" / "account.yaml"
    account.write_text(
        account.read_text().replace("account_id: null", f'account_id: "{ACCOUNT_ID}"')
        + f"anomaly_detection:\n  existing_service_monitor_arn: {MONITOR}\n"
    )
    prod = root / "environments" / "prod.yaml"
    prod.write_text(
        prod.read_text() + f'account_id: "{PROD_ACCOUNT_ID}"\n' + "delivery:\n  create_oidc_provider: true\n"
    )
    return synthesize(root / "cdktf.out", "--force", cwd=root)


def _account_of(stack_name: str) -> str:
    return PROD_ACCOUNT_ID if stack_name.startswith("prod") else ACCOUNT_ID


def test_every_aws_provider_of_every_stack_is_pinned_to_its_account(named: dict[str, dict[str, Any]]) -> None:
    assert sorted(named) == sorted([*SETS, *(f"{name}-bootstrap" for name in SETS)])
    walked = []
    for stack_name, stack in named.items():
        providers = stack["provider"]["aws"]
        assert providers, stack_name
        for provider in providers:
            where = f"{stack_name}: provider {provider.get('alias', 'default')}"
            assert provider.get("allowed_account_ids") == [_account_of(stack_name)], where
            walked.append(where)
    # 3 environments x (main stack: default + edge; bootstrap: default) + the account set's two
    assert len(walked) == 3 * 3 + 2


def test_the_cli_refuses_aws_with_an_unpinned_provider_and_accepts_a_pinned_one(
    stacks: dict[str, dict[str, Any]], named: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """The shipped files leave account_id null: no stack may then be run against AWS."""
    for stack_name in stacks:
        shipped, pinned = tmp_path / f"{stack_name}.json", tmp_path / f"{stack_name}.pinned.json"
        shipped.write_text(json.dumps(stacks[stack_name]))
        pinned.write_text(json.dumps(named[stack_name]))
        with pytest.raises(UserError, match=r"account_id is null.*environments/account\.yaml"):
            refuse_unpinned_providers(shipped, stack_name)
        refuse_unpinned_providers(pinned, stack_name)
    one_missed = json.loads(json.dumps(named["dev"]))
    del one_missed["provider"]["aws"][1]["allowed_account_ids"]  # the edge provider
    (tmp_path / "missed.json").write_text(json.dumps(one_missed))
    with pytest.raises(UserError, match=r"provider\(s\) \(edge\)"):
        refuse_unpinned_providers(tmp_path / "missed.json", "dev")


@pytest.mark.parametrize("env", ["dev", "staging", "prod", "account"])
def test_the_state_bucket_carries_the_account_id_and_the_backend_follows(
    named: dict[str, dict[str, Any]], stacks: dict[str, dict[str, Any]], env: str
) -> None:
    service = "shared" if env == "account" else "api"
    expected = f"matbakh-{env}-{service}-tfstate-{_account_of(env)}"
    assert only(named[f"{env}-bootstrap"], "aws_s3_bucket")["bucket"] == expected
    assert named[env]["terraform"]["backend"]["s3"]["bucket"] == expected
    assert len(expected) <= 63
    # without an account id: the name as before
    assert only(stacks[f"{env}-bootstrap"], "aws_s3_bucket")["bucket"] == f"matbakh-{env}-{service}-tfstate"


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_the_cdn_buckets_carry_the_account_id(named: dict[str, dict[str, Any]], env: str) -> None:
    names = sorted(bucket["bucket"] for bucket in resources(named[env], "aws_s3_bucket").values())
    account = _account_of(env)
    assert names == [f"matbakh-{env}-api-cdn-assets-{account}", f"matbakh-{env}-api-cdn-logs-{account}"]


def test_an_environment_in_an_account_of_its_own_creates_its_provider(named: dict[str, dict[str, Any]]) -> None:
    assert resources(named["prod-bootstrap"], OIDC)
    assert OIDC not in named["prod-bootstrap"].get("data", {})
    for env in ("dev", "staging"):  # in the shared account: looked up
        assert not resources(named[f"{env}-bootstrap"], OIDC)
        assert OIDC in named[f"{env}-bootstrap"]["data"]


def test_the_account_stack_activates_the_cost_allocation_tags(stacks: dict[str, dict[str, Any]]) -> None:
    tags = resources(stacks["account"], "aws_ce_cost_allocation_tag").values()
    assert sorted((tag["tag_key"], tag["status"]) for tag in tags) == [
        ("CostCenter", "Active"),
        ("Environment", "Active"),
    ]
    assert [s for s in stacks if resources(stacks[s], "aws_ce_cost_allocation_tag")] == ["account"]


def test_by_default_the_stack_creates_the_services_monitor(stacks: dict[str, dict[str, Any]]) -> None:
    assert "import" not in stacks["account"]
    monitors = resources(stacks["account"], "aws_ce_anomaly_monitor").values()
    assert [m["monitor_dimension"] for m in monitors if m["monitor_type"] == "DIMENSIONAL"] == ["SERVICE"]


def test_an_existing_services_monitor_is_adopted_with_an_import_block(named: dict[str, dict[str, Any]]) -> None:
    """An account holds one DIMENSIONAL SERVICE monitor: the plan imports it (and renames it) instead of
    creating a second; the environment monitors are still created."""
    stack = named["account"]
    (block,) = stack["import"]
    monitors = resources(stack, "aws_ce_anomaly_monitor")
    (services,) = [name for name, m in monitors.items() if m["monitor_type"] == "DIMENSIONAL"]
    assert block == {"to": f"aws_ce_anomaly_monitor.{services}", "id": MONITOR}
    created = {name for name in monitors if f"aws_ce_anomaly_monitor.{name}" != block["to"]}
    assert len(created) == 3 and all(monitors[name]["monitor_type"] == "CUSTOM" for name in created)


def _settings_with(outdir_stacks: dict[str, dict[str, Any]], tmp_path: Path, target_name: str) -> Settings:
    for name in ("dev", "dev-bootstrap"):
        (tmp_path / "cdktf.out" / "stacks" / name).mkdir(parents=True)
        (tmp_path / "cdktf.out" / "stacks" / name / "cdk.tf.json").write_text(json.dumps(outdir_stacks[name]))
    base = Settings.from_environment()
    return dataclasses.replace(base, target=target_name, work_dir=tmp_path / ".work", outdir=tmp_path / "cdktf.out")


def test_plan_against_aws_refuses_while_account_id_is_null(
    stacks: dict[str, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused after the synthesized gate and before the cost gate, the bootstrap or any Terraform run."""
    settings = _settings_with(stacks, tmp_path, "aws")
    monkeypatch.setattr(gate, "gate", lambda *args, **kwargs: None)

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("terraform must not run")

    monkeypatch.setattr(subprocess, "run", never)
    with pytest.raises(UserError) as refused:
        terraform.plan(settings, "dev", "eu-central-1", None, load_environment("dev"))
    assert str(refused.value).startswith("dev-bootstrap: account_id is null")
    assert "set account_id (the account's 12 digits, quoted) in environments/account.yaml" in str(refused.value)
    assert not (settings.work_dir / "aws" / "dev").exists()


def test_the_gate_scans_a_stack_that_adopts_a_monitor_and_names_its_own_file(
    named: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """checkov 3.3 cannot parse a file with `import` blocks: the gate scans a copy without them, and
    its findings and the coverage of every resource still name the stack's own file."""

    def scan(name: str, stack: dict[str, Any]) -> tuple[Path, gate.GateResult]:
        stack_dir = tmp_path / name / "stacks" / "account"
        stack_dir.mkdir(parents=True)
        (stack_dir / "cdk.tf.json").write_text(json.dumps(stack, indent=1))
        result = gate.gate(
            Settings.from_environment().checkov,
            framework="terraform_json",
            targets=[stack_dir],
            report_dir=tmp_path / name / "report",
            require_all_skips_used=False,
            environment="account",
        )
        return stack_dir, result

    stack_dir, result = scan("adopting", named["account"])
    _, without = scan("without", {key: value for key, value in named["account"].items() if key != "import"})
    assert not result.parsing_errors and not result.unknown and not result.not_run
    assert (result.passed, result.passed_by_check) == (without.passed, without.passed_by_check)
    assert result.passed >= 10
    report = (tmp_path / "adopting" / "report" / "results_json.json").read_text()
    assert str(stack_dir) in report and ".gate-" not in report
    assert "import" in json.loads((stack_dir / "cdk.tf.json").read_text())  # the stack itself is untouched
    assert sorted(p.name for p in (tmp_path / "adopting" / "report").iterdir()) == [
        "results_json.json",
        "results_junitxml.xml",
        "results_sarif.sarif",
    ]
