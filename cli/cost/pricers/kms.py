"""KMS: customer-managed keys and their automatic rotation."""

from __future__ import annotations

from collections.abc import Iterator

from cli.cost.lines import Line, fixed
from cli.cost.pricers.base import Context, pricer
from cli.cost.stack import _flag, _number

KMS_DEFAULT_ROTATION_DAYS = 365


@pricer("aws_kms_key")
def keys(context: Context) -> Iterator[Line]:
    kms = context.prices.kms
    for address, key in context.stack.of("aws_kms_key"):
        yield fixed(
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
        yield fixed(
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
