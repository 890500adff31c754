"""Inputs of the CDN: one CloudFront distribution in front of the static-assets bucket and the API."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from modules.core.base import LogRetentionDays, StrictModel

HostName = Annotated[
    str,
    Field(
        max_length=253,
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        description="A lower-case DNS name without scheme, port or path, e.g. `api.example.com`.",
    ),
]
HeaderName = Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,64}$")]
QueryStringName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-\[\]]{1,128}$")]
CookieName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]{1,128}$")]
TtlSeconds = Annotated[int, Field(ge=0, le=31_536_000)]
PriceClass = Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]

# CloudFront's regional edge caches that can be Origin Shield (CloudFront developer guide, "Using
# Amazon CloudFront Origin Shield", table "AWS Regions for Origin Shield"). Any other region is an
# error at apply time, so it is one here.
ORIGIN_SHIELD_REGIONS = (
    "us-east-1", "us-east-2", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1",
    "ap-southeast-2", "eu-central-1", "eu-west-1", "eu-west-2", "sa-east-1",
)  # fmt: skip

# A path pattern of a cache behavior: at most 255 of A-Z a-z 0-9 _ - . * $ / ~ " ' @ : + and &
# (CloudFront developer guide, "Cache behavior settings", Path pattern).
PATH_PATTERN = re.compile(r"""^[A-Za-z0-9_\-.*$/~"'@:+&]{1,255}$""")
PATH_PATTERN_CHARACTERS = "A-Z a-z 0-9 _ - . * $ / ~ \" ' @ : + &"

# Error codes CloudFront can answer with a custom error response (API CustomErrorResponse).
ErrorCode = Literal[400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]

# AWS managed rule groups the web ACL may use (vendor AWS, scope CLOUDFRONT).
ManagedRuleGroup = Literal[
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesLinuxRuleSet",
    "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesAdminProtectionRuleSet",
    "AWSManagedRulesBotControlRuleSet",
]


class CacheTtls(StrictModel):
    """TTLs of a cache policy; the origin's Cache-Control chooses within min…max, default without it."""

    min_seconds: TtlSeconds = Field(description="Shortest time an object stays cached, whatever the origin says.")
    default_seconds: TtlSeconds = Field(
        description="Time an object stays cached when the origin sends no Cache-Control."
    )
    max_seconds: TtlSeconds = Field(description="Longest time an object stays cached, whatever the origin says.")

    @model_validator(mode="after")
    def _ordered(self) -> CacheTtls:
        if not self.min_seconds <= self.default_seconds <= self.max_seconds:
            raise ValueError(
                f"TTLs must satisfy min ≤ default ≤ max (got {self.min_seconds}, {self.default_seconds}, "
                f"{self.max_seconds})"
            )
        return self

    @property
    def caches(self) -> bool:
        """AWS rejects compression (and cache-key settings) on a policy that never caches."""
        return self.max_seconds > 0


class StaticCachePolicy(StrictModel):
    """What the default behavior (the assets bucket) caches by, and how long: assets are fingerprinted
    by the build, so they are cached long and compressed."""

    ttls: CacheTtls = Field(
        default=CacheTtls(min_seconds=0, default_seconds=86_400, max_seconds=31_536_000),
        description="Assets are fingerprinted by the build: a day by default, a year when the origin says so.",
    )
    query_strings: list[QueryStringName] = Field(
        default_factory=list, description="Query strings in the cache key (and forwarded); none by default."
    )
    cookies: list[CookieName] = Field(
        default_factory=list, description="Cookies in the cache key (and forwarded); none by default."
    )


class StaticAssets(StrictModel):
    """The default behavior: the private assets bucket, cached as the static cache policy says."""

    default_root_object: str = Field(
        default="index.html", pattern=r"^[A-Za-z0-9_\-.~/]{1,255}$", description="Object served for `/`."
    )


class ApiCachePolicy(StrictModel):
    """What the API's behaviors cache by, and how long: only what the API's Cache-Control allows."""

    ttls: CacheTtls = Field(
        default=CacheTtls(min_seconds=0, default_seconds=0, max_seconds=60),
        description=(
            "Not cached unless the API sends Cache-Control (at most a minute). max > 0 keeps compression on: "
            "AWS rejects compression on a policy whose TTLs are all zero, so such a policy has none."
        ),
    )
    cache_key_headers: list[HeaderName] = Field(
        default_factory=list,
        description=(
            "Headers in the cache key (and forwarded). Not `Authorization`: CloudFront signs every request to "
            "the function URLs with it, so users authenticate with the session cookie."
        ),
    )

    @field_validator("cache_key_headers")
    @classmethod
    def _not_authorization(cls, value: list[str]) -> list[str]:
        if any(header.lower() == "authorization" for header in value):
            raise ValueError(
                "must not name Authorization: CloudFront's origin access control signs each request to the "
                "function URLs in that header (a viewer's value is replaced); carry sessions in a cookie"
            )
        return value


class ApiOrigin(StrictModel):
    """How the distribution reaches the API: the stack's function URLs (see the front door), one
    origin per function, one cache behavior per configured route path."""

    compress: bool = Field(
        default=True,
        description="Gzip/Brotli responses (where the API cache policy caches: its ttls.max_seconds > 0).",
    )
    read_timeout_seconds: int = Field(default=30, ge=1, le=180, description="Wait for the API's first byte.")
    keepalive_timeout_seconds: int = Field(default=5, ge=1, le=180, description="Idle connection reuse.")
    connection_attempts: int = Field(default=3, ge=1, le=3, description="Connection attempts before failing.")
    connection_timeout_seconds: int = Field(default=10, ge=1, le=10, description="Wait per connection attempt.")


class Domain(StrictModel):
    """The product's own name: the stack requests its certificate from ACM in us-east-1 (where
    CloudFront reads certificates), validates it with a DNS record in the hosted zone, and points
    an alias (A and AAAA) at the distribution."""

    name: HostName = Field(description="The name users type, e.g. the product's `www` name.")
    hosted_zone_id: str = Field(
        pattern=r"^Z[0-9A-Z]{1,32}$", description="The Route 53 public hosted zone that holds `name`."
    )


WaiverText = Annotated[str, Field(min_length=10, max_length=256, pattern=r"^[A-Za-z0-9 +\-=._:/@]+$")]
"""Text that can be a tag value (AWS allows letters, digits, spaces and + - = . _ : / @)."""


class SecurityHeaders(StrictModel):
    """The response headers policy every behavior answers with (CloudFront overrides the origin's)."""

    hsts_max_age_seconds: int = Field(
        default=63_072_000, ge=0, description="Strict-Transport-Security max-age (two years by default)."
    )
    hsts_include_subdomains: bool = Field(default=True, description="HSTS for every subdomain as well.")
    hsts_preload: bool = Field(
        default=True, description="The `preload` directive (listing still needs a submission to hstspreload.org)."
    )
    frame_options: Literal["DENY", "SAMEORIGIN"] = Field(default="DENY", description="X-Frame-Options.")
    referrer_policy: Literal[
        "no-referrer",
        "no-referrer-when-downgrade",
        "origin",
        "origin-when-cross-origin",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
        "unsafe-url",
    ] = Field(default="strict-origin-when-cross-origin", description="Referrer-Policy.")
    content_security_policy: str = Field(
        default="default-src 'self'; base-uri 'self'; frame-ancestors 'none'; object-src 'none'; form-action 'self'",
        min_length=1,
        max_length=1783,
        description="Content-Security-Policy, verbatim (CloudFront allows at most 1783 characters).",
    )


class CdnPolicies(StrictModel):
    """CloudFront's cache and response headers policies every distribution of the account uses.

    They are global, take no tags and are named by a generated id, so no IAM condition tells one
    environment's from another's: the account stack set (`account-bootstrap`, applied by a person)
    owns them, and each environment's distribution looks them up by name. An environment alone in an
    account of its own (`delivery.create_oidc_provider`) has them in its own bootstrap stack.
    """

    static: StaticCachePolicy = Field(default_factory=StaticCachePolicy)
    api: ApiCachePolicy = Field(default_factory=ApiCachePolicy)
    security_headers: SecurityHeaders = Field(default_factory=SecurityHeaders)


class CustomErrorResponse(StrictModel):
    """How CloudFront answers an error: how long it caches it, optionally with a page of the bucket."""

    error_code: ErrorCode = Field(description="HTTP status from the origin that this answer replaces.")
    caching_min_ttl_seconds: int = Field(ge=0, le=31_536_000, description="How long CloudFront caches the error.")
    response_code: ErrorCode | Literal[200] | None = Field(default=None, description="Status sent instead.")
    response_page_path: str | None = Field(
        default=None, pattern=r"^/[A-Za-z0-9_\-.~/]{1,254}$", description="Page of the assets bucket sent instead."
    )

    @model_validator(mode="after")
    def _page_and_code_together(self) -> CustomErrorResponse:
        if (self.response_code is None) != (self.response_page_path is None):
            raise ValueError("response_code and response_page_path go together: set both or neither")
        return self


def _default_error_responses() -> list[CustomErrorResponse]:
    """Errors are cached briefly so a failing origin is not hammered; bodies stay the origin's
    (no single-page-app rewrite: the API's 404s must stay 404s)."""
    return [
        CustomErrorResponse(error_code=404, caching_min_ttl_seconds=60),
        *(CustomErrorResponse(error_code=code, caching_min_ttl_seconds=10) for code in (500, 502, 503, 504)),
    ]


class RateLimit(StrictModel):
    """A rate-based rule: blocks a client IP above this many requests in the evaluation window."""

    requests: int = Field(default=2000, ge=10, le=2_000_000_000, description="Requests per IP in the window.")
    window_seconds: Literal[60, 120, 300, 600] = Field(default=300, description="Evaluation window.")


def _default_rule_groups() -> list[ManagedRuleGroup]:
    return [
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
    ]


class WebAcl(StrictModel):
    """AWS WAF in front of the distribution (scope CLOUDFRONT, so created in us-east-1)."""

    managed_rule_groups: list[ManagedRuleGroup] = Field(
        default_factory=_default_rule_groups,
        min_length=1,
        description="AWS managed rule groups, evaluated in this order (KnownBadInputs covers Log4j).",
    )
    rate_limit: RateLimit = Field(default_factory=RateLimit)
    log_retention_days: LogRetentionDays = Field(
        default=365, description="Retention of the log group of blocked and counted requests (only those)."
    )

    @field_validator("managed_rule_groups")
    @classmethod
    def _unique(cls, value: list[ManagedRuleGroup]) -> list[ManagedRuleGroup]:
        if len(set(value)) != len(value):
            raise ValueError("each managed rule group may appear once")
        return value


class CdnAlarmThresholds(StrictModel):
    """Thresholds of the edge alarms (us-east-1); every alarm notifies the alert topic."""

    period_seconds: Literal[60, 300, 900] = Field(default=300, description="Length of one evaluated period.")
    evaluation_periods: int = Field(default=3, ge=1, le=24, description="Breaching periods before an alarm.")
    error_rate_5xx_percent: float = Field(default=1, gt=0, lt=100, description="5xx responses of all requests.")
    error_rate_4xx_percent: float = Field(default=10, gt=0, lt=100, description="4xx responses of all requests.")
    origin_latency_p90_ms: float = Field(
        default=1000, gt=0, description="p90 origin latency; needs additional_metrics."
    )
    cache_hit_rate_min_percent: float = Field(
        default=60, ge=0, lt=100, description="Cache hit rate below which it alarms; needs additional_metrics."
    )


class CdnConfig(StrictModel):
    """The environment's distribution; defaults are production's.

    The API's origins are the stack's function URLs (passed by object, never typed here).
    Without `domain` it serves `*.cloudfront.net` with CloudFront's default certificate; where the
    gate requires a domain (`cloudfront_requires_certificate` in policies/caps.yaml: prod), a
    missing one needs `without_domain_reason`.
    """

    api: ApiOrigin = Field(default_factory=ApiOrigin, description="How the API's routes are cached and reached.")
    static: StaticAssets = Field(default_factory=StaticAssets)
    domain: Domain | None = Field(
        default=None, description="The product's own domain; null: CloudFront's `*.cloudfront.net` name."
    )
    without_domain_reason: WaiverText | None = Field(
        default=None,
        description=(
            "Why an environment that requires a domain (prod) has none yet; becomes the distribution's "
            "`DomainWaiver` tag, which the gate accepts in place of the certificate."
        ),
    )

    @model_validator(mode="after")
    def _waiver_only_without_domain(self) -> CdnConfig:
        if self.domain is not None and self.without_domain_reason is not None:
            raise ValueError("without_domain_reason is for an environment without a domain; remove one of them")
        return self

    price_class: PriceClass = Field(
        default="PriceClass_200", description="Edge locations used; PriceClass_100 is the cheapest."
    )
    origin_shield_region: str | None = Field(
        default="eu-central-1", description="Origin Shield in front of the assets bucket; null turns it off."
    )
    policies: CdnPolicies | None = Field(
        default=None,
        description=(
            "Only for an environment alone in an account of its own (`delivery.create_oidc_provider: true`): "
            "its own CloudFront policies, in its bootstrap stack; unset there: the defaults. Environments "
            "sharing the account use the account's (`cdn_policies` in environments/account.yaml)."
        ),
    )
    custom_error_responses: list[CustomErrorResponse] = Field(default_factory=_default_error_responses)
    log_retention_days: int = Field(default=365, ge=1, le=3650, description="Days access logs are kept.")
    waf: WebAcl | None = Field(default_factory=WebAcl, description="AWS WAF web ACL; null turns it off.")
    additional_metrics: bool = Field(
        default=True,
        description="The paid additional-metrics subscription (origin latency, cache hit rate and their alarms).",
    )
    alarms: CdnAlarmThresholds | None = Field(
        default_factory=CdnAlarmThresholds,
        description="The distribution's alarms in us-east-1, with the edge SLO alarms, their topic and its key "
        "there (~3.3 USD a month). null: none at the edge, a cost profile of dev; the functions' SLO alarms "
        "still watch the API.",
    )

    @field_validator("origin_shield_region")
    @classmethod
    def _origin_shield_exists(cls, value: str | None) -> str | None:
        if value is not None and value not in ORIGIN_SHIELD_REGIONS:
            raise ValueError(
                f"Origin Shield is not offered in {value}; choose the region nearest the origin from "
                f"{', '.join(ORIGIN_SHIELD_REGIONS)}, or null to turn it off"
            )
        return value

    @field_validator("custom_error_responses")
    @classmethod
    def _one_response_per_code(cls, value: list[CustomErrorResponse]) -> list[CustomErrorResponse]:
        codes = [response.error_code for response in value]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"one custom error response per error code; repeated: {repeated}")
        return value
