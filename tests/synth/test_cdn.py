"""The CDN of each shipped environment, asserted on the synthesized JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli import gate
from cli.config_files import load_environment
from cli.errors import UserError
from cli.settings import Settings
from tests.conftest import only, purpose_key, resources, synthesize
from tests.synth.test_account import PROD_ACCOUNT_ID

ENVIRONMENTS = ("dev", "staging", "prod")
# environment: price class, Origin Shield region, WAF, additional metrics, log days, 5xx / 4xx thresholds
EXPECTED = {
    "dev": ("PriceClass_100", None, False, False, 30, None),
    "staging": ("PriceClass_100", "eu-central-1", False, False, 90, (2, 15)),
    "prod": ("PriceClass_200", "eu-central-1", True, True, 365, (1, 10)),
}
EDGE = "aws.edge"
WITH_EDGE_ALARMS = [env for env in ENVIRONMENTS if load_environment(env).cdn.alarms is not None]
"""staging and prod; dev's cost profile has no alarms at the edge (cdn.alarms: null)."""


def _name(stack: dict[str, Any], kind: str, contains: str) -> str:
    """The one resource of `kind` whose name contains `contains` (`^x`: starts with x)."""
    if contains.startswith("^"):
        (name,) = [n for n in resources(stack, kind) if n.startswith(contains[1:])]
    else:
        (name,) = [n for n in resources(stack, kind) if contains in n]
    return name


def _ref(stack: dict[str, Any], kind: str, attribute: str, contains: str) -> str:
    return f"${{{kind}.{_name(stack, kind, contains)}.{attribute}}}"


def _body(stack: dict[str, Any], kind: str, contains: str) -> dict[str, Any]:
    return resources(stack, kind)[_name(stack, kind, contains)]


ACCOUNT_POLICIES = "matbakh-account-shared-cdn-"
"""The names of the account's CloudFront policies (account-bootstrap), which every environment's distribution uses."""


def _account_policy(stack: dict[str, Any], kind: str, purpose: str) -> str:
    """A reference to the data source that finds the account's `kind` policy of `purpose` by its name."""
    (address,) = [a for a, body in stack["data"][kind].items() if body["name"] == ACCOUNT_POLICIES + purpose]
    return f"${{data.{kind}.{address}.id}}"


def _statements(document: str) -> dict[str, dict[str, Any]]:
    return {s.get("Sid", ""): s for s in json.loads(document)["Statement"]}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_stack_has_a_us_east_1_provider_for_the_edge(stacks: dict[str, Any], env: str) -> None:
    assert stacks[env]["provider"]["aws"] == [{"region": "eu-central-1"}, {"alias": "edge", "region": "us-east-1"}]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_distribution_speaks_http3_over_ipv6_with_per_environment_price_class_and_certificate(
    stacks: dict[str, Any], env: str
) -> None:
    stack = stacks[env]
    price_class, _, waf, _, _, _ = EXPECTED[env]
    distribution = only(stack, "aws_cloudfront_distribution")
    assert distribution["enabled"] is True
    assert distribution["http_version"] == "http2and3"
    assert distribution["is_ipv6_enabled"] is True
    assert distribution["price_class"] == price_class
    assert distribution["default_root_object"] == "index.html"
    assert distribution["restrictions"] == {"geo_restriction": {"restriction_type": "none"}}
    # No shipped environment has a domain yet (test_a_domain_gets_a_validated_certificate_and_alias_records).
    assert distribution["viewer_certificate"] == {"cloudfront_default_certificate": True}
    assert "aliases" not in distribution
    assert ("DomainWaiver" in distribution["tags"]) is (env == "prod")
    if waf:
        assert distribution["web_acl_id"] == _ref(stack, "aws_wafv2_web_acl", "arn", "cdn_web_acl")
    else:
        assert "web_acl_id" not in distribution
        assert resources(stack, "aws_wafv2_web_acl") == {}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_assets_origin_uses_origin_access_control_and_origin_shield(stacks: dict[str, Any], env: str) -> None:
    stack = stacks[env]
    shield_region = EXPECTED[env][1]
    origins = {o["origin_id"]: o for o in only(stack, "aws_cloudfront_distribution")["origin"]}
    assets = origins["assets"]
    assert assets["domain_name"] == _ref(stack, "aws_s3_bucket", "bucket_regional_domain_name", "cdn_assets_bucket")
    assert assets["origin_access_control_id"] == _ref(
        stack, "aws_cloudfront_origin_access_control", "id", "cdn_assets_origin_access_control"
    )
    if shield_region:
        assert assets["origin_shield"] == {"enabled": True, "origin_shield_region": shield_region}
    else:
        assert "origin_shield" not in assets
    controls = resources(stack, "aws_cloudfront_origin_access_control")
    access, api = (
        controls[_name(stack, "aws_cloudfront_origin_access_control", f"^cdn_{k}")] for k in ("assets", "api")
    )
    for control, origin_type in ((access, "s3"), (api, "lambda")):
        assert (
            control["origin_access_control_origin_type"],
            control["signing_behavior"],
            control["signing_protocol"],
        ) == (origin_type, "always", "sigv4")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_api_origins_are_the_function_urls_https_only_with_tls_1_2(stacks: dict[str, Any], env: str) -> None:
    stack = stacks[env]
    origins = {o["origin_id"]: o for o in only(stack, "aws_cloudfront_distribution")["origin"]}
    assert sorted(origins) == ["api-auth", "api-persona", "api-upload", "api-vc-result", "api-vc-start", "assets"]
    for key in ("auth", "persona", "upload", "vc-result", "vc-start"):
        url = _name(stack, "aws_lambda_function_url", key.replace("-", "_"))
        api = origins[f"api-{key}"]
        assert api["domain_name"] == f'${{element(split("/", aws_lambda_function_url.{url}.function_url), 2)}}'
        assert api["origin_access_control_id"] == _ref(stack, "aws_cloudfront_origin_access_control", "id", "cdn_api")
    assert api["custom_origin_config"] == {
        "http_port": 80,
        "https_port": 443,
        "origin_protocol_policy": "https-only",
        "origin_ssl_protocols": ["TLSv1.2"],
        "origin_read_timeout": 30,
        "origin_keepalive_timeout": 5,
    }
    assert (api["connection_attempts"], api["connection_timeout"]) == (3, 10)
    assert "origin_shield" not in api  # dynamic responses gain nothing from another cache layer


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_behaviors_route_static_and_api_with_their_policies_and_security_headers(
    stacks: dict[str, Any], env: str
) -> None:
    stack = stacks[env]
    distribution = only(stack, "aws_cloudfront_distribution")
    headers = _account_policy(stack, "aws_cloudfront_response_headers_policy", "security-headers")
    default = distribution["default_cache_behavior"]
    assert default == {
        "target_origin_id": "assets",
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": ["GET", "HEAD", "OPTIONS"],
        "cached_methods": ["GET", "HEAD"],
        "compress": True,
        "cache_policy_id": _account_policy(stack, "aws_cloudfront_cache_policy", "static"),
        "response_headers_policy_id": headers,
    }
    all_methods = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    behaviors = [
        (b["path_pattern"], b["target_origin_id"], b["allowed_methods"]) for b in distribution["ordered_cache_behavior"]
    ]
    # Literal paths first, then the longer patterns: CloudFront takes the first that matches.
    assert behaviors == [
        ("/auth/session", "api-auth", ["GET", "HEAD"]),
        ("/vc/start", "api-vc-start", all_methods),
        ("/upload", "api-upload", all_methods),
        ("/vc/result/*", "api-vc-result", ["GET", "HEAD"]),
        ("/persona/*", "api-persona", all_methods),
        ("/auth/*", "api-auth", all_methods),
    ]
    for api in distribution["ordered_cache_behavior"]:
        assert api == {
            **api,
            "viewer_protocol_policy": "https-only",
            "cached_methods": ["GET", "HEAD"],
            "compress": True,
            "cache_policy_id": _account_policy(stack, "aws_cloudfront_cache_policy", "api"),
            "origin_request_policy_id": _account_policy(stack, "aws_cloudfront_origin_request_policy", "api"),
            "response_headers_policy_id": headers,
        }


def test_static_cache_policy_caches_long_and_compresses_without_cookies_or_query_strings(
    stacks: dict[str, Any],
) -> None:
    policy = _body(stacks["account-bootstrap"], "aws_cloudfront_cache_policy", "static")
    assert policy["name"] == ACCOUNT_POLICIES + "static"
    assert (policy["min_ttl"], policy["default_ttl"], policy["max_ttl"]) == (0, 86_400, 31_536_000)
    assert policy["parameters_in_cache_key_and_forwarded_to_origin"] == {
        "enable_accept_encoding_brotli": True,
        "enable_accept_encoding_gzip": True,
        "headers_config": {"header_behavior": "none"},
        "cookies_config": {"cookie_behavior": "none"},
        "query_strings_config": {"query_string_behavior": "none"},
    }


def test_api_cache_policy_is_short_yet_compresses_and_forwards_through_the_request_policy(
    stacks: dict[str, Any],
) -> None:
    stack = stacks["account-bootstrap"]
    policy = _body(stack, "aws_cloudfront_cache_policy", "api")
    assert policy["name"] == ACCOUNT_POLICIES + "api"
    # Not all zero: AWS rejects compression on a policy that can never cache.
    assert (policy["min_ttl"], policy["default_ttl"], policy["max_ttl"]) == (0, 0, 60)
    assert policy["parameters_in_cache_key_and_forwarded_to_origin"] == {
        "enable_accept_encoding_brotli": True,
        "enable_accept_encoding_gzip": True,
        # Not Authorization: the origin access control signs every request to the function URLs in it.
        "headers_config": {"header_behavior": "none"},
        "cookies_config": {"cookie_behavior": "none"},
        "query_strings_config": {"query_string_behavior": "all"},
    }
    request = only(stack, "aws_cloudfront_origin_request_policy")
    assert request["name"] == ACCOUNT_POLICIES + "api"
    assert request["headers_config"] == {"header_behavior": "allExcept", "headers": {"items": ["Host"]}}
    assert request["cookies_config"] == {"cookie_behavior": "all"}
    assert request["query_strings_config"] == {"query_string_behavior": "all"}


def test_response_headers_policy_sets_the_security_headers(stacks: dict[str, Any]) -> None:
    policy = only(stacks["account-bootstrap"], "aws_cloudfront_response_headers_policy")
    assert policy["name"] == ACCOUNT_POLICIES + "security-headers"
    config = policy["security_headers_config"]
    assert config["strict_transport_security"] == {
        "access_control_max_age_sec": 63_072_000,
        "include_subdomains": True,
        "preload": True,
        "override": True,
    }
    assert config["content_type_options"] == {"override": True}
    assert config["frame_options"] == {"frame_option": "DENY", "override": True}
    assert config["referrer_policy"] == {"referrer_policy": "strict-origin-when-cross-origin", "override": True}
    assert config["content_security_policy"]["override"] is True
    assert "frame-ancestors 'none'" in config["content_security_policy"]["content_security_policy"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_environment_stack_creates_a_cloudfront_policy_it_only_finds_the_accounts(
    stacks: dict[str, Any], env: str
) -> None:
    """Issue 18: no IAM condition tells prod's policies from dev's, so no environment owns one."""
    for kind in _ACCOUNT_OWNED:
        assert not resources(stacks[env], kind), (env, kind)
        assert not resources(stacks[f"{env}-bootstrap"], kind), (env, kind)
        names = sorted(body["name"] for body in stacks[env]["data"][kind].values())
        assert names == sorted(body["name"] for body in resources(stacks["account-bootstrap"], kind).values()), (
            env,
            kind,
        )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_custom_error_responses_cache_errors_briefly_without_rewriting_them(stacks: dict[str, Any], env: str) -> None:
    responses = only(stacks[env], "aws_cloudfront_distribution")["custom_error_response"]
    assert responses == [
        {"error_code": 404, "error_caching_min_ttl": 60},
        *({"error_code": code, "error_caching_min_ttl": 10} for code in (500, 502, 503, 504)),
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_assets_bucket_is_private_versioned_kms_encrypted_and_readable_only_by_this_distribution(
    stacks: dict[str, Any], env: str
) -> None:
    stack = stacks[env]
    bucket = _name(stack, "aws_s3_bucket", "cdn_assets_bucket")
    assert resources(stack, "aws_s3_bucket")[bucket]["bucket"] == f"matbakh-{env}-api-cdn-assets"
    reference = f"${{aws_s3_bucket.{bucket}.id}}"
    distribution_arn = _ref(stack, "aws_cloudfront_distribution", "arn", "cdn")
    assets_key = purpose_key(stack, "cdn/assets_key/key")
    key = assets_key.arn
    encryption = _body(stack, "aws_s3_bucket_server_side_encryption_configuration", "assets")
    assert encryption["bucket"] == reference
    assert encryption["rule"] == [
        {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key},
         "bucket_key_enabled": True}
    ]  # fmt: skip
    assert _body(stack, "aws_s3_bucket_versioning", "assets")["versioning_configuration"] == {"status": "Enabled"}
    block = _body(stack, "aws_s3_bucket_public_access_block", "assets")
    assert all(block[flag] is True for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                                "restrict_public_buckets"))  # fmt: skip
    ownership = _body(stack, "aws_s3_bucket_ownership_controls", "assets")
    assert ownership["rule"] == {"object_ownership": "BucketOwnerEnforced"}
    statements = _statements(_body(stack, "aws_s3_bucket_policy", "assets")["policy"])
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    read = statements["ThisDistributionReadsAssets"]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution_arn}}
    if assets_key.shared:
        # The environment's key cannot name the distribution (a cycle): the account's distributions
        # may decrypt, and the bucket policy above still admits this distribution only.
        decrypt = assets_key.statements["AccountDistributionsDecryptAssets"]
        assert decrypt["Condition"] == {
            "StringEquals": {"AWS:SourceAccount": "${data.aws_caller_identity.aws_caller_identity.account_id}"},
            "ArnLike": {
                "AWS:SourceArn": "arn:${data.aws_partition.aws_partition.partition}:cloudfront::"
                "${data.aws_caller_identity.aws_caller_identity.account_id}:distribution/*"
            },
        }
    else:
        decrypt = assets_key.statements["ThisDistributionDecryptsAssets"]
        assert decrypt["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution_arn}}
    assert decrypt["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "kms:Decrypt" in decrypt["Action"]
    assert assets_key.body["enable_key_rotation"] is True


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_standard_logs_go_to_an_acl_enabled_kms_encrypted_log_bucket(stacks: dict[str, Any], env: str) -> None:
    stack = stacks[env]
    log_days = EXPECTED[env][4]
    bucket = _name(stack, "aws_s3_bucket", "cdn_log_bucket")
    assert resources(stack, "aws_s3_bucket")[bucket]["bucket"] == f"matbakh-{env}-api-cdn-logs"
    logging = only(stack, "aws_cloudfront_distribution")["logging_config"]
    assert logging == {
        "bucket": f"${{aws_s3_bucket.{bucket}.bucket_domain_name}}",
        "prefix": "cloudfront/",
        "include_cookies": False,
    }
    ownership = _body(stack, "aws_s3_bucket_ownership_controls", "cdn_log")
    assert ownership["rule"] == {"object_ownership": "BucketOwnerPreferred"}
    acl = only(stack, "aws_s3_bucket_acl")["access_control_policy"]
    (log_delivery_data,) = stack["data"]["aws_cloudfront_log_delivery_canonical_user_id"]
    log_delivery = f"${{data.aws_cloudfront_log_delivery_canonical_user_id.{log_delivery_data}.id}}"
    assert {(g["grantee"]["id"], g["permission"]) for g in acl["grant"]} >= {(log_delivery, "FULL_CONTROL")}
    key = purpose_key(stack, "cdn/log_key/key")
    assert key.statements["ServicesEncryptWithKey"]["Principal"] == {"Service": ["delivery.logs.amazonaws.com"]}
    assert key.statements["ServicesEncryptWithKey"]["Action"] == ["kms:GenerateDataKey*"]
    encryption = _body(stack, "aws_s3_bucket_server_side_encryption_configuration", "cdn_log")
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": key.arn,
    }
    (rule,) = _body(stack, "aws_s3_bucket_lifecycle_configuration", "cdn_log")["rule"]
    assert rule["expiration"] == [{"days": log_days}]
    assert "DenyInsecureTransport" in _statements(_body(stack, "aws_s3_bucket_policy", "cdn_log")["policy"])


def test_prod_web_acl_in_us_east_1_has_managed_rules_a_rate_limit_and_logs_blocked_requests(
    stacks: dict[str, Any],
) -> None:
    stack = stacks["prod"]
    acl = only(stack, "aws_wafv2_web_acl")
    assert (acl["scope"], acl["provider"], acl["default_action"]) == ("CLOUDFRONT", EDGE, {"allow": {}})
    rules = {rule["name"]: rule for rule in acl["rule"]}
    assert list(rules) == [
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",  # Log4j (Log4JRCE)
        "RateLimitPerIp",
    ]
    assert [rule["priority"] for rule in acl["rule"]] == [0, 1, 2, 3]
    for name in list(rules)[:3]:
        assert rules[name]["statement"] == {"managed_rule_group_statement": {"name": name, "vendor_name": "AWS"}}
        assert rules[name]["override_action"] == {"none": {}}
    assert rules["RateLimitPerIp"]["action"] == {"block": {}}
    assert rules["RateLimitPerIp"]["statement"] == {
        "rate_based_statement": {"aggregate_key_type": "IP", "limit": 2000, "evaluation_window_sec": 300}
    }
    logging = only(stack, "aws_wafv2_web_acl_logging_configuration")
    group = _body(stack, "aws_cloudwatch_log_group", "waf")
    assert group["name"] == "aws-waf-logs-matbakh-prod-api-cdn" and group["provider"] == EDGE
    assert group["retention_in_days"] == 365
    assert group["kms_key_id"] == _ref(stack, "aws_kms_key", "arn", "waf_log_key")
    assert _body(stack, "aws_kms_key", "waf_log_key")["provider"] == EDGE
    assert logging["log_destination_configs"] == [_ref(stack, "aws_cloudwatch_log_group", "arn", "waf")]
    assert logging["provider"] == EDGE
    assert logging["logging_filter"]["default_behavior"] == "DROP"
    assert [c["action_condition"]["action"] for c in logging["logging_filter"]["filter"][0]["condition"]] == [
        "BLOCK",
        "COUNT",
    ]


@pytest.mark.parametrize("env", WITH_EDGE_ALARMS)
def test_edge_alarms_in_us_east_1_notify_the_edge_topic_with_global_dimensions(
    stacks: dict[str, Any], env: str
) -> None:
    stack = stacks[env]
    _, _, _, additional, _, rates = EXPECTED[env]
    assert rates is not None  # an environment with edge alarms has their thresholds
    rate_5xx, rate_4xx = rates
    topic = _ref(stack, "aws_sns_topic", "arn", "cdn_edge_alerts")
    alarms = {b["alarm_name"]: b for n, b in resources(stack, "aws_cloudwatch_metric_alarm").items() if "cdn_" in n}
    expected = {f"matbakh-{env}-api-cdn-5xx-error-rate": ("5xxErrorRate", "Average", rate_5xx),
                f"matbakh-{env}-api-cdn-4xx-error-rate": ("4xxErrorRate", "Average", rate_4xx)}  # fmt: skip
    if additional:
        expected[f"matbakh-{env}-api-cdn-origin-latency"] = ("OriginLatency", "p90", 1000)
        expected[f"matbakh-{env}-api-cdn-cache-hit-rate"] = ("CacheHitRate", "Average", 60)
    assert set(alarms) == set(expected)
    distribution_id = _ref(stack, "aws_cloudfront_distribution", "id", "cdn")
    for name, (metric_name, statistic, threshold) in expected.items():
        alarm = alarms[name]
        assert alarm["provider"] == EDGE
        assert alarm["alarm_actions"] == alarm["ok_actions"] == [topic]
        assert alarm["treat_missing_data"] == "notBreaching"
        assert alarm["threshold"] == threshold
        statistic_key = "extended_statistic" if statistic.startswith("p") else "statistic"
        assert (alarm["namespace"], alarm["metric_name"], alarm["period"], alarm[statistic_key]) == (
            "AWS/CloudFront",
            metric_name,
            300,
            statistic,
        )
        assert alarm["dimensions"] == {"DistributionId": distribution_id, "Region": "Global"}
    comparison = {name: alarm["comparison_operator"] for name, alarm in alarms.items()}
    if additional:
        assert comparison[f"matbakh-{env}-api-cdn-cache-hit-rate"] == "LessThanThreshold"
    subscriptions = resources(stack, "aws_cloudfront_monitoring_subscription")
    if additional:
        (subscription,) = subscriptions.values()
        assert subscription["distribution_id"] == distribution_id
        assert subscription["monitoring_subscription"] == {
            "realtime_metrics_subscription_config": {"realtime_metrics_subscription_status": "Enabled"}
        }
    else:
        assert subscriptions == {}


@pytest.mark.parametrize("env", WITH_EDGE_ALARMS)
def test_edge_alarm_state_changes_reach_the_environments_alert_topic(stacks: dict[str, Any], env: str) -> None:
    stack = stacks[env]
    edge_topic = _body(stack, "aws_sns_topic", "cdn_edge_alerts")
    assert edge_topic["provider"] == EDGE and edge_topic["name"] == f"matbakh-{env}-api-alerts-edge"
    assert edge_topic["kms_master_key_id"].startswith("${aws_kms_key.cdn_edge_alerts_key")
    edge_publishers = _statements(_body(stack, "aws_sns_topic_policy", "cdn_edge")["policy"])
    assert edge_publishers["AwsServicesPublishAlerts"]["Principal"]["Service"] == [
        "budgets.amazonaws.com",
        "cloudwatch.amazonaws.com",
    ]
    edge_alarms = [body for body in resources(stack, "aws_cloudwatch_metric_alarm").values() if "provider" in body]
    assert edge_alarms and all(body["alarm_name"].startswith(f"matbakh-{env}-api-") for body in edge_alarms)
    rules = {name: body for name, body in resources(stack, "aws_cloudwatch_event_rule").items()}
    edge_rule = rules[_name(stack, "aws_cloudwatch_event_rule", "forward_edge")]
    home_rule = rules[_name(stack, "aws_cloudwatch_event_rule", "to_topic")]
    assert edge_rule["provider"] == EDGE and "provider" not in home_rule
    for rule in (edge_rule, home_rule):
        pattern = json.loads(rule["event_pattern"])
        assert pattern["source"] == ["aws.cloudwatch"]
        assert pattern["detail-type"] == ["CloudWatch Alarm State Change"]
        (prefix,) = pattern["resources"]
        assert prefix["prefix"].startswith("arn:${data.aws_partition.") and prefix["prefix"].endswith(
            f":cloudwatch:us-east-1:${{data.aws_caller_identity.aws_caller_identity.account_id}}:alarm:matbakh-{env}-api-"
        )
    targets = {name: body for name, body in resources(stack, "aws_cloudwatch_event_target").items()}
    to_bus = targets[_name(stack, "aws_cloudwatch_event_target", "forward_edge")]
    assert to_bus["provider"] == EDGE
    assert to_bus["arn"].endswith(":event-bus/default") and "}:events:${data.aws_region." in to_bus["arn"]
    assert to_bus["role_arn"] == _ref(stack, "aws_iam_role", "arn", "forwarder")
    forwarder_policy = json.loads(_body(stack, "aws_iam_role_policy", "forwarder")["policy"])["Statement"]
    assert forwarder_policy == [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": to_bus["arn"]}]
    to_topic = targets[_name(stack, "aws_cloudwatch_event_target", "to_topic")]
    assert to_topic["arn"] == _ref(stack, "aws_sns_topic", "arn", "^alerts_topic")
    # The environment's topic (and its key) accept EventBridge rules of this account.
    main = _statements(_body(stack, "aws_sns_topic_policy", "^alerts_publishers")["policy"])
    assert main["EventBridgeRulesForwardAlerts"]["Principal"] == {"Service": "events.amazonaws.com"}
    assert "aws:SourceAccount" in main["EventBridgeRulesForwardAlerts"]["Condition"]["StringEquals"]
    main_key = purpose_key(stack, "alerts/key/key")
    assert main_key.statements["EventBridgeRulesEncryptWithKey"]["Principal"] == {"Service": "events.amazonaws.com"}
    assert _body(stack, "aws_sns_topic", "^alerts_topic")["kms_master_key_id"] == main_key.arn


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_stack_outputs_name_the_distribution_and_the_assets_bucket(stacks: dict[str, Any], env: str) -> None:
    stack = stacks[env]
    outputs = {name: body["value"] for name, body in stack["output"].items()}
    assert outputs["cdn_distribution_id"] == _ref(stack, "aws_cloudfront_distribution", "id", "cdn")
    assert outputs["cdn_distribution_arn"] == _ref(stack, "aws_cloudfront_distribution", "arn", "cdn")
    assert outputs["cdn_domain_name"] == _ref(stack, "aws_cloudfront_distribution", "domain_name", "cdn")
    assert outputs["cdn_assets_bucket_name"] == _ref(stack, "aws_s3_bucket", "bucket", "cdn_assets_bucket")
    assert outputs["cdn_assets_bucket_arn"] == _ref(stack, "aws_s3_bucket", "arn", "cdn_assets_bucket")
    if env in WITH_EDGE_ALARMS:
        assert outputs["cdn_edge_alert_topic_arn"] == _ref(stack, "aws_sns_topic", "arn", "cdn_edge_alerts")
    else:
        assert "cdn_edge_alert_topic_arn" not in outputs
    assert ("cdn_web_acl_arn" in outputs) is EXPECTED[env][2]


@pytest.mark.parametrize("env", sorted(set(ENVIRONMENTS) - set(WITH_EDGE_ALARMS)))
def test_without_edge_alarms_nothing_is_left_in_us_east_1(stacks: dict[str, Any], env: str) -> None:
    """cdn.alarms: null (dev): no alarm, topic, key, rule or forwarding role at the edge, and the
    environment's topic and key no longer admit EventBridge (nothing is forwarded to them)."""
    stack = stacks[env]
    assert not load_environment(env).cdn.waf  # a web ACL would be the edge's one resource
    at_edge = sorted(
        f"{kind}.{name}" for kind, bodies in stack["resource"].items() for name, body in bodies.items()
        if body.get("provider") == EDGE
    )  # fmt: skip
    assert at_edge == []
    assert not resources(stack, "aws_cloudwatch_event_rule") and "forwarder" not in str(
        resources(stack, "aws_iam_role")
    )
    main = _statements(_body(stack, "aws_sns_topic_policy", "^alerts_publishers")["policy"])
    assert "EventBridgeRulesForwardAlerts" not in main and "AwsServicesPublishAlerts" in main
    assert "EventBridgeRulesEncryptWithKey" not in purpose_key(stack, "alerts/key/key").statements
    assert "ServicesEncryptWithKey" in purpose_key(stack, "alerts/key/key").statements


def test_fails_the_gate_when_prod_has_neither_a_domain_nor_a_reason(repo_copy: Path, tmp_path: Path) -> None:
    prod_yaml = repo_copy / "environments" / "prod.yaml"
    prod_yaml.write_text("{}\n")
    synthesize(repo_copy / "cdktf.out", "--env", "prod", "--force", cwd=repo_copy)
    with pytest.raises(UserError) as raised:
        gate.gate(
            Settings.from_environment().checkov,
            framework="terraform_json",
            targets=[repo_copy / "cdktf.out" / "stacks" / "prod"],
            report_dir=tmp_path / "reports",
            require_all_skips_used=False,
        )
    failures = [line.strip() for line in str(raised.value).splitlines() if line.strip().startswith("FAILED")]
    (failure,) = [line for line in failures if line.startswith("FAILED CKV_MBK_15 ")]
    assert failure.startswith("FAILED CKV_MBK_15 aws_cloudfront_distribution.cdn_distribution_")
    assert "prod requires its own domain" in failure and "cdn.without_domain_reason" in failure


def test_a_domain_gets_a_validated_certificate_in_us_east_1_and_alias_records(tmp_path: Path) -> None:
    from tests.conftest import copy_repository

    root = copy_repository(tmp_path / "repo")
    (root / "environments" / "prod.yaml").write_text(
        "cdn:\n  domain: {name: shop.prod.invalid, hosted_zone_id: Z0123456789ABCDEFGHIJ}\n"
    )
    stack = synthesize(root / "cdktf.out", "--env", "prod", "--force", cwd=root)["prod"]
    certificate = only(stack, "aws_acm_certificate")
    assert (certificate["domain_name"], certificate["validation_method"], certificate["provider"]) == (
        "shop.prod.invalid",
        "DNS",
        EDGE,
    )
    validation = only(stack, "aws_acm_certificate_validation")
    assert validation["provider"] == EDGE
    assert validation["certificate_arn"] == _ref(stack, "aws_acm_certificate", "arn", "cdn_certificate")
    records = resources(stack, "aws_route53_record")
    check = records[_name(stack, "aws_route53_record", "certificate_validation_record")]
    assert validation["validation_record_fqdns"] == [
        _ref(stack, "aws_route53_record", "fqdn", "certificate_validation_record")
    ]
    assert check["zone_id"] == "Z0123456789ABCDEFGHIJ" and "domain_validation_options" in check["name"]
    distribution = only(stack, "aws_cloudfront_distribution")
    assert distribution["aliases"] == ["shop.prod.invalid"]
    assert distribution["viewer_certificate"] == {
        "acm_certificate_arn": _ref(
            stack, "aws_acm_certificate_validation", "certificate_arn", "cdn_certificate_validation"
        ),
        "minimum_protocol_version": "TLSv1.2_2021",
        "ssl_support_method": "sni-only",
    }
    assert "DomainWaiver" not in distribution["tags"]
    aliases = {r["type"]: r for n, r in records.items() if "alias" in n}
    assert sorted(aliases) == ["A", "AAAA"]
    for record in aliases.values():
        assert record["name"] == "shop.prod.invalid" and record["zone_id"] == "Z0123456789ABCDEFGHIJ"
        assert record["alias"] == {
            "name": _ref(stack, "aws_cloudfront_distribution", "domain_name", "cdn"),
            "zone_id": _ref(stack, "aws_cloudfront_distribution", "hosted_zone_id", "cdn"),
            "evaluate_target_health": False,
        }


_ACCOUNT_OWNED = (
    "aws_cloudfront_cache_policy",
    "aws_cloudfront_origin_request_policy",
    "aws_cloudfront_response_headers_policy",
)
"""CloudFront policies no IAM condition tells apart by environment: the account stack set's."""


def _access_control_versions(stack: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each origin access control's address without its version → (version in the address, in the name)."""
    found = {}
    for address, body in resources(stack, "aws_cloudfront_origin_access_control").items():
        stem, version, _unique = address.rsplit("_", 2)
        found[stem] = (version, body["name"].rsplit("-", 1)[-1])
    return found


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_origin_access_control_is_named_and_addressed_by_its_settings(stacks: dict[str, Any], env: str) -> None:
    """Immutable, as no IAM condition tells one environment's from another's: created and deleted, never updated."""
    versions = _access_control_versions(stacks[env])
    assert sorted(versions) == ["cdn_api_origin_access_control", "cdn_assets_origin_access_control"]
    for address, (in_address, in_name) in versions.items():
        assert in_address == in_name and len(in_name) == 8 and int(in_name, 16) >= 0, address


def test_a_changed_account_policy_changes_the_account_bootstrap_only(tmp_path: Path) -> None:
    """A new TTL in environments/account.yaml updates the account's API cache policy in place (same
    name and address: only a person applying account-bootstrap may) and no environment's stack:
    their distributions find it by name."""
    from tests.conftest import copy_repository

    root = copy_repository(tmp_path / "repo")
    before = synthesize(root / "cdktf.out", "--force", cwd=root)
    account_yaml = root / "environments" / "account.yaml"
    account_yaml.write_text(
        account_yaml.read_text()
        + "cdn_policies:\n  api:\n    ttls: {min_seconds: 0, default_seconds: 0, max_seconds: 30}\n"
    )
    after = synthesize(root / "cdktf.out", "--force", cwd=root)
    changed = {stack for stack in before if before[stack] != after[stack]}
    assert changed == {"account-bootstrap"}
    old, new = (resources(stacks["account-bootstrap"], "aws_cloudfront_cache_policy") for stacks in (before, after))
    assert set(old) == set(new)
    assert [address for address in old if old[address] != new[address]] == [
        _name(before["account-bootstrap"], "aws_cloudfront_cache_policy", "api")
    ]
    (api,) = [body for body in new.values() if body["name"] == ACCOUNT_POLICIES + "api"]
    assert api["max_ttl"] == 30


def test_an_environment_alone_in_its_account_owns_its_policies_in_its_bootstrap(tmp_path: Path) -> None:
    """Like its OIDC provider: no account stack set runs there."""
    from tests.conftest import copy_repository

    root = copy_repository(tmp_path / "repo")
    prod_yaml = root / "environments" / "prod.yaml"
    prod_yaml.write_text(
        prod_yaml.read_text() + f'account_id: "{PROD_ACCOUNT_ID}"\ndelivery:\n  create_oidc_provider: true\n'
    )
    stacks = synthesize(root / "cdktf.out", "--env", "prod", "--force", cwd=root)
    for kind in _ACCOUNT_OWNED:
        owned = sorted(body["name"] for body in resources(stacks["prod-bootstrap"], kind).values())
        assert owned and all(name.startswith("matbakh-prod-api-cdn-") for name in owned), owned
        assert sorted(body["name"] for body in stacks["prod"]["data"][kind].values()) == owned
        assert not resources(stacks["prod"], kind)
