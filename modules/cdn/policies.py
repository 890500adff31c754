"""CloudFront's cache, origin request and response headers policies, and the origin access controls.

The policies are global, take no tags and are named by a generated id, so no IAM condition could
keep one environment's CI role from changing another's (prod's security headers, say). The account
stack set owns them: `CloudFrontPolicies` is part of `account-bootstrap`, which a person applies, and
each environment's distribution finds them by name (`SharedCloudFrontPolicies`); no CI role may
create, update or delete one (modules/delivery/permissions/services/cloudfront.py). An environment
alone in an account of its own has them in its own bootstrap stack, by the same names.

Every list in them is sorted, so reordering the configuration never changes the plan.

The origin access controls stay with each distribution (one per kind of origin) and are immutable:
each is addressed and named by a digest of its settings (`_version`), so a changed setting is a new
object, created before the distribution moves to it and the old one deleted after (CloudFront
refuses to delete one a distribution still uses). The CI roles create and delete them, never update.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from modules.cdn.config import CacheTtls, CdnPolicies, SecurityHeaders
from modules.core.cdk import (
    CloudfrontCachePolicy,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOrigin,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigCookies,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigHeaders,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigQueryStrings,
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
    Construct,
    DataAwsCloudfrontCachePolicy,
    DataAwsCloudfrontOriginRequestPolicy,
    DataAwsCloudfrontResponseHeadersPolicy,
)
from modules.core.label import Context

VERSION_LENGTH = 8
"""Hex digits of the settings' digest in an origin access control's name and address."""


def _version(settings: Mapping[str, object]) -> str:
    """A digest of an immutable object's settings: its name and address change with any of them."""
    canonical = json.dumps(settings, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:VERSION_LENGTH]


STATIC, API, SECURITY_HEADERS = "static", "api", "security-headers"


def policy_name(owner: Context, purpose: str) -> str:
    """The name a policy has in CloudFront, by which the distributions find it: under its owner's
    prefix (the account stack set's, or an environment's alone in an account of its own)."""
    return owner.id("cdn", purpose)


@dataclass(frozen=True)
class PolicyIds:
    """The ids a distribution's behaviors reference."""

    static_cache: str
    api_cache: str
    api_origin_request: str
    security_headers: str


class CloudFrontPolicies(Construct):
    """The policies every distribution of the account uses, created once by their owner's bootstrap stack."""

    def __init__(self, scope: Construct, id_: str, *, owner: Context, config: CdnPolicies) -> None:
        super().__init__(scope, id_)
        static, api = config.static, config.api
        self.ids = PolicyIds(
            static_cache=_cache_policy(
                self,
                STATIC,
                "Static assets: long TTLs, Brotli and Gzip",
                owner=owner,
                ttls=static.ttls,
                headers=[],
                query_strings=static.query_strings,
                cookies=static.cookies,
            ).id,
            api_cache=_cache_policy(
                self,
                API,
                "API: cached only as its Cache-Control allows, briefly",
                owner=owner,
                ttls=api.ttls,
                headers=api.cache_key_headers,
                query_strings=None,
                cookies=[],
            ).id,
            api_origin_request=_api_origin_request_policy(self, owner=owner).id,
            security_headers=_security_headers_policy(self, owner=owner, headers=config.security_headers).id,
        )


class SharedCloudFrontPolicies(Construct):
    """The owner's policies, found by name when the distribution is planned (read-only to the CI roles)."""

    def __init__(self, scope: Construct, id_: str, *, owner: Context) -> None:
        super().__init__(scope, id_)
        self.ids = PolicyIds(
            static_cache=DataAwsCloudfrontCachePolicy(self, "static", name=policy_name(owner, STATIC)).id,
            api_cache=DataAwsCloudfrontCachePolicy(self, "api", name=policy_name(owner, API)).id,
            api_origin_request=DataAwsCloudfrontOriginRequestPolicy(
                self, "api_request", name=policy_name(owner, API)
            ).id,
            security_headers=DataAwsCloudfrontResponseHeadersPolicy(
                self, "security_headers", name=policy_name(owner, SECURITY_HEADERS)
            ).id,
        )


def _query_strings(
    query_strings: Sequence[str] | None,
) -> CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig:
    if query_strings is None:
        return CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig(
            query_string_behavior="all"
        )
    if query_strings:
        return CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig(
            query_string_behavior="whitelist",
            query_strings=CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigQueryStrings(
                items=sorted(query_strings)
            ),
        )
    return CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig(query_string_behavior="none")


def _cache_policy(
    scope: Construct,
    name: str,
    comment: str,
    *,
    owner: Context,
    ttls: CacheTtls,
    headers: Sequence[str],
    query_strings: Sequence[str] | None,
    cookies: Sequence[str],
) -> CloudfrontCachePolicy:
    """What a behavior caches by, and for how long: the cache key holds `headers`, `cookies` and
    `query_strings` (None: every query string; empty: none), so only those reach the origin. It
    lets CloudFront compress (Brotli, Gzip) wherever it caches: AWS rejects that on a policy that never does."""
    return CloudfrontCachePolicy(
        scope,
        f"{name}_cache_policy",
        name=policy_name(owner, name),
        comment=comment,
        min_ttl=ttls.min_seconds,
        default_ttl=ttls.default_seconds,
        max_ttl=ttls.max_seconds,
        parameters_in_cache_key_and_forwarded_to_origin=CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOrigin(
            enable_accept_encoding_brotli=ttls.caches,
            enable_accept_encoding_gzip=ttls.caches,
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
            query_strings_config=_query_strings(query_strings),
        ),
    )


def _api_origin_request_policy(scope: Construct, *, owner: Context) -> CloudfrontOriginRequestPolicy:
    """What reaches the API beyond the cache key: every cookie and query string, every viewer
    header but Host (a function URL routes on its own Host, and the signature covers it)."""
    return CloudfrontOriginRequestPolicy(
        scope,
        "api_origin_request_policy",
        name=policy_name(owner, API),
        comment="API: every viewer header but Host, every cookie and query string",
        headers_config=CloudfrontOriginRequestPolicyHeadersConfig(
            header_behavior="allExcept",
            headers=CloudfrontOriginRequestPolicyHeadersConfigHeaders(items=["Host"]),
        ),
        cookies_config=CloudfrontOriginRequestPolicyCookiesConfig(cookie_behavior="all"),
        query_strings_config=CloudfrontOriginRequestPolicyQueryStringsConfig(query_string_behavior="all"),
    )


def _security_headers_policy(
    scope: Construct, *, owner: Context, headers: SecurityHeaders
) -> CloudfrontResponseHeadersPolicy:
    """The security headers of every response, overriding whatever an origin sent."""
    return CloudfrontResponseHeadersPolicy(
        scope,
        "security_headers",
        name=policy_name(owner, SECURITY_HEADERS),
        comment="Security headers of every response",
        security_headers_config=CloudfrontResponseHeadersPolicySecurityHeadersConfig(
            strict_transport_security=CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity(
                access_control_max_age_sec=headers.hsts_max_age_seconds,
                include_subdomains=headers.hsts_include_subdomains,
                preload=headers.hsts_preload,
                override=True,
            ),
            content_type_options=CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions(override=True),
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


def origin_access_control(
    scope: Construct,
    purpose: str,
    *,
    context: Context,
    description: str,
    origin_type: Literal["s3", "lambda"],
) -> CloudfrontOriginAccessControl:
    """CloudFront signs every request to an origin of `origin_type` with SigV4."""
    signing_behavior, signing_protocol = "always", "sigv4"
    version = _version(
        {
            "description": description,
            "origin_type": origin_type,
            "signing_behavior": signing_behavior,
            "signing_protocol": signing_protocol,
        }
    )  # every argument of the resource below
    return CloudfrontOriginAccessControl(
        scope,
        f"{purpose}_origin_access_control_{version}",
        name=context.id("cdn", purpose, version),
        description=description,
        origin_access_control_origin_type=origin_type,
        signing_behavior=signing_behavior,
        signing_protocol=signing_protocol,
    )
