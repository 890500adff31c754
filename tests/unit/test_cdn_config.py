"""The CDN's configuration: CloudFront's and ACM's rules as validation, and every error's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from environments.loader import ConfigError, load_environment, parse_environment
from modules.cdn.config import ORIGIN_SHIELD_REGIONS, CdnConfig

API = "cdn:\n  api: {domain_name: api.example.com"


def _errors(text: str, env: str = "staging") -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_environment(env, text, Path(f"environments/{env}.yaml"))
    return raised.value.messages


def _cdn(text: str, env: str = "staging") -> CdnConfig:
    return parse_environment(env, text, Path(f"environments/{env}.yaml")).cdn


def test_defaults_are_production_safe() -> None:
    config = CdnConfig()
    assert config.waf is not None and config.additional_metrics is True
    assert config.price_class == "PriceClass_200" and config.origin_shield_region == "eu-central-1"
    assert config.api is None and config.certificate is None  # no sane default: set per environment


@pytest.mark.parametrize(
    ("env", "price_class", "waf", "certificate"),
    [("dev", "PriceClass_100", False, False), ("staging", "PriceClass_100", False, False),
     ("prod", "PriceClass_200", True, True)],
)  # fmt: skip
def test_shipped_environments(env: str, price_class: str, waf: bool, certificate: bool) -> None:
    config = load_environment(env).cdn
    assert config.price_class == price_class
    assert (config.waf is not None, config.certificate is not None) == (waf, certificate)
    assert config.api is not None and config.api.path_patterns == ["/api/*"]


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("/api/<id>", "is not a CloudFront path pattern: 1 to 255 of the characters"),
        ("/api/ space", "is not a CloudFront path pattern"),
        ("/" + "a" * 255, "is not a CloudFront path pattern"),
        ("*", "'*' is the default behavior"),
    ],
)
def test_fails_when_a_path_pattern_is_not_one_cloudfront_accepts(pattern: str, problem: str) -> None:
    (message,) = _errors(f"{API}, path_patterns: ['{pattern}']}}\n")
    assert message.startswith("environments/staging.yaml: cdn.api.path_patterns: ")
    assert problem in message


def test_fails_when_path_patterns_repeat() -> None:
    (message,) = _errors(f"{API}, path_patterns: ['/api/*', '/v2/*', '/api/*']}}\n")
    assert message == (
        "environments/staging.yaml: cdn.api.path_patterns: path patterns must be unique; repeated: /api/* "
        "(got ['/api/*', '/v2/*', '/api/*'])"
    )


def test_path_patterns_may_use_every_allowed_character() -> None:
    pattern = "/a-Z_0.9*$~\"'@:+&/"
    assert _cdn(f"{API}, path_patterns: ['/api/*', '{pattern.replace(chr(39), chr(39) * 2)}']}}\n").api is not None


def test_fails_when_origin_shield_is_not_offered_in_the_region() -> None:
    (message,) = _errors("cdn: {origin_shield_region: eu-west-3}\n")
    assert message == (
        "environments/staging.yaml: cdn.origin_shield_region: Origin Shield is not offered in eu-west-3; choose "
        f"the region nearest the origin from {', '.join(ORIGIN_SHIELD_REGIONS)}, or null to turn it off "
        "(got 'eu-west-3')"
    )


def test_fails_when_the_certificate_is_not_in_us_east_1() -> None:
    arn = "arn:aws:acm:eu-central-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    (message,) = _errors(f"cdn:\n  certificate: {{acm_certificate_arn: '{arn}', aliases: [www.example.com]}}\n")
    assert message == (
        "environments/staging.yaml: cdn.certificate.acm_certificate_arn: CloudFront uses ACM certificates from "
        f"us-east-1 only; request or import the certificate there (this one is in eu-central-1) (got '{arn}')"
    )


def test_fails_when_the_certificate_is_not_an_acm_arn() -> None:
    (message,) = _errors("cdn:\n  certificate: {acm_certificate_arn: 'arn:aws:iam::1:server-certificate/x', "
                         "aliases: [www.example.com]}\n")  # fmt: skip
    assert "cdn.certificate.acm_certificate_arn: must be an ACM certificate ARN" in message


def test_fails_when_a_certificate_has_no_alias() -> None:
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    (message,) = _errors(f"cdn:\n  certificate: {{acm_certificate_arn: '{arn}', aliases: []}}\n")
    assert message.startswith("environments/staging.yaml: cdn.certificate.aliases: List should have at least 1")


def test_fails_when_the_api_domain_is_a_url() -> None:
    (message,) = _errors("cdn:\n  api: {domain_name: 'https://api.example.com/v1'}\n")
    assert message.startswith("environments/staging.yaml: cdn.api.domain_name: String should match pattern")


def test_fails_when_api_compression_meets_all_zero_ttls() -> None:
    (message,) = _errors(f"{API}, ttls: {{min_seconds: 0, default_seconds: 0, max_seconds: 0}}}}\n")
    assert message.startswith(
        "environments/staging.yaml: cdn.api: compress needs ttls.max_seconds > 0: AWS rejects compression on a "
        "cache policy whose TTLs are all zero"
    )


def test_an_uncached_api_without_compression_is_valid() -> None:
    text = f"{API}, compress: false, ttls: {{min_seconds: 0, default_seconds: 0, max_seconds: 0}}}}\n"
    api = _cdn(text).api
    assert api is not None and api.compress is False


def test_fails_when_ttls_are_out_of_order() -> None:
    (message,) = _errors("cdn:\n  static: {ttls: {min_seconds: 10, default_seconds: 5, max_seconds: 60}}\n")
    assert "cdn.static.ttls: TTLs must satisfy min ≤ default ≤ max (got 10, 5, 60)" in message


def test_fails_when_an_error_code_has_two_responses_or_a_page_without_a_code() -> None:
    messages = _errors(
        "cdn:\n  custom_error_responses:\n"
        "    - {error_code: 404, caching_min_ttl_seconds: 10}\n"
        "    - {error_code: 404, caching_min_ttl_seconds: 60}\n"
        "    - {error_code: 403, caching_min_ttl_seconds: 60, response_page_path: /403.html}\n"
    )
    assert any("cdn.custom_error_responses.2: response_code and response_page_path go together" in m for m in messages)
    assert _errors(
        "cdn:\n  custom_error_responses:\n"
        "    - {error_code: 404, caching_min_ttl_seconds: 10}\n"
        "    - {error_code: 404, caching_min_ttl_seconds: 60}\n"
    ) == [
        "environments/staging.yaml: cdn.custom_error_responses: one custom error response per error code; "
        "repeated: [404] (got [{'error_code': 404, 'caching_min_ttl_seconds': 10}, "
        "{'error_code': 404, 'caching_min_ttl_seconds':…)"  # quoted values are cut to 100 characters
    ]


def test_fails_when_a_managed_rule_group_is_unknown_or_repeated() -> None:
    (unknown,) = _errors("cdn:\n  waf: {managed_rule_groups: [AWSManagedRulesMadeUp]}\n")
    assert unknown.startswith("environments/staging.yaml: cdn.waf.managed_rule_groups.0: Input should be")
    (repeated,) = _errors(
        "cdn:\n  waf: {managed_rule_groups: [AWSManagedRulesCommonRuleSet, AWSManagedRulesCommonRuleSet]}\n"
    )
    assert "cdn.waf.managed_rule_groups: each managed rule group may appear once" in repeated
