"""Where the CDN's edge resources live: us-east-1, with the dimensions of CloudFront's metrics there.

No CDKTF import here, so the CI permissions (modules/delivery/permissions/) name the same region.
"""

from __future__ import annotations

EDGE_REGION = "us-east-1"
"""CloudFront publishes its metrics, and WAF keeps web ACLs of scope CLOUDFRONT, in us-east-1 only."""
NAMESPACE = "AWS/CloudFront"


def metric_dimensions(distribution_id: str) -> dict[str, str]:
    """Dimensions of every CloudFront metric of a distribution (always `Region=Global`, in us-east-1)."""
    return {"DistributionId": distribution_id, "Region": "Global"}
