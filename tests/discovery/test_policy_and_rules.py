"""The shipped policy, its README justification, and the pure rules (classification, node types)."""

from __future__ import annotations

import json
import re

import pytest

from cli.discovery.aws import iam_action, is_read_only
from cli.discovery.inventory import Classifier
from cli.discovery.readiness import cache_node_supports_replica_autoscaling
from tests.conftest import REPO

POLICY = json.loads((REPO / "policies" / "discovery-readonly-policy.json").read_text())
ACTIONS = [action for statement in POLICY["Statement"] for action in statement["Action"]]


def test_the_policy_allows_reads_only_and_no_wildcards() -> None:
    assert all(statement["Effect"] == "Allow" for statement in POLICY["Statement"])
    assert len(ACTIONS) == len(set(ACTIONS))
    for action in ACTIONS:
        _service, operation = action.split(":")
        assert "*" not in action
        assert is_read_only(operation) or action == "budgets:ViewBudget", action


def test_every_policy_action_is_justified_in_the_readme() -> None:
    section = (
        (REPO / "docs" / "discovery.md").read_text().split("## The read-only IAM policy", 1)[1].split("\n# ", 1)[0]
    )
    documented = re.findall(r"^\| `([a-z-]+:[A-Za-z]+)` \| \S", section, re.MULTILINE)
    assert documented == ACTIONS


def test_iam_actions_of_operations() -> None:
    assert iam_action("lambda", "ListFunctions") == "lambda:ListFunctions"
    assert iam_action("budgets", "DescribeBudgets") == "budgets:ViewBudget"
    assert iam_action("application-autoscaling", "DescribeScalableTargets") == (
        "application-autoscaling:DescribeScalableTargets"
    )


@pytest.mark.parametrize(
    ("name", "tags", "expected"),
    [
        ("anything", {"Environment": "dev"}, ("dev", "tag")),
        ("matbakh-dev-api-web", {"environment": "Production"}, ("prod", "tag")),
        ("matbakh-staging-api-db", {}, ("staging", "name")),
        ("matbakh-dev-api", None, ("dev", "name")),
        ("matbakh-dev-apix", None, (None, "none")),
        ("legacy", {"Team": "x"}, (None, "none")),
    ],
)
def test_classification_by_tag_then_name(
    name: str, tags: dict[str, str] | None, expected: tuple[str | None, str]
) -> None:
    classifier = Classifier.for_context(
        namespace="matbakh", service="api", environment="dev", environments=("dev", "staging", "prod")
    )
    result = classifier.classify(name, tags)
    assert (result.environment, result.source) == expected


def test_a_name_pattern_from_the_command_line_replaces_the_environments() -> None:
    classifier = Classifier.for_context(
        namespace="matbakh", service="api", environment="dev", environments=("dev",), pattern=r"^legacy-"
    )
    assert classifier.classify("legacy-thumbnailer").environment == "dev"
    assert classifier.classify("matbakh-dev-api-web").environment is None


@pytest.mark.parametrize(
    ("node_type", "supported"),
    [
        ("cache.r7g.large", True),
        ("cache.m6g.2xlarge", True),
        ("cache.r6gd.xlarge", True),
        ("cache.t4g.small", False),
        ("cache.r7g.4xlarge", False),
        ("cache.m4.large", False),
        ("garbage", False),
    ],
)
def test_node_types_that_support_replica_autoscaling(node_type: str, supported: bool) -> None:
    assert cache_node_supports_replica_autoscaling(node_type) is supported
