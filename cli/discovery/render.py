"""The terminal table and the JSON document of a discovery."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from cli.discovery.imports import ImportCandidate
from cli.discovery.model import SEVERITIES, Classification, Finding, Inventory


def _where(classification: Classification) -> str:
    if classification.environment is None:
        return "UNCLASSIFIED"
    return f"{classification.environment} ({classification.source})"


def rows(inventory: Inventory) -> list[tuple[str, str, str, str]]:
    """(kind, name, environment, details) per resource."""
    result: list[tuple[str, str, str, str]] = []
    for fn in inventory.lambda_functions:
        pc = "?" if fn.provisioned_concurrency is None else str(sum(p.requested for p in fn.provisioned_concurrency))
        details = (
            f"{fn.runtime} {fn.memory_mb} MB, aliases {len(fn.aliases)}, versions {len(fn.versions)}, "
            f"reserved {fn.reserved_concurrency if fn.reserved_concurrency is not None else '-'}, provisioned {pc}"
        )
        result.append(("lambda", fn.name, _where(fn.classification), details))
    for t in inventory.scalable_targets:
        details = f"{t.scalable_dimension} {t.min_capacity}–{t.max_capacity}, policies {len(t.policies)}"
        result.append(("autoscaling", t.resource_id, _where(t.classification), details))
    for db in inventory.db_instances:
        storage = f"{db.allocated_storage_gib}→{db.max_allocated_storage_gib or 'fixed'} GiB"
        details = (
            f"{db.engine} {db.instance_class}, {storage}, multi-AZ {'on' if db.multi_az else 'off'}, "
            f"encrypted {'yes' if db.storage_encrypted else 'no'}"
        )
        result.append(("rds", db.identifier, _where(db.classification), details))
    for p in inventory.db_proxies:
        result.append(("rds-proxy", p.name, _where(p.classification), p.engine_family))
    for g in inventory.replication_groups:
        details = (
            f"{g.node_type}, {g.shards} shard(s) × {g.replicas_per_shard} replica(s), cluster mode "
            f"{'on' if g.cluster_mode_enabled else 'off'}, failover {g.automatic_failover}"
        )
        result.append(("elasticache", g.replication_group_id, _where(g.classification), details))
    for d in inventory.distributions:
        details = f"{d.http_version}, compress {d.compress}, origin shield {'on' if d.origin_shield else 'off'}"
        result.append(("cloudfront", d.distribution_id, _where(d.classification), details))
    for a in inventory.alarms:
        result.append(("cloudwatch", a.name, _where(a.classification), f"{a.namespace} {a.metric} > {a.threshold}"))
    for b in inventory.budgets:
        result.append(("budgets", b.name, _where(b.classification), f"{b.limit_amount} {b.limit_unit}/{b.time_unit}"))
    return result


def _table(header: tuple[str, ...], body: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [
        fmt.format(*header).rstrip(),
        fmt.format(*("-" * w for w in widths)),
        *(fmt.format(*r).rstrip() for r in body),
    ]


def table(inventory: Inventory, findings: tuple[Finding, ...]) -> str:
    lines = [f"discover: {inventory.environment} in account {inventory.account_id or '?'}, region {inventory.region}"]
    resources = rows(inventory)
    lines += _table(("KIND", "NAME", "ENVIRONMENT", "DETAILS"), resources) if resources else ["(no resources found)"]
    if findings:
        lines += ["", f"readiness of {inventory.environment}:"]
        lines += _table(
            ("SEVERITY", "RESOURCE", "FINDING", "FIX"),
            [(f.severity, f"{f.resource_kind} {f.resource_id}", f.message, f.fix) for f in findings],
        )
    for gap in inventory.gaps:
        lines.append(f"{'warning' if gap.kind == 'unavailable' else 'error'}: {gap.message}")
    counts = Counter(f.severity for f in findings)
    summary = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)
    unclassified = sum(1 for r in resources if r[2] == "UNCLASSIFIED")
    lines.append(f"discover: {len(resources)} resources ({unclassified} unclassified); findings: {summary}")
    return "\n".join(lines) + "\n"


def document(inventory: Inventory, findings: tuple[Finding, ...], imports: list[ImportCandidate]) -> dict[str, Any]:
    """Everything as plain JSON data (stable keys) for machines."""
    return {
        "inventory": dataclasses.asdict(inventory),
        "complete": not inventory.incomplete,
        "findings": [dataclasses.asdict(f) for f in findings],
        "imports": [
            {"type": b.resource_type, "id": b.import_id, "to": b.address, "match": dict(b.match)} for b in imports
        ],
    }


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
