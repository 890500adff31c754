"""The plan's orphan gate (`cli/terraform.py`): it fails on planned creates that already exist,
discards the saved plan, and keeps the import blocks an adopting plan used (moto in this process)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cli import target, terraform
from cli.errors import UserError

AWS = target.Target(name=target.AWS, description="AWS (eu-central-1)")


def _plan(*roles: str) -> dict[str, Any]:
    return {
        "resource_changes": [
            {
                "address": f"aws_iam_role.{name.replace('-', '_')}",
                "mode": "managed",
                "type": "aws_iam_role",
                "name": name.replace("-", "_"),
                "change": {"actions": ["create"], "after": {"name": name}, "after_unknown": {"arn": True}},
            }
            for name in roles
        ],
        "configuration": {"root_module": {"resources": []}},
    }


@pytest.fixture
def work(tmp_path: Path) -> Iterator[Path]:
    with mock_aws():
        boto3.client("iam", region_name="eu-central-1").create_role(
            RoleName="matbakh-dev-api-persona-lambda",
            AssumeRolePolicyDocument="{}",
            Tags=[{"Key": "Environment", "Value": "dev"}],
        )
        for name in ("plan.tfplan", "plan.json"):
            (tmp_path / name).write_text("saved")
        yield tmp_path


def _gate(work: Path, plan: dict[str, Any], adopted: list[dict[str, str]]) -> None:
    terraform._refuse_orphans(
        plan,
        env="dev",
        region="eu-central-1",
        run_target=AWS,
        name_prefix="matbakh-dev-api",
        adopt_file=work / terraform.ADOPT_FILE,
        adopted=adopted,
        discard=(work / "plan.tfplan", work / "plan.json"),
    )


def test_an_orphan_fails_the_plan_discards_it_and_leaves_its_import_block(work: Path) -> None:
    with pytest.raises(UserError) as refused:
        _gate(work, _plan("matbakh-dev-api-persona-lambda", "matbakh-dev-api-auth-lambda"), adopted=[])
    message = str(refused.value)
    assert message.startswith("1 resource(s) this plan of dev would create already exist in AWS (eu-central-1)")
    assert "  aws_iam_role.matbakh_dev_api_persona_lambda: matbakh-dev-api-persona-lambda (tagged Environment=dev)" in (
        message
    )
    assert "  make plan ENV=dev IMPORT=yes" in message
    assert not (work / "plan.tfplan").exists() and not (work / "plan.json").exists()
    assert json.loads((work / terraform.ADOPT_FILE).read_text())["import"] == [
        {"to": "aws_iam_role.matbakh_dev_api_persona_lambda", "id": "matbakh-dev-api-persona-lambda"}
    ]


def test_an_adopting_plan_that_finds_more_keeps_the_blocks_it_used(work: Path) -> None:
    used = [{"to": "aws_db_instance.database", "id": "matbakh-dev-api-db"}]
    with pytest.raises(UserError) as refused:
        _gate(work, _plan("matbakh-dev-api-persona-lambda"), adopted=used)
    assert "They were found only now" in str(refused.value)
    assert json.loads((work / terraform.ADOPT_FILE).read_text())["import"] == [
        *used,
        {"to": "aws_iam_role.matbakh_dev_api_persona_lambda", "id": "matbakh-dev-api-persona-lambda"},
    ]


def test_a_plan_without_orphans_passes_and_removes_old_import_blocks(work: Path) -> None:
    (work / terraform.ADOPT_FILE).write_text('{"import": []}')
    _gate(work, _plan("matbakh-dev-api-auth-lambda"), adopted=[])
    assert not (work / terraform.ADOPT_FILE).exists()
    assert (work / "plan.tfplan").read_text() == "saved"
