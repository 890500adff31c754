"""The CDN's configuration: CloudFront's and ACM's rules as validation, and every error's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.config_files import load_environment
from environments.loader import ConfigError, parse_account, parse_environment
from modules.cdn.config import ORIGIN_SHIELD_REGIONS, CdnConfig, CdnPolicies

API = "cdn:\n  api: {read_timeout_seconds: 30"


def _errors(text: str, env: str = "staging") -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_environment(env, text, Path(f"environments/{env}.yaml"))
    return raised.value.messages


def _account_errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_account(text, Path("environments/account.yaml"))
    return raised.value.messages


def _cdn(text: str, env: str = "staging") -> CdnConfig:
    return parse_environment(env, text, Path(f"environments/{env}.yaml")).cdn


def test_defaults_are_production_safe() -> None:
    config = CdnConfig()
    assert config.waf is not None and config.additional_metrics is True
    assert config.price_class == "PriceClass_200" and config.origin_shield_region == "eu-central-1"
    assert config.domain is None  # no sane default: set per environment
    assert config.policies is None  # the account's (account-bootstrap)
    assert CdnPolicies().api.cache_key_headers == []  # the origin access control signs in Authorization


@pytest.mark.parametrize(
    ("env", "price_class", "waf", "waiver"),
    [("dev", "PriceClass_100", False, False), ("staging", "PriceClass_100", False, False),
     ("prod", "PriceClass_200", True, True)],
)  # fmt: skip
def test_shipped_environments(env: str, price_class: str, waf: bool, waiver: bool) -> None:
    config = load_environment(env).cdn
    assert config.price_class == price_class
    assert (config.waf is not None, config.without_domain_reason is not None) == (waf, waiver)
    assert config.domain is None  # no domain is registered for the product yet


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("/api/<id>", "must be a CloudFront path pattern starting with /: 1 to 255 of"),
        ("api/x", "must be a CloudFront path pattern starting with /"),
        ("/" + "a" * 255, "must be a CloudFront path pattern"),
        ("/*", "'/*' is the default behavior"),
    ],
)
def test_fails_when_a_route_path_is_not_one_cloudfront_accepts(pattern: str, problem: str) -> None:
    (message,) = _errors(f"lambda:\n  functions:\n    report: {{routes: ['GET {pattern}']}}\n")
    assert message.startswith("environments/staging.yaml: lambda.functions.report.routes.0.path: ")
    assert problem in message


def test_route_paths_may_use_every_allowed_character() -> None:
    pattern = "/a-Z_0.9*$~\"'@:+&/"
    config = parse_environment(
        "staging",
        f"lambda:\n  functions:\n    report: {{routes: ['GET {pattern.replace(chr(39), chr(39) * 2)}']}}\n",
        Path("environments/staging.yaml"),
    )
    assert str(config.lambda_service.functions["report"].routes[0]) == f"GET {pattern}"


def test_fails_when_the_cache_key_names_authorization() -> None:
    (message,) = _account_errors("cdn_policies:\n  api: {cache_key_headers: [Accept, authorization]}\n")
    assert message.startswith(
        "environments/account.yaml: cdn_policies.api.cache_key_headers: must not name Authorization: CloudFront's "
        "origin access control signs each request"
    )


def test_an_environment_sharing_the_account_may_not_have_policies_of_its_own() -> None:
    """Issue 18: its CI role would have to write them, and nothing tells its policies from prod's."""
    (message,) = _errors("cdn:\n  policies: {}\n")
    assert message == (
        "environments/staging.yaml: cdn.policies: an environment sharing the account uses the account's "
        "CloudFront policies (cdn_policies in environments/account.yaml, owned by account-bootstrap); only an "
        "environment alone in an account of its own (delivery.create_oidc_provider: true) has its own: remove "
        "cdn.policies (got {})"
    )


def test_an_environment_alone_in_its_account_has_policies_of_its_own() -> None:
    alone = "delivery: {create_oidc_provider: true}\n"
    assert parse_environment("staging", alone, Path("environments/staging.yaml")).own_cdn_policies == CdnPolicies()
    configured = parse_environment(
        "staging",
        alone + "cdn:\n  policies: {static: {ttls: {min_seconds: 0, default_seconds: 60, max_seconds: 600}}}\n",
        Path("environments/staging.yaml"),
    ).own_cdn_policies
    assert configured is not None and configured.static.ttls.max_seconds == 600
    assert load_environment("staging").own_cdn_policies is None


def test_a_domain_needs_a_route53_zone_id_and_a_host_name() -> None:
    messages = _errors("cdn:\n  domain: {name: 'https://shop/v1', hosted_zone_id: zone-1}\n")
    assert any(
        m.startswith("environments/staging.yaml: cdn.domain.name: String should match pattern") for m in messages
    )
    assert any(
        m.startswith("environments/staging.yaml: cdn.domain.hosted_zone_id: String should match") for m in messages
    )


def test_a_domain_and_a_waiver_exclude_each_other() -> None:
    (message,) = _errors(
        "cdn:\n  domain: {name: shop.test, hosted_zone_id: Z0123456789ABCDEF}\n"
        "  without_domain_reason: No domain registered yet\n"
    )
    assert "cdn: without_domain_reason is for an environment without a domain; remove one of them" in message


def test_a_waiver_is_text_a_tag_can_hold() -> None:
    (message,) = _errors("cdn: {without_domain_reason: 'no domain, because; reasons!'}\n")
    assert message.startswith("environments/staging.yaml: cdn.without_domain_reason: String should match pattern")


def test_fails_when_origin_shield_is_not_offered_in_the_region() -> None:
    (message,) = _errors("cdn: {origin_shield_region: eu-west-3}\n")
    assert message == (
        "environments/staging.yaml: cdn.origin_shield_region: Origin Shield is not offered in eu-west-3; choose "
        f"the region nearest the origin from {', '.join(ORIGIN_SHIELD_REGIONS)}, or null to turn it off "
        "(got 'eu-west-3')"
    )


def test_an_api_without_compression_is_valid() -> None:
    api = _cdn(f"{API}, compress: false}}\n").api
    assert api is not None and api.compress is False


def test_fails_when_ttls_are_out_of_order() -> None:
    (message,) = _account_errors(
        "cdn_policies:\n  static: {ttls: {min_seconds: 10, default_seconds: 5, max_seconds: 60}}\n"
    )
    assert "cdn_policies.static.ttls: TTLs must satisfy min ≤ default ≤ max (got 10, 5, 60)" in message


def test_the_environments_cdn_settings_name_the_accounts_policies_when_given_theirs() -> None:
    """A TTL in an environment's file is an unknown setting there: the policies are the account's."""
    (message,) = _errors("cdn:\n  api: {ttls: {min_seconds: 0, default_seconds: 0, max_seconds: 0}}\n")
    assert message.startswith("environments/staging.yaml: cdn.api.ttls: unknown setting; allowed: compress, ")


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
