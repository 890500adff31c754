"""A draft `environments/<env>.yaml` from what was found: only differences from the defaults.

It starts from the environment's current configuration, replaces what discovery measured
(autoscaling bounds, alarm threshold, budget, tags), drops what equals a default, and is
validated with the same loader as the real files before anyone sees it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from cli.discovery.model import Inventory
from cli.discovery.readiness import CACHE_REPLICAS, LAMBDA_PROVISIONED
from environments.loader import parse_environment
from environments.schema import EnvironmentConfig


class _PlainDumper(yaml.SafeDumper):
    """Writes a value used twice out twice: environment files refuse anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _differences(values: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in values.items():
        default = defaults.get(key)
        if isinstance(value, dict) and isinstance(default, dict):
            nested = _differences(value, default)
            if nested:
                result[key] = nested
        elif value != default:
            result[key] = value
    return result


def _most_common(values: list[str]) -> str | None:
    return Counter(values).most_common(1)[0][0] if values else None


def draft(inventory: Inventory, config: EnvironmentConfig) -> tuple[str, list[str]]:
    """The YAML text of the draft and, for its header, where each value came from."""
    env = inventory.environment
    values: dict[str, Any] = config.model_dump(mode="json", by_alias=True, exclude={"name"})
    sources: list[str] = []
    values["region"] = inventory.region

    def mine(items: Any) -> list[Any]:
        return [i for i in items if i.classification.environment == env]

    targets = mine(inventory.scalable_targets)
    lambda_targets = [t for t in targets if t.scalable_dimension == LAMBDA_PROVISIONED]
    if lambda_targets:
        low, high = min(t.min_capacity for t in lambda_targets), max(t.max_capacity for t in lambda_targets)
        values["lambda"]["provisioned_concurrency"] = {"min": low, "max": high}
        sources.append(f"lambda.provisioned_concurrency: {len(lambda_targets)} autoscaling target(s)")
    cache_targets = [t for t in targets if t.scalable_dimension == CACHE_REPLICAS]
    groups = mine(inventory.replication_groups)
    if cache_targets:
        low, high = min(t.min_capacity for t in cache_targets), max(t.max_capacity for t in cache_targets)
        values["elasticache"]["replicas"] = {"min": low, "max": high}
        sources.append(f"elasticache.replicas: autoscaling target of {cache_targets[0].resource_name}")
    elif groups:
        count = groups[0].replicas_per_shard
        values["elasticache"]["replicas"] = {"min": count, "max": count}
        sources.append(f"elasticache.replicas: {count} replica(s) of {groups[0].replication_group_id}, not autoscaled")
    db_ids = {d.identifier for d in mine(inventory.db_instances)}
    cpu = [
        a
        for a in mine(inventory.alarms)
        if a.metric == "CPUUtilization" and a.dimensions.get("DBInstanceIdentifier") in db_ids and a.threshold
    ]
    if cpu and 0 < float(cpu[0].threshold) <= 100:
        values["rds"]["cpu_alarm_threshold_percent"] = float(cpu[0].threshold)
        sources.append(f"rds.cpu_alarm_threshold_percent: alarm {cpu[0].name}")
    eur = sorted(
        (b for b in mine(inventory.budgets) if b.limit_unit == "EUR" and b.limit_amount),
        key=lambda b: float(b.limit_amount),
    )
    if eur:
        soft, burst = float(eur[0].limit_amount), float(eur[-1].limit_amount)
        if len(eur) == 1:
            burst = max(burst, float(values["budget"]["burst_limit_eur"]))
        values["budget"] = {"soft_limit_eur": soft, "burst_limit_eur": burst}
        sources.append("budget: " + ", ".join(b.name for b in eur))
    tagged = [
        *mine(inventory.lambda_functions),
        *mine(inventory.db_instances),
        *groups,
        *mine(inventory.distributions),
    ]
    cost_center = _most_common([r.tags["CostCenter"] for r in tagged if r.tags.get("CostCenter")])
    if cost_center:
        values["cost_center"] = cost_center
        sources.append("cost_center: CostCenter tags")

    defaults = EnvironmentConfig.model_validate({"name": env}).model_dump(mode="json", by_alias=True, exclude={"name"})
    body = _differences(values, defaults)
    header = [
        f"# DRAFT of environments/{env}.yaml made by `make discover ENV={env}` from account "
        f"{inventory.account_id or 'unknown'} in {inventory.region}.",
        "# Review it, then copy what you accept into environments/. Only differences from the defaults.",
        *(f"#   from {source}" for source in sources),
        "#   everything else: the current environments/" + f"{env}.yaml",
    ]
    text = "\n".join(header) + "\n" + (yaml.dump(body, Dumper=_PlainDumper, sort_keys=True) if body else "{}\n")
    parse_environment(env, text, Path(f"{env}.yaml (draft)"))  # raises ConfigError if it does not validate
    return text, sources
