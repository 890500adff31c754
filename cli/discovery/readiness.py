"""What stands between each resource of the environment and the configured scaling.

Every finding names its severity, the problem and the configuration change that fixes it.
Only resources of the environment are assessed; unclassified ones are reported as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol, TypeVar

from cli.discovery.model import Alarm, Classification, Finding, Inventory, Severity
from environments.schema import EnvironmentConfig
from modules.elasticache.config import ElastiCacheConfig

LAMBDA_PROVISIONED = "lambda:function:ProvisionedConcurrency"
CACHE_REPLICAS = "elasticache:replication-group:Replicas"
# ElastiCache replica autoscaling: node families and sizes AWS supports it on.
_CACHE_FAMILIES = ("r7g", "r6g", "r6gd", "r5", "m7g", "m6g", "m5", "c7gn")
_CACHE_SIZES = ("large", "xlarge", "2xlarge")
_DEPRECATED_RUNTIMES = frozenset(
    {"python2.7", "python3.6", "python3.7", "python3.8", "nodejs12.x", "nodejs14.x", "nodejs16.x", "go1.x", "java8"}
)


def cache_node_supports_replica_autoscaling(node_type: str) -> bool:
    match = re.fullmatch(r"cache\.([a-z0-9]+)\.([a-z0-9]+)", node_type)
    return bool(match) and match.group(1) in _CACHE_FAMILIES and match.group(2) in _CACHE_SIZES  # type: ignore[union-attr]


def _alarms_on(alarms: Iterable[Alarm], resource: str) -> list[Alarm]:
    """Alarms with a dimension naming `resource` (or one of its nodes, `resource-001`)."""
    return [a for a in alarms if any(v == resource or v.startswith(f"{resource}-") for v in a.dimensions.values())]


class _Classified(Protocol):
    @property
    def classification(self) -> Classification: ...


T = TypeVar("T", bound=_Classified)


def assess(inventory: Inventory, config: EnvironmentConfig) -> tuple[Finding, ...]:
    env = inventory.environment

    def mine(items: Iterable[T]) -> list[T]:
        return [item for item in items if item.classification.environment == env]

    findings: list[Finding] = []

    def add(severity: Severity, kind: str, resource: str, message: str, fix: str) -> None:
        findings.append(Finding(severity=severity, resource_kind=kind, resource_id=resource, message=message, fix=fix))

    production = env == "prod"
    targets = mine(inventory.scalable_targets)
    alarms = mine(inventory.alarms)
    pc = config.lambda_service.provisioned_concurrency
    pc_yaml = f"lambda.provisioned_concurrency: {{min: {pc.min}, max: {pc.max}}}"

    functions = mine(inventory.lambda_functions)
    for fn in functions:
        scaled = [t for t in targets if t.scalable_dimension == LAMBDA_PROVISIONED and t.resource_name == fn.name]
        if not fn.aliases:
            add(
                "high",
                "lambda",
                fn.name,
                "function has no alias: provisioned concurrency cannot attach",
                "publish a version and point an alias (`live`) at it: the lambda module does, then "
                f"{pc_yaml} applies to the alias",
            )
        elif not scaled and pc.max > 0:
            add(
                "medium",
                "lambda",
                fn.name,
                "provisioned concurrency is not autoscaled (no Application Auto Scaling target on an alias)",
                f"{pc_yaml} (the lambda module registers the target and a utilization policy)",
            )
        for target in scaled:
            if (target.min_capacity, target.max_capacity) != (pc.min, pc.max):
                add(
                    "low",
                    "lambda",
                    fn.name,
                    f"provisioned concurrency scales {target.min_capacity}–{target.max_capacity}, "
                    f"the configuration says {pc.min}–{pc.max}",
                    f"keep what runs: lambda.provisioned_concurrency: {{min: {target.min_capacity}, "
                    f"max: {target.max_capacity}}} (the draft does), or accept the change on apply",
                )
        if fn.reserved_concurrency is not None and fn.reserved_concurrency < pc.max:
            add(
                "high",
                "lambda",
                fn.name,
                f"reserved concurrency {fn.reserved_concurrency} is below the provisioned maximum {pc.max}: "
                "scaling stops there",
                f"raise or remove the reserved concurrency, or lambda.provisioned_concurrency.max: "
                f"{fn.reserved_concurrency}",
            )
        if fn.runtime in _DEPRECATED_RUNTIMES:
            add("medium", "lambda", fn.name, f"runtime {fn.runtime} is deprecated", "move to a supported runtime")

    for target in targets:
        if not target.policies:
            add(
                "medium",
                "autoscaling",
                target.resource_id,
                f"scalable target has no scaling policy: capacity stays at {target.min_capacity}",
                "a target-tracking policy (the module of the resource adds one)",
            )

    dbs = mine(inventory.db_instances)
    for db in dbs:
        if db.max_allocated_storage_gib is None:
            add(
                "medium",
                "rds",
                db.identifier,
                "storage autoscaling off",
                f"max_allocated_storage_gib above the allocated {db.allocated_storage_gib} GiB "
                f"(e.g. {db.allocated_storage_gib * 2}) in the RDS module",
            )
        if not db.multi_az:
            add(
                "high" if production else "low",
                "rds",
                db.identifier,
                "not Multi-AZ: a failure or a maintenance window means downtime",
                "multi_az: true (the RDS module's production default)",
            )
        if not db.storage_encrypted:
            add(
                "high",
                "rds",
                db.identifier,
                "storage not encrypted (cannot be changed in place)",
                "restore from an encrypted copy of a snapshot; storage_encrypted: true in the RDS module",
            )
        if production and db.instance_class.startswith("db.t"):
            add(
                "medium",
                "rds",
                db.identifier,
                f"burstable class {db.instance_class} in production: CPU credits run out under load",
                "a db.m* or db.r* class",
            )
        on_db = _alarms_on(alarms, db.identifier)
        if not any(a.metric == "CPUUtilization" for a in on_db):
            add(
                "medium",
                "rds",
                db.identifier,
                "no CPU alarm",
                f"rds.cpu_alarm_threshold_percent: {config.rds.cpu_alarm_threshold_percent:g} "
                "(the RDS module creates the alarm)",
            )
        if not any(a.metric == "DatabaseConnections" for a in on_db):
            add(
                "medium",
                "rds",
                db.identifier,
                "no alarms on connections",
                "the RDS module's DatabaseConnections alarm (adopt or create it)",
            )
    if dbs and functions and not mine(inventory.db_proxies):
        add(
            "low",
            "rds",
            dbs[0].identifier,
            "no RDS Proxy: every Lambda execution environment opens its own database connections",
            "an RDS Proxy in front of the database (RDS module)",
        )

    # Without a cache of its own the environment is judged against the module's defaults.
    replicas = (config.elasticache or ElastiCacheConfig()).replicas
    for group in mine(inventory.replication_groups):
        gid = group.replication_group_id
        if not cache_node_supports_replica_autoscaling(group.node_type):
            add(
                "high",
                "elasticache",
                gid,
                f"node type {group.node_type} does not support replica autoscaling",
                "a node type of family " + ", ".join(_CACHE_FAMILIES) + " in size large, xlarge or 2xlarge "
                "(e.g. cache.r7g.large)",
            )
        if not group.cluster_mode_enabled:
            add(
                "high",
                "elasticache",
                gid,
                "cluster mode disabled: replica autoscaling needs cluster mode enabled",
                "cluster mode enabled (online: set it to `compatible`, then `enabled`)",
            )
        if not any(t.scalable_dimension == CACHE_REPLICAS and t.resource_name == gid for t in targets):
            add(
                "medium",
                "elasticache",
                gid,
                "replicas are not autoscaled",
                f"elasticache.replicas: {{min: {replicas.min}, max: {replicas.max}}} (the module registers the target)",
            )
        if not replicas.min <= group.replicas_per_shard <= replicas.max:
            add(
                "low",
                "elasticache",
                gid,
                f"{group.replicas_per_shard} replicas per shard, outside the configured {replicas.min}–{replicas.max}",
                f"elasticache.replicas: {{min: {min(replicas.min, group.replicas_per_shard)}, "
                f"max: {max(replicas.max, group.replicas_per_shard)}}} to keep it",
            )
        if group.automatic_failover != "enabled" and (group.replicas_per_shard > 0 or replicas.min > 0):
            add(
                "medium",
                "elasticache",
                gid,
                "automatic failover off: losing the primary means downtime",
                "automatic failover and Multi-AZ on (the ElastiCache module does with ≥ 1 replica)",
            )
        if not (group.at_rest_encryption and group.transit_encryption):
            add(
                "medium",
                "elasticache",
                gid,
                "encryption "
                + " and ".join(
                    p
                    for p, on in (("at rest", group.at_rest_encryption), ("in transit", group.transit_encryption))
                    if not on
                )
                + " off (needs a new replication group)",
                "at-rest and in-transit encryption (ElastiCache module defaults); migrate through a snapshot",
            )
        if not any(a.metric in {"CurrConnections", "NewConnections"} for a in _alarms_on(alarms, gid)):
            add(
                "low",
                "elasticache",
                gid,
                "no alarms on connections",
                "the ElastiCache module's CurrConnections alarm",
            )

    for dist in mine(inventory.distributions):
        did = dist.distribution_id
        if dist.http_version not in {"http2and3", "http3"}:
            add("low", "cloudfront", did, "HTTP/3 off", "http_version: http2and3 (CloudFront module)")
        if dist.compress is False:
            add("low", "cloudfront", did, "compression off on the default cache behaviour", "compress: true")
        if dist.cache_policy_id is None:
            add(
                "medium",
                "cloudfront",
                did,
                "legacy cache settings (no cache policy) on the default cache behaviour",
                "a managed cache policy (CloudFront module)",
            )
        if not dist.origin_shield:
            add("info", "cloudfront", did, "Origin Shield off", "origin_shield in the region of the origin")

    for alarm in alarms:
        if not alarm.has_actions or not alarm.actions_enabled:
            add(
                "low",
                "cloudwatch",
                alarm.name,
                "alarm notifies nobody (no actions, or actions disabled)",
                "the environment's alert topic as alarm action (observability module)",
            )

    budgets = mine(inventory.budgets)
    if not budgets:
        add(
            "medium",
            "budgets",
            env,
            "no budget for the environment",
            f"budget: {{soft_limit_eur: {config.budget.soft_limit_eur:g}, "
            f"burst_limit_eur: {config.budget.burst_limit_eur:g}}} (the budgets module)",
        )
    for budget in budgets:
        if budget.limit_unit and budget.limit_unit != "EUR":
            add(
                "info",
                "budgets",
                budget.name,
                f"budget limit in {budget.limit_unit}, the configuration is in EUR",
                "budget.soft_limit_eur converted to EUR",
            )

    for kind, items in _all(inventory):
        for name, classification in items:
            if classification.environment is None:
                add(
                    "medium",
                    kind,
                    name,
                    f"unclassified: no Environment tag and the name does not match {inventory.name_pattern}",
                    f"tag it Environment={env} if it belongs to {env} (or to its environment)",
                )
    order = {s: i for i, s in enumerate(("high", "medium", "low", "info"))}
    return tuple(sorted(findings, key=lambda f: (order[f.severity], f.resource_kind, f.resource_id)))


def _all(inventory: Inventory) -> list[tuple[str, list[tuple[str, Classification]]]]:
    """Every resource as (kind, [(name, classification)]) — for the unclassified report."""
    return [
        ("lambda", [(f.name, f.classification) for f in inventory.lambda_functions]),
        ("autoscaling", [(t.resource_id, t.classification) for t in inventory.scalable_targets]),
        ("rds", [(d.identifier, d.classification) for d in inventory.db_instances]),
        ("rds-proxy", [(p.name, p.classification) for p in inventory.db_proxies]),
        ("elasticache", [(g.replication_group_id, g.classification) for g in inventory.replication_groups]),
        ("cloudfront", [(d.distribution_id, d.classification) for d in inventory.distributions]),
        ("cloudwatch", [(a.name, a.classification) for a in inventory.alarms]),
        ("budgets", [(b.name, b.classification) for b in inventory.budgets]),
    ]
