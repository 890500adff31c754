"""CloudFront: global ARNs; the distribution is tagged, its policies and origin access controls are
named by a generated id and take no tags (`BY_ID_REASONS`), so nothing tells one environment's from
another's. The cache, origin request and response headers policies belong to the account stack set
(`account-bootstrap`, applied by a person): the CI roles only read them, finding them by name
(`List…Policies`). The origin access controls are the distribution's, immutable (named by a digest of
their settings: modules/cdn/policies.py): the CI roles create and delete them but never update one,
and CloudFront refuses to delete one a distribution uses. Listing the policies, creating an origin
access control and the monitoring subscription's calls take only `*` (policies/unscoped_actions.yaml)."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import (
    CACHE_POLICIES,
    DISTRIBUTIONS,
    ORIGIN_ACCESS_CONTROLS,
    ORIGIN_REQUEST_POLICIES,
    RESPONSE_HEADERS_POLICIES,
    WEB_ACLS,
)
from modules.delivery.permissions.grants import Grant, Permissions, Tag

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_cloudfront_distribution": Permissions(
        read=(
            Grant(
                ("cloudfront:GetDistribution", "cloudfront:GetDistributionConfig", "cloudfront:ListTagsForResource"),
                DISTRIBUTIONS,
                tag=Tag.RESOURCE,
            ),
        ),
        write=(
            Grant(("cloudfront:CreateDistribution", "cloudfront:TagResource"), DISTRIBUTIONS, tag=Tag.REQUEST),
            Grant(
                (
                    "cloudfront:UpdateDistribution",
                    "cloudfront:DeleteDistribution",
                    "cloudfront:TagResource",
                    "cloudfront:UntagResource",
                ),
                DISTRIBUTIONS,
                tag=Tag.RESOURCE,
            ),
            Grant(("wafv2:GetWebACL",), WEB_ACLS),  # associating the web ACL
        ),
    ),
    # CloudFront authorises the subscription calls on `*` only and offers no condition key for them.
    "aws_cloudfront_monitoring_subscription": Permissions(
        read=(Grant(("cloudfront:GetMonitoringSubscription",)),),
        write=(Grant(("cloudfront:CreateMonitoringSubscription", "cloudfront:DeleteMonitoringSubscription")),),
    ),
    # Data sources: the account's policies, found by name (a list, then a get).
    "aws_cloudfront_cache_policy": Permissions(
        read=(Grant(("cloudfront:ListCachePolicies",)), Grant(("cloudfront:GetCachePolicy",), CACHE_POLICIES)),
    ),
    "aws_cloudfront_origin_request_policy": Permissions(
        read=(
            Grant(("cloudfront:ListOriginRequestPolicies",)),
            Grant(("cloudfront:GetOriginRequestPolicy",), ORIGIN_REQUEST_POLICIES),
        ),
    ),
    "aws_cloudfront_response_headers_policy": Permissions(
        read=(
            Grant(("cloudfront:ListResponseHeadersPolicies",)),
            Grant(("cloudfront:GetResponseHeadersPolicy",), RESPONSE_HEADERS_POLICIES),
        ),
    ),
    "aws_cloudfront_origin_access_control": Permissions(
        read=(Grant(("cloudfront:GetOriginAccessControl",), ORIGIN_ACCESS_CONTROLS),),
        write=(
            Grant(("cloudfront:CreateOriginAccessControl",)),  # on `*` only: no id before it is created
            Grant(
                ("cloudfront:DeleteOriginAccessControl",),
                ORIGIN_ACCESS_CONTROLS,
            ),
        ),
    ),
    # A fixed, documented id per partition: the provider makes no call.
    "aws_cloudfront_log_delivery_canonical_user_id": Permissions(),
}
