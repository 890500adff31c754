"""ElastiCache: node-based replication groups (their replicas scaled or fixed) and serverless caches."""

from __future__ import annotations

from collections.abc import Iterator

from cli.cost.lines import Line, NotPriced, fixed
from cli.cost.pricers.base import Context, pricer
from cli.cost.stack import _first_block, _number


@pricer("aws_elasticache_replication_group")
def replication_groups(context: Context) -> Iterator[Line]:
    prices = context.prices
    for address, group in context.stack.of("aws_elasticache_replication_group"):
        node_type = str(group.get("node_type", ""))
        if node_type not in prices.elasticache.node_hour:
            yield NotPriced(address, f"aws_elasticache_replication_group ({node_type})")
            continue
        monthly = prices.cache_node_monthly_usd(node_type)
        shards = int(_number(group.get("num_node_groups"), 1))
        bound = context.stack.scaling_of(address)
        if bound is not None:
            low, high = bound.average_min, bound.average_max
        elif "num_cache_clusters" in group:
            low = high = _number(group["num_cache_clusters"], 1) - 1
        else:
            low = high = _number(group.get("replicas_per_node_group"), 0)
        yield fixed(
            address,
            "elasticache",
            "Cache nodes",
            shards * (1 + low) * monthly,
            shards * (1 + high) * monthly,
            f"{shards} shard(s) × (1 primary + {low:g}–{high:g} replicas) × {node_type} at "
            f"{prices.elasticache.node_hour[node_type].usd} USD/h",
            f"elasticache.node_hour.{node_type}",
        )


@pricer("aws_elasticache_serverless_cache")
def serverless_caches(context: Context) -> Iterator[Line]:
    """Floor: the minimum storage AWS meters, serving nothing; ceiling: both usage limits
    reached around the clock (what the limits let the cache cost at most)."""
    hours = context.hours
    cache_prices = context.prices.elasticache
    storage = cache_prices.serverless_storage_gb_hour.usd
    ecpu = cache_prices.serverless_ecpu_per_million.usd
    minimum = cache_prices.serverless_minimum_storage
    for address, cache in context.stack.of("aws_elasticache_serverless_cache"):
        limits = _first_block(cache.get("cache_usage_limits"))
        max_gb = _number(_first_block(limits.get("data_storage")).get("maximum"))
        max_ecpu = _number(_first_block(limits.get("ecpu_per_second")).get("maximum"))
        if not max_gb or not max_ecpu:  # without limits it has no ceiling
            yield NotPriced(address, "aws_elasticache_serverless_cache (without usage limits)")
            continue
        floor = minimum.quantity * hours * storage
        ceiling = max(max_gb, minimum.quantity) * hours * storage + max_ecpu * hours * 3600 / 1e6 * ecpu
        yield fixed(
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
