"""The CDN with real terraform against the local emulator: prod validates and plans (WAF, the
additional-metrics subscription and its alarms included); dev applies and is inspected.

What the emulator cannot do: moto has no CloudFront monitoring subscription (prod's additional
metrics), so prod is planned, not applied; CloudFront's cache, origin request and response
headers policies are filled in by `cli/emulator/patches/`. moto echoes only part of a distribution,
so a second plan is not empty; nothing here asserts on it.

The distributions use the account's policies, which `account-bootstrap` owns: each emulator gets
them first (only them, `-target`: the rest of that stack is the state bucket's), as a person's
`make bootstrap ENV=account` would create them.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli import emulator
from cli.config_files import load_environment
from tests.conftest import copy_repository, synthesize
from tests.integration.conftest import PoliciesEmulator, emulator_client, local_state_terraform

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def running(emulator_with_account_policies: PoliciesEmulator) -> emulator.Emulator:
    return emulator_with_account_policies.running


@pytest.fixture(scope="module")
def account_policies(emulator_with_account_policies: PoliciesEmulator) -> dict[str, str]:
    return emulator_with_account_policies.policies


def _stack(env: str, tmp_path: Path, cdn: dict[str, Any] | None = None) -> Path:
    """The synthesized stack of `env`, in a scratch copy of the repository; `cdn` overrides settings of its `cdn:`."""
    root = copy_repository(tmp_path / "repo")
    if cdn:
        path = root / "environments" / f"{env}.yaml"
        data = yaml.safe_load(path.read_text())
        data["cdn"] = {**data.get("cdn", {}), **cdn}
        path.write_text(yaml.safe_dump(data))
    synthesize(root / "cdktf.out", "--env", env, "--force", cwd=root)
    return root / "cdktf.out" / "stacks" / env


def _terraform(running: emulator.Emulator, stack_dir: Path, tmp_path: Path) -> Any:
    """`terraform <args>` of the stack with local state against the emulator; fails on an error."""
    terraform = local_state_terraform(running, stack_dir, tmp_path)

    def checked(*args: str) -> Any:
        result = terraform(*args)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr
        return result

    return checked


def test_prod_cdn_validates_and_plans_against_the_emulator(
    running: emulator.Emulator, account_policies: dict[str, str], tmp_path: Path
) -> None:
    stack_dir = _stack("prod", tmp_path)
    terraform = _terraform(running, stack_dir, tmp_path)
    terraform("validate")
    terraform("plan", "-input=false", f"-out={tmp_path / 'plan'}")
    shown = json.loads(terraform("show", "-json", str(tmp_path / "plan")).stdout)
    created = Counter(c["type"] for c in shown["resource_changes"] if c["change"]["actions"] == ["create"])
    assert created["aws_cloudfront_distribution"] == 1
    assert not created["aws_cloudfront_cache_policy"] and not created["aws_cloudfront_response_headers_policy"]
    assert created["aws_cloudfront_monitoring_subscription"] == 1
    assert created["aws_wafv2_web_acl"] == created["aws_wafv2_web_acl_logging_configuration"] == 1
    assert created["aws_cloudwatch_event_rule"] == created["aws_cloudwatch_event_target"] == 2
    edge = {
        resource["address"]
        for resource in shown["configuration"]["root_module"]["resources"]
        if resource.get("provider_config_key") == "aws.edge"
    }
    alarms = [c for c in shown["resource_changes"] if c["type"] == "aws_cloudwatch_metric_alarm"]
    cdn_alarms = [c for c in alarms if c["name"].startswith("cdn_")]
    assert len(cdn_alarms) == 4 and all(c["address"] in edge for c in cdn_alarms)
    (acl,) = [c for c in shown["resource_changes"] if c["type"] == "aws_wafv2_web_acl"]
    assert acl["address"] in edge and acl["change"]["after"]["scope"] == "CLOUDFRONT"
    shown_config = shown["configuration"]["provider_config"]
    assert shown_config["aws.edge"]["expressions"]["region"]["constant_value"] == "us-east-1"
    # The account's policies, found by name when planning: their ids are known before the apply.
    (distribution,) = [
        c["change"]["after"] for c in shown["resource_changes"] if c["type"] == "aws_cloudfront_distribution"
    ]
    (default,) = distribution["default_cache_behavior"]
    assert default["cache_policy_id"] == account_policies["cdn_static_cache_policy_id"]
    assert default["response_headers_policy_id"] == account_policies["cdn_security_headers_policy_id"]
    for behavior in distribution["ordered_cache_behavior"]:
        assert behavior["cache_policy_id"] == account_policies["cdn_api_cache_policy_id"]
        assert behavior["origin_request_policy_id"] == account_policies["cdn_api_origin_request_policy_id"]


def test_dev_cdn_applies_to_the_emulator(
    running: emulator.Emulator, account_policies: dict[str, str], tmp_path: Path
) -> None:
    """dev's distribution, with the edge alarms its cost profile leaves out (cdn.alarms: null), so
    that their us-east-1 topic and the forwarding to the environment's topic are applied too."""
    assert load_environment("dev").cdn.alarms is None
    stack_dir = _stack("dev", tmp_path, cdn={"alarms": {"error_rate_5xx_percent": 5, "error_rate_4xx_percent": 25}})
    terraform = _terraform(running, stack_dir, tmp_path)
    applied = terraform("apply", "-input=false", "-auto-approve")
    stack = json.loads((stack_dir / "cdk.tf.json").read_text())
    every_resource = sum(len(bodies) for bodies in stack["resource"].values())
    assert f"Apply complete! Resources: {every_resource} added" in applied.stdout
    outputs = json.loads(terraform("output", "-json").stdout)
    try:
        cloudfront = emulator_client(running, "cloudfront", "us-east-1")
        distribution = cloudfront.get_distribution(Id=outputs["cdn_distribution_id"]["value"])["Distribution"]
        config = distribution["DistributionConfig"]
        assert (config["HttpVersion"], config["IsIPV6Enabled"], config["PriceClass"]) == (
            "http2and3",
            True,
            "PriceClass_100",
        )
        assert config["DefaultCacheBehavior"]["CachePolicyId"] == account_policies["cdn_static_cache_policy_id"]
        static = cloudfront.get_cache_policy(Id=account_policies["cdn_static_cache_policy_id"])["CachePolicy"]
        assert static["CachePolicyConfig"]["Name"] == "matbakh-account-shared-cdn-static"
        assert config["Logging"]["Bucket"].startswith("matbakh-dev-api-cdn-logs.")
        assert outputs["cdn_domain_name"]["value"] == distribution["DomainName"]

        s3 = emulator_client(running, "s3")
        bucket = outputs["cdn_assets_bucket_name"]["value"]
        assert bucket == "matbakh-dev-api-cdn-assets"
        encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        (read,) = [s for s in policy["Statement"] if s["Sid"] == "ThisDistributionReadsAssets"]
        assert read["Condition"]["StringEquals"]["AWS:SourceArn"] == distribution["ARN"]
        grants = s3.get_bucket_acl(Bucket="matbakh-dev-api-cdn-logs")["Grants"]
        assert len([g for g in grants if g["Permission"] == "FULL_CONTROL"]) == 2  # owner and awslogsdelivery

        alarms = emulator_client(running, "cloudwatch", "us-east-1").describe_alarms(
            AlarmNamePrefix="matbakh-dev-api-cdn-"
        )["MetricAlarms"]
        assert sorted(a["AlarmName"] for a in alarms) == [
            "matbakh-dev-api-cdn-4xx-error-rate",
            "matbakh-dev-api-cdn-5xx-error-rate",
        ]
        topic = outputs["cdn_edge_alert_topic_arn"]["value"]
        assert topic.startswith("arn:aws:sns:us-east-1:")
        assert all(a["AlarmActions"] == [topic] for a in alarms)
        edge_targets = emulator_client(running, "events", "us-east-1").list_targets_by_rule(
            Rule="matbakh-dev-api-cdn-edge-alarms"
        )["Targets"]
        assert [t["Arn"].split(":")[3] for t in edge_targets] == ["eu-central-1"]
        home_targets = emulator_client(running, "events").list_targets_by_rule(Rule="matbakh-dev-api-cdn-edge-alarms")[
            "Targets"
        ]
        assert [t["Arn"] for t in home_targets] == [outputs["alert_topic_arn"]["value"]]
    finally:
        terraform("destroy", "-input=false", "-auto-approve")
