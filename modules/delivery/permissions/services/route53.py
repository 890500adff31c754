"""Route 53: the records of the product's own domain (cdn.domain), in its hosted zone."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import DNS_CHANGES, HOSTED_ZONE
from modules.delivery.permissions.grants import Grant, Permissions

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_route53_record": Permissions(
        # GetChange: the status of a record change, which the provider waits for (change ids are generated).
        read=(Grant(("route53:ListResourceRecordSets",), HOSTED_ZONE), Grant(("route53:GetChange",), DNS_CHANGES)),
        write=(
            Grant(("route53:ChangeResourceRecordSets",), HOSTED_ZONE),
            Grant(("route53:GetChange",), DNS_CHANGES),
        ),
    ),
}
