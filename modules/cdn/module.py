"""The CDN: a CloudFront distribution in front of a private assets bucket and the API.

Static assets come from a private, versioned, SSE-KMS bucket that only this distribution may
read (origin access control), cached long and compressed; the API is a custom origin over HTTPS
(TLS 1.2), cached briefly and only as its Cache-Control allows, with viewer headers, cookies and
query strings forwarded. Viewers get HTTP/2 and HTTP/3, IPv6, TLS 1.2 (2021 policy) with the
configured ACM certificate, security headers on every response, and standard access logs. AWS
WAF and the alarms on CloudFront's metrics live in us-east-1 (the edge provider).
"""

from __future__ import annotations

import json
from typing import Any

from modules.cdn.config import CdnAlarmThresholds, CdnConfig, CustomErrorResponse, WebAcl
from modules.core.account import AwsAccount
from modules.core.alarms import AlarmRule, AlarmTarget, Comparison, Metric, metric_alarm
from modules.core.buckets import deny_insecure_transport, private_versioned_encrypted
from modules.core.cdk import (
    AcmCertificate,
    AcmCertificateValidation,
    CloudfrontCachePolicy,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOrigin,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigCookies,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigHeaders,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigQueryStrings,
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
    CloudfrontOriginAccessControl,
    CloudfrontOriginRequestPolicy,
    CloudfrontOriginRequestPolicyCookiesConfig,
    CloudfrontOriginRequestPolicyHeadersConfig,
    CloudfrontOriginRequestPolicyHeadersConfigHeaders,
    CloudfrontOriginRequestPolicyQueryStringsConfig,
    CloudfrontResponseHeadersPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfig,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity,
    CloudwatchEventRule,
    CloudwatchEventTarget,
    CloudwatchLogGroup,
    Construct,
    DataAwsCanonicalUserId,
    DataAwsCloudfrontLogDeliveryCanonicalUserId,
    Fn,
    Route53Record,
    Route53RecordAlias,
    S3Bucket,
    S3BucketAcl,
    S3BucketAclAccessControlPolicy,
    S3BucketAclAccessControlPolicyGrant,
    S3BucketAclAccessControlPolicyGrantGrantee,
    S3BucketAclAccessControlPolicyOwner,
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
    S3BucketPolicy,
    TerraformProvider,
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclLoggingConfiguration,
    Wafv2WebAclLoggingConfigurationLoggingFilter,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilter,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilterCondition,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilterConditionActionCondition,
    Wafv2WebAclLoggingConfigurationRedactedFields,
    Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleOverrideActionNone,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from modules.core.iam import policy_document
from modules.core.kms import PER_SERVICE_KEYS, EncryptionKey, KeyGrant, KeySource
from modules.core.label import Context
from modules.core.roles import service_role
from modules.front_door.module import FunctionUrlFrontDoor
from modules.observability.module import AlertTopic

NAMESPACE = "AWS/CloudFront"
EDGE_REGION = "us-east-1"
"""CloudFront publishes its metrics, and WAF keeps web ACLs of scope CLOUDFRONT, in us-east-1 only."""
ASSETS_ORIGIN = "assets"
TLS_POLICY = "TLSv1.2_2021"
# What CloudWatch Logs needs of a key that encrypts a log group (CloudWatch Logs user guide).
LOGS_KEY_ACTIONS = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*")
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"


def allowed_methods(methods: tuple[str, ...]) -> list[str]:
    """CloudFront allows one of three method sets on a behavior: the smallest holding `methods`."""
    for allowed in (["GET", "HEAD"], ["GET", "HEAD", "OPTIONS"]):
        if set(methods) <= set(allowed):
            return allowed
    return ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]


def metric_dimensions(distribution_id: str) -> dict[str, str]:
    """Dimensions of every CloudFront metric of a distribution (always `Region=Global`, in us-east-1)."""
    return {"DistributionId": distribution_id, "Region": "Global"}


class CdnDistribution(Construct):
    """One environment's CloudFront distribution, its two buckets, policies, WAF and edge alarms.

    `edge_provider` is an AWS provider for us-east-1, created by the stack: WAF web ACLs of scope
    CLOUDFRONT must be created there, and CloudFront's metrics (hence its alarms) exist only there.

    Alerting across regions: a CloudWatch alarm can only notify an SNS topic of its own region,
    and the environment's topic lives in the environment's region. So the edge alarms notify a
    small us-east-1 topic (the same `AlertTopic`: own rotating key, the same publishers), and an
    EventBridge rule there forwards their state changes to the default event bus of the
    environment's region, where a second rule publishes them to the environment's topic (SNS
    cannot subscribe a topic to a topic, and no code has to run). Whoever watches the
    environment's topic therefore sees the edge alarms too.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: CdnConfig,
        context: Context,
        alerts: AlertTopic,
        edge_provider: TerraformProvider,
        front_door: FunctionUrlFrontDoor | None = None,
        account_id: str | None = None,
        keys: KeySource = PER_SERVICE_KEYS,
    ) -> None:
        """`front_door`: the API's function URLs; each becomes an origin signed with an origin
        access control, and only this distribution is admitted to them. `account_id`: the account,
        when configured; bucket names are global, so the buckets' names carry it."""
        super().__init__(scope, id_)
        self._config = config
        self._context = context
        self._bucket_suffix: tuple[str, ...] = (account_id,) if account_id else ()
        self._edge = edge_provider
        self._keys = keys
        account = AwsAccount.of(self)
        self._partition, self._account_id, self._region = account.partition, account.account_id, account.region

        logs = self._log_bucket()
        assets = S3Bucket(
            self, "assets_bucket", bucket=context.id("cdn-assets", *self._bucket_suffix), tags=context.tags
        )
        access = CloudfrontOriginAccessControl(
            self,
            "origin_access_control",
            name=context.id("cdn-assets"),
            description=f"CloudFront reads the {context.environment} assets bucket, signing every request",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
        )
        web_acl_arn = self._web_acl(config.waf) if config.waf is not None else None
        distribution = self._distribution(assets, access.id, logs, web_acl_arn, front_door)
        distribution_arn = distribution.arn
        self._assets_bucket_settings(assets, distribution_arn)
        if front_door is not None:
            front_door.admit(distribution_arn)
        if config.domain is not None:
            self._alias_records(config.domain.name, config.domain.hosted_zone_id, distribution)

        if config.additional_metrics:
            CloudfrontMonitoringSubscription(
                self,
                "additional_metrics",
                distribution_id=distribution.id,
                monitoring_subscription=CloudfrontMonitoringSubscriptionMonitoringSubscription(
                    realtime_metrics_subscription_config=CloudfrontMonitoringSubscriptionMonitoringSubscriptionRealtimeMetricsSubscriptionConfig(
                        realtime_metrics_subscription_status="Enabled"
                    )
                ),
            )

        self.distribution_id: str = distribution.id
        self.distribution_arn: str = distribution_arn
        self.domain_name: str = distribution.domain_name
        self.hosted_zone_id: str = distribution.hosted_zone_id
        self.assets_bucket_name: str = assets.bucket
        self.assets_bucket_arn: str = assets.arn
        self.log_bucket_name: str = logs.bucket
        self.web_acl_arn: str | None = web_acl_arn
        self.metric_namespace: str = NAMESPACE
        self.metric_region: str = EDGE_REGION
        self.metric_dimensions: dict[str, str] = metric_dimensions(distribution.id)

        self.edge_provider: TerraformProvider = edge_provider
        self.additional_metrics: bool = config.additional_metrics
        self.edge_alert_topic_arn: str | None = None
        if config.alarms is not None:
            edge_alerts = AlertTopic(
                self, "edge_alerts", context=context, purpose="alerts-edge", provider=edge_provider
            )
            self.edge_alert_topic_arn = edge_alerts.topic_arn
            self._alarms(edge_alerts.topic_arn, config.alarms)
            self._forward_alarms(alerts.topic_arn)

    # Buckets -----------------------------------------------------------------------------------

    def _log_bucket(self) -> S3Bucket:
        """The bucket of CloudFront's standard (legacy) access logs.

        Legacy logging writes with the `awslogsdelivery` account through a bucket ACL, so ACLs
        must be enabled (object ownership `BucketOwnerPreferred`, never `BucketOwnerEnforced`)
        and the ACL grants that account FULL_CONTROL. Encryption: SSE-KMS with our own key
        works, provided the key policy lets `delivery.logs.amazonaws.com` generate data keys
        (CloudFront developer guide, standard logging, "SSE-KMS"); the AWS-managed `aws/s3` key
        does not (its policy cannot be changed), which is why this bucket has its own key.
        """
        context = self._context
        key = self._keys.key(
            self,
            "log_key",
            context=context,
            grant=KeyGrant(
                "cdn-logs",
                service_principals=["delivery.logs.amazonaws.com"],
                service_actions=("kms:GenerateDataKey*",),
            ),
        )
        bucket = S3Bucket(self, "log_bucket", bucket=context.id("cdn-logs", *self._bucket_suffix), tags=context.tags)
        private_versioned_encrypted(self, "log_bucket_", bucket, key.arn)
        ownership = S3BucketOwnershipControls(
            self,
            "log_bucket_ownership",
            bucket=bucket.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerPreferred"),
        )
        owner = DataAwsCanonicalUserId(self, "canonical_user").id
        log_delivery = DataAwsCloudfrontLogDeliveryCanonicalUserId(self, "log_delivery").id
        S3BucketAcl(
            self,
            "log_bucket_acl",
            bucket=bucket.id,
            access_control_policy=S3BucketAclAccessControlPolicy(
                owner=S3BucketAclAccessControlPolicyOwner(id=owner),
                grant=[
                    S3BucketAclAccessControlPolicyGrant(
                        grantee=S3BucketAclAccessControlPolicyGrantGrantee(type="CanonicalUser", id=grantee),
                        permission="FULL_CONTROL",
                    )
                    for grantee in (owner, log_delivery)
                ],
            ),
            depends_on=[ownership],
        )
        S3BucketPolicy(
            self, "log_bucket_policy", bucket=bucket.id, policy=policy_document(deny_insecure_transport(bucket.arn))
        )
        S3BucketLifecycleConfiguration(
            self,
            "log_bucket_lifecycle",
            bucket=bucket.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter()],
                    expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=self._config.log_retention_days)],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=1)
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            ],
        )
        return bucket

    def _assets_bucket_settings(self, bucket: S3Bucket, distribution_arn: str) -> None:
        """Private and SSE-KMS; only this distribution (OAC, `AWS:SourceArn`) reads it, over TLS.

        CloudFront decrypts objects through OAC only if the key policy lets the
        `cloudfront.amazonaws.com` principal decrypt for this distribution (CloudFront developer
        guide, "Restrict access to an Amazon S3 origin", SSE-KMS), hence the conditioned statement.
        An environment key cannot name the distribution (the distribution's origins use that key:
        a cycle), so it admits the account's distributions; the bucket policy still admits only this one.
        """
        this_distribution = {"StringEquals": {"AWS:SourceArn": distribution_arn}}
        key_condition: dict[str, dict[str, str]] = (
            {
                "StringEquals": {"AWS:SourceAccount": self._account_id},
                "ArnLike": {"AWS:SourceArn": f"arn:{self._partition}:cloudfront::{self._account_id}:distribution/*"},
            }
            if self._keys.shared
            else this_distribution
        )
        sid = "AccountDistributionsDecryptAssets" if self._keys.shared else "ThisDistributionDecryptsAssets"
        key = self._keys.key(
            self,
            "assets_key",
            context=self._context,
            grant=KeyGrant(
                "cdn-assets",
                statements=[
                    {
                        "Sid": sid,
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
                        "Resource": "*",
                        "Condition": key_condition,
                    }
                ],
            ),
        )
        private_versioned_encrypted(self, "assets_bucket_", bucket, key.arn)
        S3BucketOwnershipControls(
            self,
            "assets_bucket_ownership",
            bucket=bucket.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        S3BucketPolicy(
            self,
            "assets_bucket_policy",
            bucket=bucket.id,
            policy=policy_document(
                deny_insecure_transport(bucket.arn),
                {
                    "Sid": "ThisDistributionReadsAssets",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Resource": f"{bucket.arn}/*",
                    "Condition": this_distribution,
                },
            ),
        )
        S3BucketLifecycleConfiguration(
            self,
            "assets_bucket_lifecycle",
            bucket=bucket.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-replaced-assets",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter()],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=30)
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            ],
        )

    # Policies ----------------------------------------------------------------------------------

    def _cache_policy(
        self,
        name: str,
        comment: str,
        *,
        ttls: tuple[int, int, int],
        compress: bool,
        headers: list[str],
        query_strings: list[str] | None,
        cookies: list[str],
    ) -> CloudfrontCachePolicy:
        """`query_strings` None puts every query string in the cache key; [] none."""
        minimum, default, maximum = ttls
        if query_strings is None:
            query_config = CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig(
                query_string_behavior="all"
            )
        elif query_strings:
            query_config = CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig(
                query_string_behavior="whitelist",
                query_strings=CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigQueryStrings(
                    items=sorted(query_strings)
                ),
            )
        else:
            query_config = CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig(
                query_string_behavior="none"
            )
        return CloudfrontCachePolicy(
            self,
            f"{name}_cache_policy",
            name=self._context.id("cdn", name),
            comment=comment,
            min_ttl=minimum,
            default_ttl=default,
            max_ttl=maximum,
            parameters_in_cache_key_and_forwarded_to_origin=CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOrigin(
                enable_accept_encoding_brotli=compress,
                enable_accept_encoding_gzip=compress,
                headers_config=CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfig(
                    header_behavior="whitelist" if headers else "none",
                    headers=CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigHeaders(
                        items=sorted(headers)
                    )
                    if headers
                    else None,
                ),
                cookies_config=CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfig(
                    cookie_behavior="whitelist" if cookies else "none",
                    cookies=CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigCookies(
                        items=sorted(cookies)
                    )
                    if cookies
                    else None,
                ),
                query_strings_config=query_config,
            ),
        )

    def _response_headers_policy(self) -> CloudfrontResponseHeadersPolicy:
        headers = self._config.security_headers
        return CloudfrontResponseHeadersPolicy(
            self,
            "security_headers",
            name=self._context.id("cdn", "security-headers"),
            comment=f"Security headers of every {self._context.environment} response",
            security_headers_config=CloudfrontResponseHeadersPolicySecurityHeadersConfig(
                strict_transport_security=CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity(
                    access_control_max_age_sec=headers.hsts_max_age_seconds,
                    include_subdomains=headers.hsts_include_subdomains,
                    preload=headers.hsts_preload,
                    override=True,
                ),
                content_type_options=CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions(
                    override=True
                ),
                frame_options=CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions(
                    frame_option=headers.frame_options, override=True
                ),
                referrer_policy=CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy(
                    referrer_policy=headers.referrer_policy, override=True
                ),
                content_security_policy=CloudfrontResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicy(
                    content_security_policy=headers.content_security_policy, override=True
                ),
            ),
        )

    # Distribution ------------------------------------------------------------------------------

    def _distribution(
        self,
        assets: S3Bucket,
        access_control_id: str,
        logs: S3Bucket,
        web_acl_arn: str | None,
        front_door: FunctionUrlFrontDoor | None,
    ) -> CloudfrontDistribution:
        config, context = self._config, self._context
        static = config.static
        static_policy = self._cache_policy(
            "static",
            "Static assets: long TTLs, Brotli and Gzip",
            ttls=(static.ttls.min_seconds, static.ttls.default_seconds, static.ttls.max_seconds),
            compress=True,
            headers=[],
            query_strings=static.query_strings,
            cookies=static.cookies,
        )
        headers_policy = self._response_headers_policy()
        origins = [
            CloudfrontDistributionOrigin(
                origin_id=ASSETS_ORIGIN,
                domain_name=assets.bucket_regional_domain_name,
                origin_access_control_id=access_control_id,
                origin_shield=CloudfrontDistributionOriginOriginShield(
                    enabled=True, origin_shield_region=config.origin_shield_region
                )
                if config.origin_shield_region
                else None,
            )
        ]
        ordered: list[CloudfrontDistributionOrderedCacheBehavior] = []
        if front_door is not None and front_door.origins:
            api_origins, ordered = self._api(front_door, headers_policy.id)
            origins += api_origins
        domain = config.domain
        certificate_arn = self._certificate(domain.name, domain.hosted_zone_id) if domain else None
        waiver = {"DomainWaiver": config.without_domain_reason} if config.without_domain_reason else {}
        return CloudfrontDistribution(
            self,
            "distribution",
            enabled=True,
            comment=f"{context.environment}: static assets and the API",
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=config.price_class,
            default_root_object=static.default_root_object,
            aliases=[domain.name] if domain else None,
            web_acl_id=web_acl_arn,
            origin=origins,
            default_cache_behavior=CloudfrontDistributionDefaultCacheBehavior(
                target_origin_id=ASSETS_ORIGIN,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD", "OPTIONS"],
                cached_methods=["GET", "HEAD"],
                compress=True,
                cache_policy_id=static_policy.id,
                response_headers_policy_id=headers_policy.id,
            ),
            ordered_cache_behavior=ordered or None,
            custom_error_response=[self._error_response(response) for response in config.custom_error_responses],
            logging_config=CloudfrontDistributionLoggingConfig(
                bucket=logs.bucket_domain_name, prefix="cloudfront/", include_cookies=False
            ),
            restrictions=CloudfrontDistributionRestrictions(
                geo_restriction=CloudfrontDistributionRestrictionsGeoRestriction(restriction_type="none")
            ),
            viewer_certificate=CloudfrontDistributionViewerCertificate(
                acm_certificate_arn=certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version=TLS_POLICY,
            )
            if certificate_arn
            else CloudfrontDistributionViewerCertificate(cloudfront_default_certificate=True),
            tags={**context.tags, **waiver},
        )

    def _certificate(self, name: str, hosted_zone_id: str) -> str:
        """An ACM certificate for `name` in us-east-1, validated by a DNS record in the zone; the
        ARN is that of the validation, so the distribution waits until the certificate is issued."""
        certificate = AcmCertificate(
            self,
            "certificate",
            provider=self._edge,
            domain_name=name,
            validation_method="DNS",
            key_algorithm="EC_prime256v1",
            tags=self._context.tags,
        )
        # One name, so one validation record: the first (only) element of the set.
        option = Fn.element(Fn.tolist(certificate.domain_validation_options), 0)
        record = Route53Record(
            self,
            "certificate_validation_record",
            zone_id=hosted_zone_id,
            name=Fn.lookup(option, "resource_record_name"),
            type=Fn.lookup(option, "resource_record_type"),
            records=[Fn.lookup(option, "resource_record_value")],
            ttl=300,
            allow_overwrite=True,
        )
        validation = AcmCertificateValidation(
            self,
            "certificate_validation",
            provider=self._edge,
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn],
        )
        return validation.certificate_arn

    def _alias_records(self, name: str, hosted_zone_id: str, distribution: CloudfrontDistribution) -> None:
        """`name` (A and AAAA: the distribution is dual-stack) points at the distribution."""
        target = Route53RecordAlias(
            name=distribution.domain_name, zone_id=distribution.hosted_zone_id, evaluate_target_health=False
        )
        for record_type in ("A", "AAAA"):
            Route53Record(
                self, f"alias_{record_type.lower()}", zone_id=hosted_zone_id, name=name, type=record_type, alias=target
            )

    def _api(
        self, front_door: FunctionUrlFrontDoor, headers_policy_id: str
    ) -> tuple[list[CloudfrontDistributionOrigin], list[CloudfrontDistributionOrderedCacheBehavior]]:
        """An origin per function URL, signed with one origin access control of type `lambda`,
        and a behavior per route path (CloudFront routes by path; the methods it allows are the
        smallest of its three sets that holds the configured ones)."""
        api, context = self._config.api, self._context
        api_policy = self._cache_policy(
            "api",
            "API: cached only as its Cache-Control allows, briefly",
            ttls=(api.ttls.min_seconds, api.ttls.default_seconds, api.ttls.max_seconds),
            compress=api.compress,
            headers=list(api.cache_key_headers),
            query_strings=None,
            cookies=[],
        )
        request_policy = CloudfrontOriginRequestPolicy(
            self,
            "api_origin_request_policy",
            name=context.id("cdn", "api"),
            comment="API: every viewer header but Host, every cookie and query string",
            # A function URL routes on its own Host (and the signature covers it): every viewer header but Host.
            headers_config=CloudfrontOriginRequestPolicyHeadersConfig(
                header_behavior="allExcept",
                headers=CloudfrontOriginRequestPolicyHeadersConfigHeaders(items=["Host"]),
            ),
            cookies_config=CloudfrontOriginRequestPolicyCookiesConfig(cookie_behavior="all"),
            query_strings_config=CloudfrontOriginRequestPolicyQueryStringsConfig(query_string_behavior="all"),
        )
        signing = CloudfrontOriginAccessControl(
            self,
            "api_origin_access_control",
            name=context.id("cdn-api"),
            description=f"CloudFront signs every request to the {context.environment} function URLs",
            origin_access_control_origin_type="lambda",
            signing_behavior="always",
            signing_protocol="sigv4",
        )
        signing_id, policy_id, request_policy_id = signing.id, api_policy.id, request_policy.id
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
                cache_policy_id=policy_id,
                origin_request_policy_id=request_policy_id,
                response_headers_policy_id=headers_policy_id,
            )
            for behavior in front_door.behaviors
        ]
        return origins, behaviors

    @staticmethod
    def _error_response(response: CustomErrorResponse) -> CloudfrontDistributionCustomErrorResponse:
        return CloudfrontDistributionCustomErrorResponse(
            error_code=response.error_code,
            error_caching_min_ttl=response.caching_min_ttl_seconds,
            response_code=response.response_code,
            response_page_path=response.response_page_path,
        )

    # WAF ---------------------------------------------------------------------------------------

    def _web_acl(self, waf: WebAcl) -> str:
        """AWS managed rule groups, then a per-IP rate limit; blocked and counted requests are logged.

        Logging only BLOCK and COUNT keeps the log group (CloudWatch Logs ingestion) cheap.
        """
        context, edge = self._context, self._edge
        metric_prefix = context.id("waf").replace("-", "_")

        def visibility(name: str) -> Wafv2WebAclRuleVisibilityConfig:
            return Wafv2WebAclRuleVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=f"{metric_prefix}_{name}", sampled_requests_enabled=True
            )

        rules = [
            Wafv2WebAclRule(
                name=group,
                priority=priority,
                override_action=Wafv2WebAclRuleOverrideAction(none=Wafv2WebAclRuleOverrideActionNone()),
                statement={"managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}},
                visibility_config=visibility(group),
            )
            for priority, group in enumerate(waf.managed_rule_groups)
        ]
        rules.append(
            Wafv2WebAclRule(
                name="RateLimitPerIp",
                priority=len(rules),
                action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
                statement={
                    "rate_based_statement": {
                        "aggregate_key_type": "IP",
                        "limit": waf.rate_limit.requests,
                        "evaluation_window_sec": waf.rate_limit.window_seconds,
                    }
                },
                visibility_config=visibility("RateLimitPerIp"),
            )
        )
        acl = Wafv2WebAcl(
            self,
            "web_acl",
            name=context.id("cdn"),
            description=f"In front of the {context.environment} distribution",
            scope="CLOUDFRONT",
            default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
            rule=rules,
            visibility_config=Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=metric_prefix, sampled_requests_enabled=True
            ),
            tags=context.tags,
            provider=edge,
        )
        key = EncryptionKey(
            self,
            "waf_log_key",
            context=context,
            grant=KeyGrant(
                "waf-logs", service_principals=[f"logs.{EDGE_REGION}.amazonaws.com"], service_actions=LOGS_KEY_ACTIONS
            ),
            provider=edge,
        )
        # WAF writes only to log groups whose name starts with `aws-waf-logs-`.
        group = CloudwatchLogGroup(
            self,
            "waf_logs",
            name=f"aws-waf-logs-{context.id('cdn')}",
            retention_in_days=waf.log_retention_days,
            kms_key_id=key.arn,
            tags=context.tags,
            provider=edge,
        )
        Wafv2WebAclLoggingConfiguration(
            self,
            "waf_logging",
            resource_arn=acl.arn,
            log_destination_configs=[group.arn],
            redacted_fields=[
                Wafv2WebAclLoggingConfigurationRedactedFields(
                    single_header=Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader(name=header)
                )
                for header in ("authorization", "cookie")
            ],
            logging_filter=Wafv2WebAclLoggingConfigurationLoggingFilter(
                default_behavior="DROP",
                filter=[
                    Wafv2WebAclLoggingConfigurationLoggingFilterFilter(
                        behavior="KEEP",
                        requirement="MEETS_ANY",
                        condition=[
                            Wafv2WebAclLoggingConfigurationLoggingFilterFilterCondition(
                                action_condition=Wafv2WebAclLoggingConfigurationLoggingFilterFilterConditionActionCondition(
                                    action=action
                                )
                            )
                            for action in ("BLOCK", "COUNT")
                        ],
                    )
                ],
            ),
            provider=edge,
        )
        arn: str = acl.arn
        return arn

    # Alarms ------------------------------------------------------------------------------------

    def _alarms(self, topic_arn: str, thresholds: CdnAlarmThresholds) -> None:
        """Error rates always; origin latency and cache hit rate only with the additional metrics."""
        alarms: list[tuple[str, str, str, float, Comparison, str]] = [
            ("5xx-error-rate", "5xxErrorRate", "Average", thresholds.error_rate_5xx_percent, "GreaterThanThreshold",
             f"More than {thresholds.error_rate_5xx_percent:g} % of requests answered 5xx"),
            ("4xx-error-rate", "4xxErrorRate", "Average", thresholds.error_rate_4xx_percent, "GreaterThanThreshold",
             f"More than {thresholds.error_rate_4xx_percent:g} % of requests answered 4xx"),
        ]  # fmt: skip
        if self._config.additional_metrics:
            alarms += [
                ("origin-latency", "OriginLatency", "p90", thresholds.origin_latency_p90_ms, "GreaterThanThreshold",
                 f"p90 origin latency above {thresholds.origin_latency_p90_ms:g} ms"),
                ("cache-hit-rate", "CacheHitRate", "Average", thresholds.cache_hit_rate_min_percent,
                 "LessThanThreshold", f"Cache hit rate below {thresholds.cache_hit_rate_min_percent:g} %"),
            ]  # fmt: skip
        target = AlarmTarget(context=self._context, topic_arn=topic_arn, provider=self._edge)
        for name, metric, statistic, threshold, comparison, description in alarms:
            metric_alarm(
                self,
                f"alarm_{name.replace('-', '_')}",
                target=target,
                name=self._context.id("cdn", name),
                description=description,
                # No requests means no errors and nothing to hit or miss: not an incident.
                rule=AlarmRule.sustained(comparison, threshold, thresholds.evaluation_periods, "notBreaching"),
                metrics={
                    "m": Metric(
                        namespace=NAMESPACE,
                        name=metric,
                        dimensions=self.metric_dimensions,
                        statistic=statistic,
                        period_seconds=thresholds.period_seconds,
                    )
                },
            )

    def _forward_alarms(self, topic_arn: str) -> None:
        """us-east-1 rule → the environment region's default bus → rule → the environment's topic.

        Every us-east-1 alarm named with the environment's prefix is forwarded: the CDN's own and
        the edge SLO alarms that observability adds with `edge_provider`.
        """
        context, edge = self._context, self._edge
        alarm_prefix = f"arn:{self._partition}:cloudwatch:{EDGE_REGION}:{self._account_id}:alarm:{context.id()}-"
        pattern: dict[str, Any] = {
            "source": ["aws.cloudwatch"],
            "detail-type": [ALARM_STATE_CHANGE],
            "resources": [{"prefix": alarm_prefix}],
        }
        bus_arn = f"arn:{self._partition}:events:{self._region}:{self._account_id}:event-bus/default"
        role, _ = service_role(
            self,
            "forwarder_role",
            context=context,
            name=context.id("cdn-alarm-forwarder"),
            description="EventBridge forwards the edge alarms' state changes to the environment's region",
            service="events.amazonaws.com",
            account_id=self._account_id,
            policy_name="put-events-to-environment-bus",
            statements=[{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus_arn}],
            policy_id="forwarder_policy",
        )
        edge_rule = CloudwatchEventRule(
            self,
            "forward_edge_alarms",
            name=context.id("cdn-edge-alarms"),
            description="Edge alarm state changes, to the environment region's default bus",
            event_pattern=json.dumps(pattern, sort_keys=True),
            tags=context.tags,
            provider=edge,
        )
        CloudwatchEventTarget(
            self,
            "forward_edge_alarms_target",
            rule=edge_rule.name,
            target_id="environment-bus",
            arn=bus_arn,
            role_arn=role.arn,
            provider=edge,
        )
        rule = CloudwatchEventRule(
            self,
            "edge_alarms_to_topic",
            name=context.id("cdn-edge-alarms"),
            description="Edge alarm state changes forwarded from us-east-1, to the alert topic",
            event_pattern=json.dumps(pattern, sort_keys=True),
            tags=context.tags,
        )
        CloudwatchEventTarget(self, "edge_alarms_to_topic_target", rule=rule.name, target_id="alerts", arn=topic_arn)
