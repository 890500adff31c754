"""S3: buckets (free themselves; what they store is the usage part, requests not included)."""

from __future__ import annotations

from collections.abc import Iterator

from cli.cost.lines import Line, fixed, usage
from cli.cost.pricers.base import Context, pricer


@pricer("aws_s3_bucket")
def buckets(context: Context) -> Iterator[Line]:
    found = context.stack.of("aws_s3_bucket")
    for address, _ in found:
        stored = context.usage.bucket_storage_gb / len(found)
        basis = "pay per GB stored and request (usage part)" if stored > 0 else "nothing stored (state: kilobytes)"
        yield fixed(address, "s3", "S3 buckets", 0, 0, basis)
        if stored > 0:
            yield usage(
                address,
                "s3",
                "S3 buckets",
                stored * context.prices.s3.storage_gb_month.usd,
                f"{stored:g} GB Standard (requests not included)",
                "s3.storage_gb_month",
            )
