"""`terraform import` blocks (Terraform ≥ 1.5) that adopt existing resources without replacing them.

Each resource of the environment is matched to the resource of the synthesized stack
(`cdktf.out/stacks/<env>/cdk.tf.json`) whose identifying arguments equal it, e.g. a Lambda
function to the `aws_lambda_function` whose `function_name` is its name; `${…}` references
between resources of the stack are resolved first. A match becomes an `import` block; a
resource the stack does not manage (yet) is listed as a comment with its import id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cli.discovery.model import Inventory

_REFERENCE = re.compile(r"\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}")


@dataclass(frozen=True)
class ImportCandidate:
    """A resource to adopt: its Terraform type, import id and the arguments that identify it."""

    resource_type: str
    import_id: str
    match: tuple[tuple[str, str], ...]
    address: str | None = None
    """`type.name` in the synthesized stack, or `None` when the stack has no such resource."""


def candidates(inventory: Inventory) -> list[ImportCandidate]:
    env = inventory.environment
    found: list[ImportCandidate] = []

    def add(resource_type: str, import_id: str, **match: str) -> None:
        found.append(ImportCandidate(resource_type, import_id, tuple(sorted(match.items()))))

    for fn in inventory.lambda_functions:
        if fn.classification.environment != env:
            continue
        add("aws_lambda_function", fn.name, function_name=fn.name)
        for alias in fn.aliases:
            add("aws_lambda_alias", f"{fn.name}/{alias.name}", function_name=fn.name, name=alias.name)
        for config in fn.provisioned_concurrency or ():
            add(
                "aws_lambda_provisioned_concurrency_config",
                f"{fn.name},{config.qualifier}",
                function_name=fn.name,
                qualifier=config.qualifier,
            )
    for target in inventory.scalable_targets:
        if target.classification.environment != env:
            continue
        key = f"{target.service_namespace}/{target.resource_id}/{target.scalable_dimension}"
        add(
            "aws_appautoscaling_target",
            key,
            resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
        )
        for policy in target.policies:
            add("aws_appautoscaling_policy", f"{key}/{policy.name}", name=policy.name, resource_id=target.resource_id)
    for db in inventory.db_instances:
        if db.classification.environment == env:
            add("aws_db_instance", db.identifier, identifier=db.identifier)
    for proxy in inventory.db_proxies:
        if proxy.classification.environment == env:
            add("aws_db_proxy", proxy.name, name=proxy.name)
    for group in inventory.replication_groups:
        if group.classification.environment == env:
            add(
                "aws_elasticache_replication_group",
                group.replication_group_id,
                replication_group_id=group.replication_group_id,
            )
    for dist in inventory.distributions:
        if dist.classification.environment == env:
            add("aws_cloudfront_distribution", dist.distribution_id, comment=dist.comment)
    for alarm in inventory.alarms:
        if alarm.classification.environment == env:
            add("aws_cloudwatch_metric_alarm", alarm.name, alarm_name=alarm.name)
    for budget in inventory.budgets:
        if budget.classification.environment == env and inventory.account_id:
            add("aws_budgets_budget", f"{inventory.account_id}:{budget.name}", name=budget.name)
    return found


def _resolve(value: Any, resources: Mapping[str, Mapping[str, Mapping[str, Any]]], depth: int = 0) -> Any:
    """Replace `${type.name.attribute}` with the literal argument of that stack resource."""
    if not isinstance(value, str) or depth > 3:
        return value

    def substitute(match: re.Match[str]) -> str:
        kind, name, attribute = match.groups()
        target = resources.get(kind, {}).get(name, {}).get(attribute)
        resolved = _resolve(target, resources, depth + 1)
        return resolved if isinstance(resolved, str) else match.group(0)

    return _REFERENCE.sub(substitute, value)


def match(found: list[ImportCandidate], stack: Mapping[str, Any] | None) -> list[ImportCandidate]:
    """Each candidate with the address of the one stack resource that matches it (if any)."""
    resources: Mapping[str, Mapping[str, Mapping[str, Any]]] = (stack or {}).get("resource", {})
    matched: list[ImportCandidate] = []
    for candidate in found:
        hits = [
            name
            for name, arguments in resources.get(candidate.resource_type, {}).items()
            if all(_resolve(arguments.get(key), resources) == value for key, value in candidate.match)
        ]
        address = f"{candidate.resource_type}.{hits[0]}" if len(hits) == 1 else None
        matched.append(ImportCandidate(candidate.resource_type, candidate.import_id, candidate.match, address))
    return matched


def render_hcl(blocks: list[ImportCandidate], *, environment: str, stack_found: bool) -> str:
    lines = [
        f"# Import blocks for the {environment} stack (Terraform ≥ 1.5): put this file beside",
        f"# cdktf.out/stacks/{environment}/cdk.tf.json, then `make plan ENV={environment}` shows",
        "# `import` (not `add`) for each; a plan that would replace one is a mismatch to fix first.",
    ]
    if not stack_found:
        lines.append(f"# The {environment} stack is not synthesized: run `make synth` and discover again.")
    for block in blocks:
        if block.address:
            lines += ["", "import {", f"  to = {block.address}", f"  id = {json.dumps(block.import_id)}", "}"]
    unmatched = [b for b in blocks if not b.address]
    if unmatched:
        lines += ["", "# Not (yet) managed by the stack; once a module manages them, their blocks are:"]
        lines += [f"#   {b.resource_type}: id = {json.dumps(b.import_id)}" for b in unmatched]
    return "\n".join(lines) + "\n"
