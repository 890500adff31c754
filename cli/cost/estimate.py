"""Price a synthesized stack (`cdk.tf.json`) resource by resource: floor, ceiling and usage.

* floor: every autoscaling target at its minimum, raised inside its scheduled windows for the
  hours those windows cover in a month;
* ceiling: every target at its maximum around the clock;
* usage: what the environment's `usage:` assumptions cost (requests, duration, data, logs), the
  same in floor and ceiling, shown apart.

A resource type the table neither prices nor lists as free is reported as not priced, never as 0.
An environment's estimate is before free tiers: what it uses of them is recorded as `meters`, and
the account total (cli/cost/account.py) credits each free tier once. Its bootstrap stack (state key
and bucket) is priced with it (`others`), its addresses prefixed with the stack's name.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from cli.cost.prices import Architecture, PriceTable
from environments.usage import UsageAssumptions

MINUTES_PER_WEEK = 7 * 24 * 60
_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_REFERENCE = re.compile(r"\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)")
_CRON = re.compile(r"^cron\((\d+) (\d+) \? \* ([A-Z,*-]+) \*\)$")
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
# Lambda's active tracing samples as X-Ray's default rule does: the first request each second (the
# reservoir) and 5 % of the others (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-sampling.html).
XRAY_RESERVOIR_PER_SECOND = 1
XRAY_FIXED_RATE = 0.05
KMS_DEFAULT_ROTATION_DAYS = 365


@dataclass(frozen=True)
class Item:
    """One priced line: a resource (or its usage) with what it costs a month, in USD."""

    address: str
    service: str
    feature: str
    floor_usd: float
    ceiling_usd: float
    basis: str
    prices: tuple[str, ...] = ()
    """Dotted names of the price-table figures the line rests on (for the unverified share)."""


@dataclass(frozen=True)
class Meter:
    """What one line uses of an account-wide free tier: `quantity` at `unit_usd` each."""

    tier: str
    address: str
    quantity: float
    unit_usd: float


@dataclass(frozen=True)
class ScalingBound:
    """An autoscaling target linked to what it scales, with its scheduled windows."""

    target: str
    scales: str
    dimension: str
    min: int
    max: int
    average_min: float
    windows: tuple[str, ...]
    average_max: float
    """The maximum averaged over the week: `max`, unless scheduled actions lower it between windows."""


@dataclass(frozen=True)
class Estimate:
    environment: str
    region: str
    prices_version: int
    prices_date: str
    usd_per_eur: float
    usd_per_eur_date: str
    items: tuple[Item, ...]
    usage: tuple[Item, ...]
    not_priced: tuple[tuple[str, str], ...]
    free: tuple[tuple[str, str], ...]
    scaling: tuple[ScalingBound, ...]
    meters: tuple[Meter, ...] = ()
    stacks: tuple[str, ...] = ()

    @property
    def floor_usd(self) -> float:
        return sum(item.floor_usd for item in self.items)

    @property
    def ceiling_usd(self) -> float:
        return sum(item.ceiling_usd for item in self.items)

    @property
    def usage_usd(self) -> float:
        return sum(item.floor_usd for item in self.usage)

    @property
    def total_floor_usd(self) -> float:
        return self.floor_usd + self.usage_usd

    @property
    def total_ceiling_usd(self) -> float:
        return self.ceiling_usd + self.usage_usd

    def eur(self, usd: float) -> float:
        return usd / self.usd_per_eur

    def prices_used(self) -> set[str]:
        return {name for item in (*self.items, *self.usage) for name in item.prices}

    def resting_on(self, names: set[str]) -> tuple[float, float]:
        """(floor, ceiling) USD, usage included, of the lines that rest on any of the figures `names`."""
        fixed = [item for item in self.items if names.intersection(item.prices)]
        usage = sum(item.floor_usd for item in self.usage if names.intersection(item.prices))
        return sum(i.floor_usd for i in fixed) + usage, sum(i.ceiling_usd for i in fixed) + usage

    def by_service(self) -> list[tuple[str, float, float, float]]:
        """(service, floor, ceiling, usage) in USD, largest ceiling first."""
        services: dict[str, list[float]] = {}
        for item in self.items:
            row = services.setdefault(item.service, [0.0, 0.0, 0.0])
            row[0] += item.floor_usd
            row[1] += item.ceiling_usd
        for item in self.usage:
            services.setdefault(item.service, [0.0, 0.0, 0.0])[2] += item.floor_usd
        rows = [(name, floor, ceiling, usage) for name, (floor, ceiling, usage) in services.items()]
        return sorted(rows, key=lambda row: (-(row[2] + row[3]), row[0]))

    def by_feature(self) -> list[tuple[str, float, float]]:
        """(feature, floor + usage, ceiling + usage) in USD, largest ceiling first."""
        features: dict[str, list[float]] = {}
        for item in (*self.items, *self.usage):
            row = features.setdefault(item.feature, [0.0, 0.0])
            row[0] += item.floor_usd
            row[1] += item.ceiling_usd
        return sorted(((name, f, c) for name, (f, c) in features.items()), key=lambda row: (-row[2], row[0]))

    def gate_json(self) -> dict[str, Any]:
        """What `cli gate --cost-estimate` reads: totals (usage included) and every priced item, in EUR."""
        return {
            "environment": self.environment,
            "floor_eur": round(self.eur(self.total_floor_usd), 2),
            "ceiling_eur": round(self.eur(self.total_ceiling_usd), 2),
            "floor_usd": round(self.total_floor_usd, 2),
            "ceiling_usd": round(self.total_ceiling_usd, 2),
            "usage_eur": round(self.eur(self.usage_usd), 2),
            "usd_per_eur": self.usd_per_eur,
            "usd_per_eur_date": self.usd_per_eur_date,
            "free_tiers": "not applied: credited once per account, in the account total",
            "stacks": list(self.stacks),
            "prices": {"region": self.region, "version": self.prices_version, "date": self.prices_date},
            "items": [
                {
                    "address": item.address,
                    "service": item.service,
                    "part": part,
                    "floor_eur": round(self.eur(item.floor_usd), 4),
                    "ceiling_eur": round(self.eur(item.ceiling_usd), 4),
                    "basis": item.basis,
                }
                for part, items in (("fixed", self.items), ("usage", self.usage))
                for item in items
            ],
            "not_priced": [{"address": address, "type": kind} for address, kind in self.not_priced],
        }


def _references(value: Any) -> list[tuple[str, str]]:
    """Every `${aws_type.name…}` reference inside `value`, in order."""
    if isinstance(value, str):
        return _REFERENCE.findall(value)
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in _references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _references(item)]
    return []


def _first_block(value: Any) -> dict[str, Any]:
    """A nested block as CDKTF writes it: an object, or a list holding one."""
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], dict) else {}
    return value if isinstance(value, dict) else {}


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _number(value: Any, default: float = 0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _weekly_minutes(schedule: str) -> list[int] | None:
    """Minutes of the week (Monday 00:00 = 0) at which a `cron(M H ? * DAYS *)` fires; None if not such."""
    match = _CRON.match(schedule)
    if not match:
        return None
    minute, hour, days = int(match[1]), int(match[2]), match[3]
    chosen: set[int] = set()
    for part in days.split(","):
        if part == "*":
            chosen.update(range(7))
        elif "-" in part:
            first, last = (_DAYS.index(day) for day in part.split("-"))
            chosen.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
        else:
            chosen.add(_DAYS.index(part))
    return sorted(day * 1440 + hour * 60 + minute for day in chosen)


def database_schedule(schedule: Mapping[str, Any]) -> tuple[str, str] | None:
    """(`startDBInstance` or `stopDBInstance`, the instance identifier) of an EventBridge Scheduler
    schedule that starts or stops an RDS instance (`rds.running_hours`); None for any other."""
    target = _first_block(schedule.get("target"))
    action = str(target.get("arn", "")).rsplit(":", 1)[-1]
    if action not in ("startDBInstance", "stopDBInstance"):
        return None
    return action, str(json.loads(str(target.get("input") or "{}")).get("DbInstanceIdentifier", ""))


def average_minimum(base_min: int, events: list[tuple[int, int]]) -> float:
    """The target's minimum averaged over a week, given (minute of week, new minimum) events."""
    if not events:
        return float(base_min)
    ordered = sorted(events)
    total = 0.0
    for index, (at, minimum) in enumerate(ordered):
        following = ordered[(index + 1) % len(ordered)][0]
        span = (following - at) % MINUTES_PER_WEEK or MINUTES_PER_WEEK
        total += minimum * span
    return total / MINUTES_PER_WEEK


@dataclass
class _Stack:
    resources: dict[str, dict[str, dict[str, Any]]]
    addresses: dict[str, tuple[str, str]] = field(default_factory=dict)

    def of(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for name, body in self.resources.get(kind, {}).items():
            yield f"{kind}.{name}", body

    def get(self, kind: str, name: str) -> dict[str, Any] | None:
        return self.resources.get(kind, {}).get(name)


class _Pricer:
    def __init__(self, stack: dict[str, Any], prices: PriceTable, usage: UsageAssumptions) -> None:
        self.stack = _Stack(stack.get("resource", {}))
        self.prices = prices
        self.usage = usage
        self.hours = prices.hours_per_month
        self.items: list[Item] = []
        self.usage_items: list[Item] = []
        self.not_priced: list[tuple[str, str]] = []
        self.free: list[tuple[str, str]] = []
        self.scaling: list[ScalingBound] = []
        self.meters: list[Meter] = []
        self.handled: set[str] = set()

    # -- autoscaling ------------------------------------------------------------------------
    def _scaling_of(self, scaled_kind: str, scaled_name: str) -> ScalingBound | None:
        for bound in self.scaling:
            if bound.scales == f"{scaled_kind}.{scaled_name}":
                return bound
        return None

    def link_scaling(self) -> None:
        actions: dict[str, list[dict[str, Any]]] = {}
        for _, action in self.stack.of("aws_appautoscaling_scheduled_action"):
            targets = [name for kind, name in _references(action.get("resource_id")) if kind.endswith("_target")]
            if targets:
                actions.setdefault(targets[0], []).append(action)
        for address, target in self.stack.of("aws_appautoscaling_target"):
            name = address.split(".", 1)[1]
            refs = _references(target.get("resource_id"))
            scaled = next((ref for ref in reversed(refs) if ref[0] != "aws_lambda_function"), refs[0] if refs else None)
            if scaled is None:
                continue
            base_min, base_max = int(_number(target.get("min_capacity"))), int(_number(target.get("max_capacity")))
            events: list[tuple[int, int]] = []
            windows: list[str] = []
            highest_max = base_max
            # The scheduled maxima hold in turn, round the week; None: one we cannot place in the week.
            max_events: list[tuple[int, int]] | None = []
            for action in actions.get(name, []):
                scheduled = _first_block(action.get("scalable_target_action"))
                minutes = _weekly_minutes(str(action.get("schedule", "")))
                if "max_capacity" in scheduled:
                    new_max = int(_number(scheduled["max_capacity"]))
                    highest_max = max(highest_max, new_max)
                    if minutes is None or max_events is None:
                        max_events = None
                    else:
                        max_events.extend((minute, new_max) for minute in minutes)
                if "min_capacity" not in scheduled:
                    continue
                new_min = int(_number(scheduled["min_capacity"]))
                if minutes is None:  # a schedule we cannot place in the week: assume it holds always
                    events = [(0, max(new_min, max((m for _, m in events), default=base_min)))]
                    windows.append(f"{action.get('schedule')}: min {new_min} (assumed always)")
                    continue
                events.extend((minute, new_min) for minute in minutes)
                windows.append(f"{action.get('schedule')} {action.get('timezone', 'UTC')}: min {new_min}")
            if events and all(m != base_min for _, m in events):
                events.append((0, base_min))  # windows only raise: the base holds before the first
            self.scaling.append(
                ScalingBound(
                    target=address,
                    scales=f"{scaled[0]}.{scaled[1]}",
                    dimension=str(target.get("scalable_dimension", "")),
                    min=base_min,
                    max=highest_max,
                    average_min=average_minimum(base_min, events),
                    average_max=average_minimum(highest_max, max_events) if max_events is not None else highest_max,
                    windows=tuple(windows),
                )
            )

    # -- resource types ---------------------------------------------------------------------
    def _add(
        self, address: str, service: str, feature: str, floor: float, ceiling: float, basis: str, *prices: str
    ) -> None:
        self.items.append(Item(address, service, feature, floor, ceiling, basis, prices))
        self.handled.add(address.split("#", 1)[0])

    def _use(self, address: str, service: str, feature: str, usd: float, basis: str, *prices: str) -> None:
        self.usage_items.append(Item(address, service, feature, usd, usd, basis, prices))

    def _meter(self, tier: str, address: str, quantity: float, unit_usd: float) -> None:
        if quantity > 0:
            self.meters.append(Meter(tier, address, quantity, unit_usd))

    def _function_memory_gb(self, function_name: str) -> tuple[float, Architecture]:
        function = self.stack.get("aws_lambda_function", function_name) or {}
        architecture = (function.get("architectures") or ["x86_64"])[0]
        return _number(function.get("memory_size"), 128) / 1024, "arm64" if architecture == "arm64" else "x86_64"

    def lambda_provisioned_concurrency(self) -> None:
        seconds = self.hours * 3600
        for bound in self.scaling:
            if not bound.scales.startswith("aws_lambda_alias."):
                continue
            alias = self.stack.get("aws_lambda_alias", bound.scales.split(".", 1)[1]) or {}
            functions = [n for k, n in _references(alias.get("function_name")) if k == "aws_lambda_function"]
            memory_gb, architecture = self._function_memory_gb(functions[0] if functions else "")
            rate = self.prices.lambda_.provisioned_concurrency_gb_second.of(architecture).usd
            per_unit = memory_gb * seconds * rate
            self._add(
                bound.scales,
                "lambda",
                "Lambda provisioned concurrency",
                bound.average_min * per_unit,
                bound.average_max * per_unit,
                f"provisioned concurrency {bound.min}–{bound.max} (average minimum {bound.average_min:.2f}, "
                f"average maximum {bound.average_max:.2f} with windows) × {memory_gb:g} GB {architecture} × "
                f"{self.hours:g} h at {rate} USD/GB-s",
                f"lambda.provisioned_concurrency_gb_second.{architecture}",
            )
        for address, config in self.stack.of("aws_lambda_provisioned_concurrency_config"):
            functions = [n for k, n in _references(config.get("function_name")) if k == "aws_lambda_function"]
            memory_gb, architecture = self._function_memory_gb(functions[0] if functions else "")
            rate = self.prices.lambda_.provisioned_concurrency_gb_second.of(architecture).usd
            units = _number(config.get("provisioned_concurrent_executions"))
            cost = units * memory_gb * seconds * rate
            self._add(
                address,
                "lambda",
                "Lambda provisioned concurrency",
                cost,
                cost,
                f"{units:g} × {memory_gb:g} GB",
                f"lambda.provisioned_concurrency_gb_second.{architecture}",
            )

    def elasticache(self) -> None:
        for address, group in self.stack.of("aws_elasticache_replication_group"):
            node_type = str(group.get("node_type", ""))
            if node_type not in self.prices.elasticache.node_hour:
                self.not_priced.append((address, f"aws_elasticache_replication_group ({node_type})"))
                self.handled.add(address)
                continue
            monthly = self.prices.cache_node_monthly_usd(node_type)
            shards = int(_number(group.get("num_node_groups"), 1))
            bound = self._scaling_of("aws_elasticache_replication_group", address.split(".", 1)[1])
            if bound is not None:
                low, high = bound.average_min, bound.average_max
            elif "num_cache_clusters" in group:
                low = high = _number(group["num_cache_clusters"], 1) - 1
            else:
                low = high = _number(group.get("replicas_per_node_group"), 0)
            self._add(
                address,
                "elasticache",
                "Cache nodes",
                shards * (1 + low) * monthly,
                shards * (1 + high) * monthly,
                f"{shards} shard(s) × (1 primary + {low:g}–{high:g} replicas) × {node_type} at "
                f"{self.prices.elasticache.node_hour[node_type].usd} USD/h",
                f"elasticache.node_hour.{node_type}",
            )

    def elasticache_serverless(self) -> None:
        """Floor: the minimum storage AWS meters, serving nothing; ceiling: both usage limits
        reached around the clock (what the limits let the cache cost at most)."""
        cache_prices = self.prices.elasticache
        storage = cache_prices.serverless_storage_gb_hour.usd
        ecpu = cache_prices.serverless_ecpu_per_million.usd
        minimum = cache_prices.serverless_minimum_storage
        for address, cache in self.stack.of("aws_elasticache_serverless_cache"):
            limits = _first_block(cache.get("cache_usage_limits"))
            max_gb = _number(_first_block(limits.get("data_storage")).get("maximum"))
            max_ecpu = _number(_first_block(limits.get("ecpu_per_second")).get("maximum"))
            if not max_gb or not max_ecpu:  # without limits it has no ceiling
                self.not_priced.append((address, "aws_elasticache_serverless_cache (without usage limits)"))
                self.handled.add(address)
                continue
            floor = minimum.quantity * self.hours * storage
            ceiling = max(max_gb, minimum.quantity) * self.hours * storage + max_ecpu * self.hours * 3600 / 1e6 * ecpu
            self._add(
                address,
                "elasticache",
                "Serverless cache",
                floor,
                ceiling,
                f"{minimum.quantity:g}–{max_gb:g} GB at {storage} USD/GB-h + 0–{max_ecpu:,.0f} ECPU/s at "
                f"{ecpu} USD per million",
                "elasticache.serverless_storage_gb_hour",
                "elasticache.serverless_ecpu_per_million",
                "elasticache.serverless_minimum_storage",
            )

    def _running_share(self, identifier: str) -> tuple[float, str]:
        """The share of the week the instance runs, from EventBridge Scheduler's start and stop schedules
        (`rds.running_hours`); 1 without them, or with a schedule this cannot place in the week."""
        events: list[tuple[int, int]] = []
        for _, schedule in self.stack.of("aws_scheduler_schedule"):
            found = database_schedule(schedule)
            if found is None or found[1] != identifier:
                continue
            action = found[0]
            minutes = _weekly_minutes(str(schedule.get("schedule_expression", "")))
            if minutes is None:
                return 1.0, ""
            events.extend((minute, 1 if action == "startDBInstance" else 0) for minute in minutes)
        if not events or all(running for _, running in events):
            return 1.0, ""
        share = average_minimum(1, events)
        return share, f", running {share * 100:.1f} % of the week (rds.running_hours)"

    def rds(self) -> None:
        storage = self.prices.rds.gp3_gb_month
        for address, instance in self.stack.of("aws_db_instance"):
            instance_class = str(instance.get("instance_class", ""))
            if instance_class not in self.prices.rds.instance_hour:
                self.not_priced.append((address, f"aws_db_instance ({instance_class})"))
                self.handled.add(address)
                continue
            multi_az = _flag(instance.get("multi_az"))
            share, running = self._running_share(str(instance.get("identifier", "")))
            compute = self.prices.monthly_instance_price_usd(instance_class, multi_az) * share
            deployment_key = "multi_az" if multi_az else "single_az"
            gb_price = getattr(storage, deployment_key).usd
            allocated = _number(instance.get("allocated_storage"), 20)
            most = max(allocated, _number(instance.get("max_allocated_storage"), allocated))
            deployment = "Multi-AZ" if multi_az else "Single-AZ"
            self._add(
                address,
                "rds",
                "Database instance",
                compute,
                compute,
                f"{instance_class} {deployment} at {compute / share / self.hours:.4f} USD/h{running}",
                f"rds.instance_hour.{instance_class}",
            )
            self._add(
                f"{address}#storage",
                "rds",
                "Database storage",
                allocated * gb_price,
                most * gb_price,
                f"gp3 {allocated:g}–{most:g} GB {deployment} at {gb_price} USD/GB-month",
                f"rds.gp3_gb_month.{deployment_key}",
            )
            retention = _number(instance.get("performance_insights_retention_period"), 7)
            if _flag(instance.get("performance_insights_enabled")) and retention > 7:
                vcpus = self.prices.rds_instance(instance_class).vcpus
                paid = vcpus * self.prices.rds.performance_insights_paid_vcpu_month.usd
                self._add(
                    f"{address}#performance_insights",
                    "rds",
                    "Performance Insights (paid retention)",
                    paid,
                    paid,
                    f"{retention:g} days retention × {vcpus} vCPU",
                    "rds.performance_insights_paid_vcpu_month",
                )
            if _flag(instance.get("manage_master_user_password")):
                secret = self.prices.secretsmanager.secret_month.usd
                self._add(
                    f"{address}#master_user_secret",
                    "secretsmanager",
                    "Secrets",
                    secret,
                    secret,
                    "the master user secret RDS manages in Secrets Manager (manage_master_user_password); its "
                    f"API calls ({self.prices.secretsmanager.api_calls_per_10k.usd} USD per 10,000: RDS's "
                    "rotation, the proxy's reads) are not modelled",
                    "secretsmanager.secret_month",
                )

    def rds_proxy(self) -> None:
        instances = list(self.stack.of("aws_db_instance"))
        for address, _proxy in self.stack.of("aws_db_proxy"):
            name = address.split(".", 1)[1]
            target_instances = [
                instance
                for _, target in self.stack.of("aws_db_proxy_target")
                if ("aws_db_proxy", name) in _references(target.get("db_proxy_name"))
                for kind, instance in _references(target.get("db_instance_identifier"))
                if kind == "aws_db_instance"
            ]
            if not target_instances and len(instances) == 1:
                target_instances = [instances[0][0].split(".", 1)[1]]
            classes = [
                str((self.stack.get("aws_db_instance", instance) or {}).get("instance_class", ""))
                for instance in target_instances
            ]
            if not classes or any(c not in self.prices.rds.instance_hour for c in classes):
                self.not_priced.append((address, "aws_db_proxy (its target instance is unknown)"))
                self.handled.add(address)
                continue
            vcpus = max(sum(self.prices.rds_instance(c).vcpus for c in classes), self.prices.rds.proxy_min_vcpus)
            cost = vcpus * self.prices.rds.proxy_vcpu_hour.usd * self.hours
            self._add(
                address, "rds", "RDS Proxy", cost, cost, f"{vcpus} vCPU of {', '.join(classes)}", "rds.proxy_vcpu_hour"
            )

    def cloudfront(self) -> None:
        cdn = self.prices.cloudfront
        edge_requests = self.usage.requests_per_month / (1 - self.usage.cdn_cache_hit_ratio)
        distributions = list(self.stack.of("aws_cloudfront_distribution"))
        for address, distribution in distributions:
            self._add(address, "cloudfront", "CloudFront", 0, 0, "pay per request and GB (usage part)")
            share = 1 / len(distributions)
            requests = edge_requests * share
            request_usd = cdn.https_requests_per_10k.usd / 10_000
            self._use(
                address,
                "cloudfront",
                "CloudFront",
                requests * request_usd,
                f"{requests:,.0f} HTTPS requests",
                "cloudfront.https_requests_per_10k",
            )
            self._meter("cloudfront_requests", address, requests, request_usd)
            gb = self.usage.data_transfer_gb * share
            transfer = gb * cdn.data_transfer_out_gb.usd
            self._use(
                f"{address}#transfer",
                "cloudfront",
                "CloudFront",
                transfer,
                f"{gb:g} GB to the internet",
                "cloudfront.data_transfer_out_gb",
            )
            self._meter("cloudfront_data_transfer_gb", f"{address}#transfer", gb, cdn.data_transfer_out_gb.usd)
            origins = distribution.get("origin") or []
            origins = origins if isinstance(origins, list) else [origins]
            if any(_flag(_first_block(o.get("origin_shield")).get("enabled")) for o in origins):
                shielded = self.usage.requests_per_month * share
                self._use(
                    f"{address}#origin_shield",
                    "cloudfront",
                    "CloudFront Origin Shield",
                    shielded / 10_000 * cdn.origin_shield_requests_per_10k.usd,
                    f"{shielded:,.0f} requests reaching Origin Shield",
                    "cloudfront.origin_shield_requests_per_10k",
                )
        for address, subscription in self.stack.of("aws_cloudfront_monitoring_subscription"):
            config = _first_block(
                _first_block(subscription.get("monitoring_subscription")).get("realtime_metrics_subscription_config")
            )
            enabled = str(config.get("realtime_metrics_subscription_status", "")).lower() == "enabled"
            cost = cdn.additional_metrics_distribution_month.usd if enabled else 0.0
            self._add(
                address,
                "cloudfront",
                "CloudFront additional metrics",
                cost,
                cost,
                "additional metrics",
                "cloudfront.additional_metrics_distribution_month",
            )

    def waf(self) -> None:
        waf = self.prices.wafv2
        edge_requests = self.usage.requests_per_month / (1 - self.usage.cdn_cache_hit_ratio)
        for address, acl in self.stack.of("aws_wafv2_web_acl"):
            rules = acl.get("rule") or []
            count = len(rules) if isinstance(rules, list) else 1
            cost = waf.web_acl_month.usd + count * waf.rule_month.usd
            self._add(
                address,
                "waf",
                "WAF",
                cost,
                cost,
                f"1 web ACL + {count} rules",
                "wafv2.web_acl_month",
                "wafv2.rule_month",
            )
            at_edge = str(acl.get("scope", "")).upper() == "CLOUDFRONT"
            requests = edge_requests if at_edge else self.usage.requests_per_month
            self._use(
                address,
                "waf",
                "WAF",
                requests / 1e6 * waf.requests_per_million.usd,
                f"{requests:,.0f} requests",
                "wafv2.requests_per_million",
            )

    def cloudwatch(self) -> None:
        watch = self.prices.cloudwatch
        alarm_prices = watch.alarm_metric_month
        for address, alarm in self.stack.of("aws_cloudwatch_metric_alarm"):
            queries = alarm.get("metric_query") or []
            if queries:
                metrics = sum(1 for query in queries if query.get("metric"))
                periods = [_number(_first_block(q.get("metric")).get("period"), 60) for q in queries if q.get("metric")]
            else:
                metrics, periods = 1, [_number(alarm.get("period"), 60)]
            high_resolution = any(period < 60 for period in periods)
            kind = "high_resolution" if high_resolution else "standard"
            rate = getattr(alarm_prices, kind).usd
            self._add(
                address,
                "cloudwatch",
                "Alarms",
                metrics * rate,
                metrics * rate,
                f"{metrics} {kind.replace('_', '-')} metric(s)",
                f"cloudwatch.alarm_metric_month.{kind}",
            )
            if not high_resolution:
                self._meter("cloudwatch_alarm_metrics", address, metrics, rate)
        for address, _ in self.stack.of("aws_cloudwatch_composite_alarm"):
            cost = watch.composite_alarm_month.usd
            self._add(
                address, "cloudwatch", "Alarms", cost, cost, "1 composite alarm", "cloudwatch.composite_alarm_month"
            )
        limit = self.prices.free_tiers.cloudwatch_dashboards.limit
        for address, dashboard in self.stack.of("aws_cloudwatch_dashboard"):
            cost = watch.dashboard_month.usd
            shown_metrics = dashboard_metrics(dashboard.get("dashboard_body"))
            shown = "an unreadable number of" if shown_metrics is None else str(shown_metrics)
            self._add(
                address,
                "cloudwatch",
                "Dashboards",
                cost,
                cost,
                f"1 dashboard, {shown} metrics",
                "cloudwatch.dashboard_month",
            )
            if shown_metrics is not None and (limit is None or shown_metrics <= limit):
                self._meter("cloudwatch_dashboards", address, 1, cost)
        groups = list(self.stack.of("aws_cloudwatch_log_group"))
        for address, group in groups:
            share = self.usage.log_gb_per_month / len(groups)
            retention_days = _number(group.get("retention_in_days"), 0) or 3653  # never expire: ten years
            stored = share * retention_days / (self.hours / 24)
            cost = share * watch.logs_ingestion_gb.usd + stored * watch.logs_storage_gb_month.usd
            self._use(
                address,
                "cloudwatch",
                "Logs (ingestion and retention)",
                cost,
                f"{share:.2f} GB/month ingested, {stored:.2f} GB stored ({retention_days:g} days retention)",
                "cloudwatch.logs_ingestion_gb",
                "cloudwatch.logs_storage_gb_month",
            )
            self._meter("cloudwatch_logs_gb", address, share, watch.logs_ingestion_gb.usd)

    def kms(self) -> None:
        kms = self.prices.kms
        for address, key in self.stack.of("aws_kms_key"):
            self._add(
                address,
                "kms",
                "KMS keys",
                kms.key_month.usd,
                kms.key_month.usd,
                "1 customer-managed key",
                "kms.key_month",
            )
            if not _flag(key.get("enable_key_rotation")) or kms.rotations_charged == 0:
                continue
            period = _number(key.get("rotation_period_in_days"), KMS_DEFAULT_ROTATION_DAYS)
            surcharge = kms.rotations_charged * kms.rotation_month.usd
            self._add(
                f"{address}#rotation",
                "kms",
                "KMS key rotation",
                surcharge,
                surcharge,
                f"automatic rotation every {period:g} days: +{kms.rotation_month.usd:g} USD a month after each of the "
                f"first {kms.rotations_charged} rotations (later ones are free); priced at its level from day "
                f"{kms.rotations_charged * period:g} on",
                "kms.rotation_month",
            )

    def budgets(self) -> None:
        with_actions = {
            name
            for _, action in self.stack.of("aws_budgets_budget_action")
            for kind, name in _references(action.get("budget_name"))
            if kind == "aws_budgets_budget"
        }
        for address, _ in self.stack.of("aws_budgets_budget_action"):
            self.free.append((address, "priced on its budget (an action-enabled budget)"))
            self.handled.add(address)
        days = self.hours / 24
        budgets = self.prices.budgets
        for address, _ in self.stack.of("aws_budgets_budget"):
            if address.split(".", 1)[1] in with_actions:
                cost = budgets.action_enabled_budget_day.usd * days
                self._add(
                    address,
                    "budgets",
                    "Budgets",
                    cost,
                    cost,
                    f"action-enabled: {days:.2f} days at {budgets.action_enabled_budget_day.usd} USD",
                    "budgets.action_enabled_budget_day",
                )
                self._meter("budgets_action_enabled", address, 1, cost)
            else:
                cost = budgets.budget_day.usd * days
                self._add(
                    address,
                    "budgets",
                    "Budgets",
                    cost,
                    cost,
                    f"no actions: {days:.2f} days at {budgets.budget_day.usd} USD",
                    "budgets.budget_day",
                )

    def network(self) -> None:
        vpc = self.prices.vpc
        gateways = list(self.stack.of("aws_nat_gateway"))
        for address, _ in gateways:
            hourly = vpc.nat_gateway_hour.usd * self.hours
            self._add(address, "vpc", "NAT gateway", hourly, hourly, f"{self.hours:g} h", "vpc.nat_gateway_hour")
            gb = usage_quantity(self.usage, "nat_gateway_gb_per_month") / len(gateways)
            self._use(
                f"{address}#data",
                "vpc",
                "NAT gateway",
                gb * vpc.nat_gateway_gb.usd,
                f"{gb:g} GB processed (usage nat_gateway_gb_per_month)",
                "vpc.nat_gateway_gb",
            )
        interface = []
        for address, endpoint in self.stack.of("aws_vpc_endpoint"):
            kind = str(endpoint.get("vpc_endpoint_type", "Gateway"))
            if kind == "Gateway":
                self._add(address, "vpc", "VPC endpoints", 0, 0, "gateway endpoint (free)")
            elif kind == "Interface":
                interface.append((address, endpoint))
            else:
                self.not_priced.append((address, f"aws_vpc_endpoint ({kind})"))
                self.handled.add(address)
        for address, endpoint in interface:
            subnets = endpoint.get("subnet_ids") or []
            zones = len(subnets) if isinstance(subnets, list) else len(_references(subnets))
            zones = max(zones, 1)
            hourly = zones * vpc.interface_endpoint_hour_per_az.usd * self.hours
            self._add(
                address,
                "vpc",
                "VPC endpoints",
                hourly,
                hourly,
                f"interface endpoint in {zones} zone(s) × {self.hours:g} h at {vpc.interface_endpoint_hour_per_az.usd} "
                "USD/h",
                "vpc.interface_endpoint_hour_per_az",
            )
            gb = usage_quantity(self.usage, "vpc_endpoint_gb_per_month") / len(interface)
            self._use(
                f"{address}#data",
                "vpc",
                "VPC endpoints",
                gb * vpc.interface_endpoint_gb.usd,
                f"{gb:g} GB processed (usage vpc_endpoint_gb_per_month)",
                "vpc.interface_endpoint_gb",
            )

    def simple(self) -> None:
        for address, _ in self.stack.of("aws_secretsmanager_secret"):
            cost = self.prices.secretsmanager.secret_month.usd
            self._add(address, "secretsmanager", "Secrets", cost, cost, "1 secret", "secretsmanager.secret_month")
        price = self.prices.scheduler.invocations_per_million.usd
        for address, schedule in self.stack.of("aws_scheduler_schedule"):
            match = _RATE.match(str(schedule.get("schedule_expression", "")))
            if match is None:
                per_month = 31.0  # a cron or one-off schedule: at most daily is assumed
            else:
                unit = {"minute": 1, "hour": 60, "day": 1440}[match[2].rstrip("s")]
                per_month = self.hours * 60 / (int(match[1]) * unit)
            cost = per_month / 1e6 * price
            self._add(
                address,
                "scheduler",
                "Warm-up schedules",
                cost,
                cost,
                f"{per_month:,.0f} invocations",
                "scheduler.invocations_per_million",
            )
            self._meter("scheduler_invocations", address, per_month, price / 1e6)

    def s3(self) -> None:
        buckets = list(self.stack.of("aws_s3_bucket"))
        for address, _ in buckets:
            stored = self.usage.bucket_storage_gb / len(buckets)
            basis = "pay per GB stored and request (usage part)" if stored > 0 else "nothing stored (state: kilobytes)"
            self._add(address, "s3", "S3 buckets", 0, 0, basis)
            if stored > 0:
                self._use(
                    address,
                    "s3",
                    "S3 buckets",
                    stored * self.prices.s3.storage_gb_month.usd,
                    f"{stored:g} GB Standard (requests not included)",
                    "s3.storage_gb_month",
                )

    def lambda_usage(self) -> None:
        functions = list(self.stack.of("aws_lambda_function"))
        with_pc = {
            name
            for bound in self.scaling
            if bound.scales.startswith("aws_lambda_alias.")
            for kind, name in _references(
                (self.stack.get("aws_lambda_alias", bound.scales.split(".", 1)[1]) or {}).get("function_name")
            )
            if kind == "aws_lambda_function"
        } | {
            name
            for _, config in self.stack.of("aws_lambda_provisioned_concurrency_config")
            for kind, name in _references(config.get("function_name"))
            if kind == "aws_lambda_function"
        }
        lam = self.prices.lambda_
        seconds = self.hours * 3600
        traces_usd = self.prices.xray.traces_recorded_per_million.usd / 1e6
        for address, function in functions:
            name = address.split(".", 1)[1]
            requests = self.usage.requests_per_month / len(functions)
            memory_gb, architecture = self._function_memory_gb(name)
            provisioned = name in with_pc
            table, figure = (
                (lam.duration_with_provisioned_concurrency_gb_second, "duration_with_provisioned_concurrency_gb_second")
                if provisioned
                else (lam.duration_gb_second, "duration_gb_second")
            )
            rate = table.of(architecture).usd
            gb_seconds = requests * self.usage.average_duration_ms / 1000 * memory_gb
            request_usd = lam.requests_per_million.usd / 1e6
            self._use(
                address,
                "lambda",
                "Lambda requests and duration",
                requests * request_usd + gb_seconds * rate,
                f"{requests:,.0f} requests × {self.usage.average_duration_ms:g} ms × {memory_gb:g} GB at {rate}",
                "lambda.requests_per_million",
                f"lambda.{figure}.{architecture}",
            )
            if not provisioned:  # the free tier does not cover functions with provisioned concurrency
                self._meter("lambda_requests", address, requests, request_usd)
                self._meter("lambda_gb_seconds", address, gb_seconds, rate)
            if str(_first_block(function.get("tracing_config")).get("mode", "")) == "Active":
                reservoir = min(requests, XRAY_RESERVOIR_PER_SECOND * seconds)
                traces = reservoir + XRAY_FIXED_RATE * (requests - reservoir)
                self._use(
                    f"{address}#xray",
                    "xray",
                    "X-Ray traces",
                    traces * traces_usd,
                    f"{traces:,.0f} traces recorded (active tracing: {XRAY_RESERVOIR_PER_SECOND} a second, then "
                    f"{XRAY_FIXED_RATE:.0%} of {requests:,.0f} requests)",
                    "xray.traces_recorded_per_million",
                )
                self._meter("xray_traces_recorded", f"{address}#xray", traces, traces_usd)

    def run(self) -> None:
        self.link_scaling()
        self.lambda_provisioned_concurrency()
        self.elasticache()
        self.elasticache_serverless()
        self.rds()
        self.rds_proxy()
        self.cloudfront()
        self.waf()
        self.cloudwatch()
        self.kms()
        self.budgets()
        self.network()
        self.simple()
        self.s3()
        self.lambda_usage()
        for kind, bodies in sorted(self.stack.resources.items()):
            for name in bodies:
                address = f"{kind}.{name}"
                if address in self.handled:
                    continue
                if kind in self.prices.free:
                    self.free.append((address, self.prices.free[kind]))
                else:
                    self.not_priced.append((address, kind))


def dashboard_metrics(body: Any) -> int | None:
    """How many metrics a dashboard body shows (expressions are not metrics); None if unreadable."""
    try:
        widgets = json.loads(body)["widgets"] if isinstance(body, str) else None
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(widgets, list):
        return None
    count = 0
    for widget in widgets:
        for entry in (widget.get("properties") or {}).get("metrics") or []:
            if isinstance(entry, list) and not (entry and isinstance(entry[0], dict) and "expression" in entry[0]):
                count += 1
    return count


def usage_quantity(usage: UsageAssumptions, name: str) -> float:
    """A usage assumption the estimate can price where the environment's `usage:` model has it
    (e.g. `vpc_endpoint_gb_per_month` once functions reach AWS through endpoints); 0 until then."""
    return _number(getattr(usage, name, 0.0))


NO_USAGE = UsageAssumptions(
    requests_per_month=0, data_transfer_gb=0, bucket_storage_gb=0, log_gb_per_month=0, cdn_cache_hit_ratio=0
)
"""What a bootstrap or account stack is priced with: nothing flows through it (its state bucket holds kilobytes)."""


def _prefixed(pricer: _Pricer, prefix: str) -> _Pricer:
    if not prefix:
        return pricer

    def name(address: str) -> str:
        return f"{prefix}{address}"

    pricer.items = [dataclasses.replace(i, address=name(i.address)) for i in pricer.items]
    pricer.usage_items = [dataclasses.replace(i, address=name(i.address)) for i in pricer.usage_items]
    pricer.meters = [dataclasses.replace(m, address=name(m.address)) for m in pricer.meters]
    pricer.not_priced = [(name(a), k) for a, k in pricer.not_priced]
    pricer.free = [(name(a), why) for a, why in pricer.free]
    pricer.scaling = [dataclasses.replace(b, target=name(b.target), scales=name(b.scales)) for b in pricer.scaling]
    return pricer


def estimate(
    stack: dict[str, Any],
    prices: PriceTable,
    usage: UsageAssumptions,
    *,
    environment: str,
    usd_per_eur: float,
    usd_per_eur_date: str,
    others: Mapping[str, dict[str, Any]] | None = None,
) -> Estimate:
    """Price every resource of one synthesized stack, and of the `others` (name → stack: its
    bootstrap) with no usage, their addresses prefixed `<name>/`."""
    pricers = [_Pricer(stack, prices, usage)]
    pricers += [_Pricer(other, prices, NO_USAGE) for other in (others or {}).values()]
    for pricer in pricers:
        pricer.run()
    pricers[1:] = [_prefixed(pricer, f"{name}/") for pricer, name in zip(pricers[1:], others or {}, strict=True)]
    return Estimate(
        environment=environment,
        region=prices.region,
        prices_version=prices.version,
        prices_date=prices.date.isoformat(),
        usd_per_eur=usd_per_eur,
        usd_per_eur_date=usd_per_eur_date,
        items=tuple(i for p in pricers for i in p.items),
        usage=tuple(i for p in pricers for i in p.usage_items),
        not_priced=tuple(n for p in pricers for n in p.not_priced),
        free=tuple(f for p in pricers for f in p.free),
        scaling=tuple(b for p in pricers for b in p.scaling),
        meters=tuple(m for p in pricers for m in p.meters),
        stacks=(environment, *(others or {})),
    )
