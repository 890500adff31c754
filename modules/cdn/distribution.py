"""The distribution: the assets bucket as its default origin, the API's function URLs behind their
route paths, and the viewer side (HTTP/2 and 3, IPv6, TLS, access logs, WAF).

Both kinds of origin admit only CloudFront: each is reached through an origin access control that
signs every request (SigV4), and only this distribution is admitted to them.
"""

from __future__ import annotations

from modules.cdn.config import ApiOrigin, CdnConfig, CustomErrorResponse
from modules.cdn.policies import PolicyIds, origin_access_control
from modules.core.cdk import (
    AcmCertificateValidation,
    CloudfrontDistribution,
    CloudfrontDistributionCustomErrorResponse,
    CloudfrontDistributionDefaultCacheBehavior,
    CloudfrontDistributionLoggingConfig,
    CloudfrontDistributionOrderedCacheBehavior,
    CloudfrontDistributionOrigin,
    CloudfrontDistributionOriginCustomOriginConfig,
    CloudfrontDistributionOriginOriginShield,
    CloudfrontDistributionRestrictions,
    CloudfrontDistributionRestrictionsGeoRestriction,
    CloudfrontDistributionViewerCertificate,
    CloudfrontMonitoringSubscription,
    CloudfrontMonitoringSubscriptionMonitoringSubscription,
    CloudfrontMonitoringSubscriptionMonitoringSubscriptionRealtimeMetricsSubscriptionConfig,
    Construct,
    S3Bucket,
    Wafv2WebAcl,
)
from modules.core.label import Context
from modules.front_door.module import FunctionUrlFrontDoor

ASSETS_ORIGIN = "assets"
TLS_POLICY = "TLSv1.2_2021"


def allowed_methods(methods: tuple[str, ...]) -> list[str]:
    """CloudFront allows one of three method sets on a behavior: the smallest holding `methods`."""
    for allowed in (["GET", "HEAD"], ["GET", "HEAD", "OPTIONS"]):
        if set(methods) <= set(allowed):
            return allowed
    return ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]


def _assets_origin(
    scope: Construct, *, context: Context, bucket: S3Bucket, origin_shield_region: str | None
) -> CloudfrontDistributionOrigin:
    """The private assets bucket, read through an origin access control of type `s3`."""
    access = origin_access_control(
        scope,
        "assets",
        context=context,
        description=f"CloudFront reads the {context.environment} assets bucket, signing every request",
        origin_type="s3",
    )
    return CloudfrontDistributionOrigin(
        origin_id=ASSETS_ORIGIN,
        domain_name=bucket.bucket_regional_domain_name,
        origin_access_control_id=access.id,
        origin_shield=CloudfrontDistributionOriginOriginShield(enabled=True, origin_shield_region=origin_shield_region)
        if origin_shield_region
        else None,
    )


def _api_routes(
    scope: Construct,
    *,
    context: Context,
    api: ApiOrigin,
    front_door: FunctionUrlFrontDoor,
    policies: PolicyIds,
) -> tuple[list[CloudfrontDistributionOrigin], list[CloudfrontDistributionOrderedCacheBehavior]]:
    """An origin per function URL, signed with one origin access control of type `lambda`,
    and a behavior per route path (CloudFront routes by path; the methods it allows are the
    smallest of its three sets that holds the configured ones)."""
    signing = origin_access_control(
        scope,
        "api",
        context=context,
        description=f"CloudFront signs every request to the {context.environment} function URLs",
        origin_type="lambda",
    )
    signing_id = signing.id
    origins = [
        CloudfrontDistributionOrigin(
            origin_id=origin.origin_id,
            domain_name=origin.domain_name,
            origin_access_control_id=signing_id,
            connection_attempts=api.connection_attempts,
            connection_timeout=api.connection_timeout_seconds,
            custom_origin_config=CloudfrontDistributionOriginCustomOriginConfig(
                http_port=80,
                https_port=443,
                origin_protocol_policy="https-only",
                origin_ssl_protocols=["TLSv1.2"],
                origin_read_timeout=api.read_timeout_seconds,
                origin_keepalive_timeout=api.keepalive_timeout_seconds,
            ),
        )
        for origin in front_door.origins
    ]
    behaviors = [
        CloudfrontDistributionOrderedCacheBehavior(
            path_pattern=behavior.path_pattern,
            target_origin_id=behavior.origin_id,
            viewer_protocol_policy="https-only",
            allowed_methods=allowed_methods(behavior.methods),
            cached_methods=["GET", "HEAD"],
            compress=api.compress,
            cache_policy_id=policies.api_cache,
            origin_request_policy_id=policies.api_origin_request,
            response_headers_policy_id=policies.security_headers,
        )
        for behavior in front_door.behaviors
    ]
    return origins, behaviors


def _error_response(response: CustomErrorResponse) -> CloudfrontDistributionCustomErrorResponse:
    return CloudfrontDistributionCustomErrorResponse(
        error_code=response.error_code,
        error_caching_min_ttl=response.caching_min_ttl_seconds,
        response_code=response.response_code,
        response_page_path=response.response_page_path,
    )


def _viewer_certificate(certificate: AcmCertificateValidation | None) -> CloudfrontDistributionViewerCertificate:
    """The domain's certificate (SNI, TLS 1.2 2021 policy), or CloudFront's default one for `*.cloudfront.net`."""
    if certificate is None:
        return CloudfrontDistributionViewerCertificate(cloudfront_default_certificate=True)
    return CloudfrontDistributionViewerCertificate(
        acm_certificate_arn=certificate.certificate_arn,
        ssl_support_method="sni-only",
        minimum_protocol_version=TLS_POLICY,
    )


def cloudfront_distribution(
    scope: Construct,
    *,
    config: CdnConfig,
    context: Context,
    assets: S3Bucket,
    logs: S3Bucket,
    web_acl: Wafv2WebAcl | None,
    front_door: FunctionUrlFrontDoor | None,
    certificate: AcmCertificateValidation | None,
    policies: PolicyIds,
) -> CloudfrontDistribution:
    """The distribution. `certificate`: the validation of the domain's certificate (config.domain), so
    the distribution waits until the certificate is issued. `policies`: the account's cache and
    response headers policies (modules/cdn/policies.py)."""
    static = config.static
    origins = [_assets_origin(scope, context=context, bucket=assets, origin_shield_region=config.origin_shield_region)]
    ordered: list[CloudfrontDistributionOrderedCacheBehavior] = []
    if front_door is not None and front_door.origins:
        api_origins, ordered = _api_routes(
            scope, context=context, api=config.api, front_door=front_door, policies=policies
        )
        origins += api_origins
    domain = config.domain
    waiver = {"DomainWaiver": config.without_domain_reason} if config.without_domain_reason else {}
    return CloudfrontDistribution(
        scope,
        "distribution",
        enabled=True,
        comment=f"{context.environment}: static assets and the API",
        http_version="http2and3",
        is_ipv6_enabled=True,
        price_class=config.price_class,
        default_root_object=static.default_root_object,
        aliases=[domain.name] if domain else None,
        web_acl_id=web_acl.arn if web_acl is not None else None,
        origin=origins,
        default_cache_behavior=CloudfrontDistributionDefaultCacheBehavior(
            target_origin_id=ASSETS_ORIGIN,
            viewer_protocol_policy="redirect-to-https",
            allowed_methods=["GET", "HEAD", "OPTIONS"],
            cached_methods=["GET", "HEAD"],
            compress=True,
            cache_policy_id=policies.static_cache,
            response_headers_policy_id=policies.security_headers,
        ),
        ordered_cache_behavior=ordered or None,
        custom_error_response=[_error_response(response) for response in config.custom_error_responses],
        logging_config=CloudfrontDistributionLoggingConfig(
            bucket=logs.bucket_domain_name, prefix="cloudfront/", include_cookies=False
        ),
        restrictions=CloudfrontDistributionRestrictions(
            geo_restriction=CloudfrontDistributionRestrictionsGeoRestriction(restriction_type="none")
        ),
        viewer_certificate=_viewer_certificate(certificate),
        tags={**context.tags, **waiver},
    )


def additional_metrics(scope: Construct, distribution: CloudfrontDistribution) -> None:
    """The paid subscription that adds origin latency and cache hit rate to CloudFront's metrics."""
    CloudfrontMonitoringSubscription(
        scope,
        "additional_metrics",
        distribution_id=distribution.id,
        monitoring_subscription=CloudfrontMonitoringSubscriptionMonitoringSubscription(
            realtime_metrics_subscription_config=CloudfrontMonitoringSubscriptionMonitoringSubscriptionRealtimeMetricsSubscriptionConfig(
                realtime_metrics_subscription_status="Enabled"
            )
        ),
    )
