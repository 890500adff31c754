"""The test simulator decides as IAM documents it: Deny wins, boundary and identity must both allow,
wildcards, and the condition operators the CI policies use, absent keys included."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.iam_simulator import Decision, Request, evaluate

ARN = "arn:aws:ec2:eu-central-1:111111111111:vpc/vpc-0a1b"


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action: str = "ec2:CreateTags", resource: str = "*", **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def _decide(
    statement: dict[str, Any], context: dict[str, Any] | None = None, action: str = "ec2:CreateTags"
) -> Decision:
    return evaluate([_policy(statement)], Request(action, ARN, context or {}))


def test_nothing_allowed_is_an_implicit_deny() -> None:
    assert evaluate([], Request("ec2:CreateTags", ARN)) is Decision.IMPLICIT_DENY
    assert _decide(_allow("ec2:DeleteTags")) is Decision.IMPLICIT_DENY


def test_an_explicit_deny_wins_over_any_allow() -> None:
    deny = {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}
    assert evaluate([_policy(_allow()), _policy(deny)], Request("ec2:CreateTags", ARN)) is Decision.EXPLICIT_DENY


@pytest.mark.parametrize(("pattern", "action", "matches"), [
    ("ec2:CreateTags", "ec2:createtags", True),  # actions are case-insensitive
    ("ec2:Create*", "ec2:CreateTags", True),
    ("ec2:?reateTags", "ec2:CreateTags", True),
    ("ec2:Delete*", "ec2:CreateTags", False),
    ("*", "rds:AddTagsToResource", True),
])  # fmt: skip
def test_action_wildcards(pattern: str, action: str, matches: bool) -> None:
    assert (_decide(_allow(pattern), action=action) is Decision.ALLOWED) is matches


def test_not_action_allows_everything_else() -> None:
    statement = {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}
    assert _decide(statement) is Decision.ALLOWED
    assert _decide(statement, action="iam:CreateRole") is Decision.IMPLICIT_DENY


@pytest.mark.parametrize(("pattern", "matches"), [
    ("*", True),
    ("arn:aws:ec2:eu-central-1:111111111111:*", True),
    ("arn:aws:ec2:*:111111111111:vpc/*", True),
    ("arn:aws:ec2:eu-central-1:222222222222:*", False),  # another account
    ("arn:aws:ec2:eu-central-1:111111111111:subnet/*", False),
    ("arn:aws:ec2:eu-central-1:111111111111:VPC/*", False),  # resources are case-sensitive
])  # fmt: skip
def test_resource_wildcards_match_field_by_field(pattern: str, matches: bool) -> None:
    assert (_decide(_allow(resource=pattern)) is Decision.ALLOWED) is matches


def test_not_resource() -> None:
    statement = {"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:ec2:*:*:vpc/*"}
    assert _decide(statement) is Decision.IMPLICIT_DENY  # the Deny does not apply, nothing allows
    assert evaluate([_policy(statement)], Request("ec2:CreateTags", "arn:aws:ec2:r:1:subnet/s")) is (
        Decision.EXPLICIT_DENY
    )


def test_string_equals_and_not_equals_on_a_present_and_an_absent_key() -> None:
    equals = _allow(StringEquals={"aws:ResourceTag/Environment": "dev"})
    not_equals = _allow(StringNotEquals={"aws:ResourceTag/Environment": "dev"})
    assert _decide(equals, {"aws:ResourceTag/Environment": "dev"}) is Decision.ALLOWED
    assert _decide(equals, {"aws:resourcetag/environment": "dev"}) is Decision.ALLOWED  # keys: any case
    assert _decide(equals, {"aws:ResourceTag/Environment": "Dev"}) is Decision.IMPLICIT_DENY  # values: exact
    assert _decide(equals, {}) is Decision.IMPLICIT_DENY
    assert _decide(not_equals, {"aws:ResourceTag/Environment": "prod"}) is Decision.ALLOWED
    assert _decide(not_equals, {"aws:ResourceTag/Environment": "dev"}) is Decision.IMPLICIT_DENY
    assert _decide(not_equals, {}) is Decision.ALLOWED  # a negated operator holds where the key is absent


def test_several_values_are_or_several_keys_and_operators_are_and() -> None:
    statement = _allow(
        StringEquals={"aws:RequestTag/Environment": ["dev", "test"], "ec2:CreateAction": "CreateVpc"},
        Null={"aws:ResourceTag/Environment": "true"},
    )
    context = {"aws:RequestTag/Environment": "test", "ec2:CreateAction": "CreateVpc"}
    assert _decide(statement, context) is Decision.ALLOWED
    assert _decide(statement, {**context, "ec2:CreateAction": "CreateSubnet"}) is Decision.IMPLICIT_DENY
    assert _decide(statement, {**context, "aws:ResourceTag/Environment": "prod"}) is Decision.IMPLICIT_DENY


def test_null() -> None:
    absent = _allow(Null={"aws:ResourceTag/Environment": "true"})
    present = _allow(Null={"aws:ResourceTag/Environment": "false"})
    assert _decide(absent, {}) is Decision.ALLOWED
    assert _decide(absent, {"aws:ResourceTag/Environment": "prod"}) is Decision.IMPLICIT_DENY
    assert _decide(present, {"aws:ResourceTag/Environment": "prod"}) is Decision.ALLOWED
    assert _decide(present, {}) is Decision.IMPLICIT_DENY


def test_string_like_and_if_exists() -> None:
    like = _allow(StringLike={"aws:ResourceTag/Owner": "arn:aws:rds:*:db:app-dev-*"})
    if_exists = _allow(StringLikeIfExists={"aws:ResourceTag/Owner": "arn:aws:rds:*:db:app-dev-*"})
    assert _decide(like, {"aws:ResourceTag/Owner": "arn:aws:rds:eu-central-1:1:db:app-dev-db"}) is Decision.ALLOWED
    assert _decide(like, {"aws:ResourceTag/Owner": "arn:aws:rds:eu-central-1:1:db:app-prod-db"}) is (
        Decision.IMPLICIT_DENY
    )
    assert _decide(like, {}) is Decision.IMPLICIT_DENY
    assert _decide(if_exists, {}) is Decision.ALLOWED
    assert _decide(if_exists, {"aws:ResourceTag/Owner": "arn:aws:rds:eu-central-1:1:db:app-prod-db"}) is (
        Decision.IMPLICIT_DENY
    )


def test_arn_like() -> None:
    statement = _allow(ArnLike={"aws:SourceArn": "arn:aws:logs:us-east-1:111111111111:*"})
    assert _decide(statement, {"aws:SourceArn": "arn:aws:logs:us-east-1:111111111111:log-group:x"}) is (
        Decision.ALLOWED
    )
    assert _decide(statement, {"aws:SourceArn": "arn:aws:logs:us-east-1:222222222222:log-group:x"}) is (
        Decision.IMPLICIT_DENY
    )


def test_set_operators() -> None:
    any_value: dict[str, Any] = {
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["Environment"]}},
    }
    all_values: dict[str, Any] = {
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["Environment", "Service"]}},
    }
    assert _decide(any_value, {"aws:TagKeys": ["Owner", "Environment"]}) is Decision.EXPLICIT_DENY
    assert _decide(any_value, {"aws:TagKeys": ["Owner"]}) is Decision.IMPLICIT_DENY
    assert _decide(any_value, {}) is Decision.IMPLICIT_DENY  # ForAnyValue: false without values
    assert _decide(all_values, {"aws:TagKeys": ["Service"]}) is Decision.ALLOWED
    assert _decide(all_values, {"aws:TagKeys": ["Service", "Owner"]}) is Decision.IMPLICIT_DENY
    assert _decide(all_values, {}) is Decision.ALLOWED  # ForAllValues: true without values


def test_the_boundary_must_allow_too_and_its_deny_wins() -> None:
    identity = [_policy(_allow("iam:CreateRole"), _allow("ec2:CreateTags"))]
    boundary = _policy(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
    )
    assert evaluate(identity, Request("ec2:CreateTags", ARN), boundary=boundary) is Decision.ALLOWED
    assert evaluate(identity, Request("iam:CreateRole", ARN), boundary=boundary) is Decision.EXPLICIT_DENY
    narrow = _policy(_allow("ec2:DeleteTags"))
    assert evaluate(identity, Request("ec2:CreateTags", ARN), boundary=narrow) is Decision.IMPLICIT_DENY


def test_documents_may_be_json_text() -> None:
    import json

    assert evaluate([json.dumps(_policy(_allow()))], Request("ec2:CreateTags", ARN)) is Decision.ALLOWED


@pytest.mark.parametrize("statement", [
    _allow(resource="arn:aws:iam::111111111111:user/${aws:username}"),
    _allow(StringEquals={"aws:PrincipalTag/Team": "${aws:username}"}),
    _allow(NumericLessThan={"aws:MultiFactorAuthAge": "3600"}),
])  # fmt: skip
def test_what_it_does_not_simulate_is_an_error(statement: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="not supported"):
        _decide(statement, {"aws:PrincipalTag/Team": "a", "aws:MultiFactorAuthAge": "1"})


def test_a_multi_valued_key_needs_a_set_operator() -> None:
    with pytest.raises(ValueError, match="ForAnyValue or ForAllValues"):
        _decide(_allow(StringEquals={"aws:TagKeys": "Environment"}), {"aws:TagKeys": ["Environment", "Owner"]})
