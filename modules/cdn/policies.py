"""The distribution's cache, origin request and response headers policies and its origin access
controls.

Each is a resource of its own that behaviors and origins reference by id; every list in them is
sorted, so reordering the configuration never changes the plan.

They are immutable: CloudFront's policies and access controls take no tags and are named by a
generated id, so no IAM condition can keep one environment's CI role from updating another's.
The CI roles may therefore create and delete them but never update one (modules/delivery/
permissions/services/cloudfront.py). Each is addressed and named by a digest of its settings
(`_version`): a changed setting is a new object, created before the distribution moves to it and the
old one deleted after (CloudFront refuses to delete one a distribution still uses). That is a new
object, not a move: no `moved` block.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Literal

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
)
from modules.core.label import Context

VERSION_LENGTH = 8
"""Hex digits of the settings' digest in a policy's name and address."""


def _version(settings: Mapping[str, object]) -> str:
    """A digest of an immutable object's settings: its name and address change with any of them."""
    canonical = json.dumps(settings, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:VERSION_LENGTH]


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
    version = _version(
        {
            "comment": comment,
            "ttls": ttls.model_dump(mode="json"),
            "compress": compress,
            "headers": sorted(headers),
            "query_strings": None if query_strings is None else sorted(query_strings),
            "cookies": sorted(cookies),
        }
    )
    return CloudfrontCachePolicy(
        scope,
        f"{name}_cache_policy_{version}",
        name=context.id("cdn", name, version),
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
    comment = "API: every viewer header but Host, every cookie and query string"
    header_behavior, headers, cookie_behavior, query_string_behavior = "allExcept", ["Host"], "all", "all"
    version = _version(
        {
            "comment": comment,
            "header_behavior": header_behavior,
            "headers": headers,
            "cookie_behavior": cookie_behavior,
            "query_string_behavior": query_string_behavior,
        }
    )  # every value of the policy below
    return CloudfrontOriginRequestPolicy(
        scope,
        f"api_origin_request_policy_{version}",
        name=context.id("cdn", "api", version),
        comment=comment,
        headers_config=CloudfrontOriginRequestPolicyHeadersConfig(
            header_behavior=header_behavior,
            headers=CloudfrontOriginRequestPolicyHeadersConfigHeaders(items=headers),
        ),
        cookies_config=CloudfrontOriginRequestPolicyCookiesConfig(cookie_behavior=cookie_behavior),
        query_strings_config=CloudfrontOriginRequestPolicyQueryStringsConfig(
            query_string_behavior=query_string_behavior
        ),
    )


def security_headers_policy(
    scope: Construct, *, context: Context, headers: SecurityHeaders
) -> CloudfrontResponseHeadersPolicy:
    """The security headers of every response, overriding whatever an origin sent."""
    comment = f"Security headers of every {context.environment} response"
    version = _version({"comment": comment, "headers": headers.model_dump(mode="json")})
    return CloudfrontResponseHeadersPolicy(
        scope,
        f"security_headers_{version}",
        name=context.id("cdn", "security-headers", version),
        comment=comment,
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
