"""moto names a distribution `arn:aws:cloudfront:<account>:distribution/<id>`, one section short
(CloudFront ARNs have an empty region), so Terraform rejected it wherever an ARN is validated (a
Lambda permission's `source_arn`): here the ARN has the empty region.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any


def _cloudfront_distribution_arns_have_an_empty_region() -> None:
    """moto 5.2.1 names a distribution `arn:aws:cloudfront:<account>:distribution/<id>`: one
    section short (CloudFront ARNs have an empty region, `cloudfront::<account>`), so Terraform
    rejects it wherever an ARN is validated (e.g. a Lambda permission's `source_arn`)."""
    from moto.cloudfront.models import Distribution

    original = Distribution.__init__

    def initialize(self: Distribution, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        partition, rest = self.arn.split(":cloudfront:", 1)
        if not rest.startswith(":"):
            self.arn = f"{partition}:cloudfront::{rest}"

    Distribution.__init__ = initialize  # type: ignore[method-assign]
