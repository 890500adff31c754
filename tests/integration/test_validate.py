"""`terraform validate` on every synthesized stack, and tags on every taggable resource."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run
from tests.integration.conftest import Workbench

pytestmark = pytest.mark.integration

REQUIRED_TAGS = {"Environment", "Service", "ManagedBy", "CostCenter"}


def test_every_stack_validates_offline(workbench: Workbench) -> None:
    workbench.synth()
    result = workbench.cli("validate")
    assert result.returncode == 0, result.stderr
    for stack in ("dev", "dev-bootstrap", "staging", "staging-bootstrap", "prod", "prod-bootstrap"):
        assert f"validate: {stack} ok" in result.stdout


def _provider_schema(workbench: Workbench, scratch: Path) -> dict[str, Any]:
    """The AWS provider's own resource schemas, from a scratch configuration that only requires it."""
    (scratch / "main.tf.json").write_text(
        json.dumps({"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}}})
    )
    plugin_dir = workbench.env.get("TF_PLUGIN_DIR")
    init = ["terraform", "init", "-input=false", *([f"-plugin-dir={plugin_dir}"] if plugin_dir else [])]
    assert run(init, cwd=scratch, env=workbench.env, inherit=False).returncode == 0
    result = run(["terraform", "providers", "schema", "-json"], cwd=scratch, env=workbench.env, inherit=False)
    assert result.returncode == 0, result.stderr
    schemas: dict[str, Any] = json.loads(result.stdout)["provider_schemas"]
    return next(iter(schemas.values()))["resource_schemas"]  # type: ignore[no-any-return]


def test_every_taggable_resource_carries_the_four_tags(workbench: Workbench, tmp_path: Path) -> None:
    """Taggable means: the provider's own schema gives the resource type a `tags` argument."""
    workbench.synth()
    schema = _provider_schema(workbench, tmp_path)
    checked = 0
    for stack_file in sorted(Path(workbench.root / "cdktf.out" / "stacks").glob("*/cdk.tf.json")):
        stack = json.loads(stack_file.read_text())
        for kind, instances in stack.get("resource", {}).items():
            if "tags" not in schema[kind]["block"]["attributes"]:
                continue
            for name, body in instances.items():
                checked += 1
                assert set(body.get("tags", {})) >= REQUIRED_TAGS, f"{stack_file.parent.name}: {kind}.{name}"
    assert checked >= 9
