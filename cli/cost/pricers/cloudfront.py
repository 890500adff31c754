"""CloudFront: distributions (requests, data transfer and Origin Shield: the usage part) and their
additional metrics."""

from __future__ import annotations

from collections.abc import Iterator

from cli.cost.lines import Line, fixed, meter, usage
from cli.cost.pricers.base import Context, pricer
from cli.cost.stack import _first_block, _flag


def edge_requests(context: Context) -> float:
    """The requests reaching the edge: the environment's requests, before the cache hits."""
    return context.usage.requests_per_month / (1 - context.usage.cdn_cache_hit_ratio)


@pricer("aws_cloudfront_distribution")
def distributions(context: Context) -> Iterator[Line]:
    cdn, assumed = context.prices.cloudfront, context.usage
    at_edge = edge_requests(context)
    found = context.stack.of("aws_cloudfront_distribution")
    for address, distribution in found:
        yield fixed(address, "cloudfront", "CloudFront", 0, 0, "pay per request and GB (usage part)")
        share = 1 / len(found)
        requests = at_edge * share
        request_usd = cdn.https_requests_per_10k.usd / 10_000
        yield usage(
            address,
            "cloudfront",
            "CloudFront",
            requests * request_usd,
            f"{requests:,.0f} HTTPS requests",
            "cloudfront.https_requests_per_10k",
        )
        yield from meter("cloudfront_requests", address, requests, request_usd)
        gb = assumed.data_transfer_gb * share
        transfer = gb * cdn.data_transfer_out_gb.usd
        yield usage(
            f"{address}#transfer",
            "cloudfront",
            "CloudFront",
            transfer,
            f"{gb:g} GB to the internet",
            "cloudfront.data_transfer_out_gb",
        )
        yield from meter("cloudfront_data_transfer_gb", f"{address}#transfer", gb, cdn.data_transfer_out_gb.usd)
        origins = distribution.get("origin") or []
        origins = origins if isinstance(origins, list) else [origins]
        if any(_flag(_first_block(o.get("origin_shield")).get("enabled")) for o in origins):
            shielded = assumed.requests_per_month * share
            yield usage(
                f"{address}#origin_shield",
                "cloudfront",
                "CloudFront Origin Shield",
                shielded / 10_000 * cdn.origin_shield_requests_per_10k.usd,
                f"{shielded:,.0f} requests reaching Origin Shield",
                "cloudfront.origin_shield_requests_per_10k",
            )


@pricer("aws_cloudfront_monitoring_subscription")
def monitoring_subscriptions(context: Context) -> Iterator[Line]:
    cdn = context.prices.cloudfront
    for address, subscription in context.stack.of("aws_cloudfront_monitoring_subscription"):
        config = _first_block(
            _first_block(subscription.get("monitoring_subscription")).get("realtime_metrics_subscription_config")
        )
        enabled = str(config.get("realtime_metrics_subscription_status", "")).lower() == "enabled"
        cost = cdn.additional_metrics_distribution_month.usd if enabled else 0.0
        yield fixed(
            address,
            "cloudfront",
            "CloudFront additional metrics",
            cost,
            cost,
            "additional metrics",
            "cloudfront.additional_metrics_distribution_month",
        )
