"""The distribution's cache, origin request and response headers policies.

Each is a resource of its own, named by the label, that behaviors reference by id; every list in
them is sorted, so reordering the configuration never changes the plan.
"""

from __future__ import annotations

from collections.abc import Sequence

from modules.cdn.config import CacheTtls, SecurityHeaders
from modules.core.cdk import (
    CloudfrontCachePolicy,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOrigin,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigCookies,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigHeaders,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigQueryStrings,
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
)
from modules.core.label import Context


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


def cache_policy(
    scope: Construct,
    name: str,
    comment: str,
    *,
    context: Context,
    ttls: CacheTtls,
    compress: bool,
    headers: Sequence[str],
    query_strings: Sequence[str] | None,
    cookies: Sequence[str],
) -> CloudfrontCachePolicy:
    """What a behavior caches by, and for how long: the cache key holds `headers`, `cookies` and
    `query_strings` (None: every query string; empty: none), so only those reach the origin."""
    return CloudfrontCachePolicy(
        scope,
        f"{name}_cache_policy",
        name=context.id("cdn", name),
        comment=comment,
        min_ttl=ttls.min_seconds,
        default_ttl=ttls.default_seconds,
        max_ttl=ttls.max_seconds,
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
            query_strings_config=_query_strings(query_strings),
        ),
    )


def api_origin_request_policy(scope: Construct, *, context: Context) -> CloudfrontOriginRequestPolicy:
    """What reaches the API beyond the cache key: every cookie and query string, every viewer
    header but Host (a function URL routes on its own Host, and the signature covers it)."""
    return CloudfrontOriginRequestPolicy(
        scope,
        "api_origin_request_policy",
        name=context.id("cdn", "api"),
        comment="API: every viewer header but Host, every cookie and query string",
        headers_config=CloudfrontOriginRequestPolicyHeadersConfig(
            header_behavior="allExcept",
            headers=CloudfrontOriginRequestPolicyHeadersConfigHeaders(items=["Host"]),
        ),
        cookies_config=CloudfrontOriginRequestPolicyCookiesConfig(cookie_behavior="all"),
        query_strings_config=CloudfrontOriginRequestPolicyQueryStringsConfig(query_string_behavior="all"),
    )


def security_headers_policy(
    scope: Construct, *, context: Context, headers: SecurityHeaders
) -> CloudfrontResponseHeadersPolicy:
    """The security headers of every response, overriding whatever an origin sent."""
    return CloudfrontResponseHeadersPolicy(
        scope,
        "security_headers",
        name=context.id("cdn", "security-headers"),
        comment=f"Security headers of every {context.environment} response",
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
