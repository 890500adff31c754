"""The table's grants as IAM policy statements, for one environment's account and names.

Grants with the same service, scope and condition key become one statement (the union of their
actions, ARN patterns and condition values); each statement's Sid says which: `<Verb><Service><Scope>`,
e.g. `WriteCloudfrontById`. A grant scoped to what the environment does not have (a hosted zone,
without a domain) yields no statement, never `Resource: "*"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from modules.cdn.edge import EDGE_REGION
from modules.core.arn import arn as build_arn
from modules.core.iam import Statement
from modules.delivery.permissions.arns import BY_ID_REASONS, Arn, Where
from modules.delivery.permissions.grants import Grant, Tag

BOUNDARY_CONDITION = "iam:PermissionsBoundary"
SINGLE_VALUED = frozenset({Tag.RESOURCE.value, Tag.REQUEST.value, BOUNDARY_CONDITION})


@dataclass(frozen=True)
class Account:
    """Where the ARNs are: partition, account and the environment's region (may be Terraform references)."""

    partition: str
    account_id: str
    region: str
    prefix: str
    environment: str
    hosted_zone_id: str | None = None  # cdn.domain's Route 53 zone, where the stack has a domain
    boundary_arn: str = ""  # the environment's permissions boundary (modules/core/roles.py)

    def render(self, arn: Arn) -> list[str]:
        if "{hosted_zone}" in arn.resource and self.hosted_zone_id is None:
            return []  # the grant is for a zone this environment does not have
        resource = arn.resource.format(prefix=self.prefix, hosted_zone=self.hosted_zone_id)
        if arn.where is Where.S3:
            return [build_arn(self.partition, arn.service, resource)]
        regions = {
            Where.REGIONAL: [self.region],
            Where.EDGE: [EDGE_REGION],
            Where.BOTH: list(dict.fromkeys([self.region, EDGE_REGION])),
            Where.GLOBAL: [""],
        }[arn.where]
        return [
            build_arn(self.partition, arn.service, resource, region=region, account_id=self.account_id)
            for region in regions
        ]


@dataclass(frozen=True, order=True)
class _Key:
    """Grants with the same key become one statement."""

    service: str
    scope: str
    condition: str = ""  # the condition key: a tag, iam:PassedToService or iam:AWSServiceName


@dataclass
class _Merged:
    actions: set[str] = field(default_factory=set)
    arns: list[Arn] = field(default_factory=list)
    values: set[str] = field(default_factory=set)


def _scope(grant: Grant) -> str:
    if not grant.on:
        return "Unscoped"
    if grant.tag is Tag.REQUEST:
        return "Tagging"
    if grant.tag is Tag.RESOURCE:
        return "Tagged"
    if grant.bounded:
        return "Bounded"
    if grant.passed_to:
        return "PassRole"
    if grant.service_names:
        return "ServiceLinkedRoles"
    if any(arn in BY_ID_REASONS for arn in grant.on):
        return "ById"
    return "Named"


def _condition(grant: Grant, account: Account) -> tuple[str, set[str]]:
    if grant.tag:
        return grant.tag.value, {account.environment}
    if grant.bounded:
        if not account.boundary_arn:
            raise ValueError("a bounded grant needs the account's boundary_arn")
        return BOUNDARY_CONDITION, {account.boundary_arn}
    if grant.passed_to:
        return "iam:PassedToService", set(grant.passed_to)
    if grant.service_names:
        return "iam:AWSServiceName", set(grant.service_names)
    return "", set()


def statements(grants: Iterable[Grant], account: Account, verb: str) -> list[Statement]:
    """One statement per service, scope and condition key: the union of the grants' actions, ARNs and values."""
    merged: dict[_Key, _Merged] = {}
    for grant in grants:
        condition, values = _condition(grant, account)
        entry = merged.setdefault(_Key(grant.service, _scope(grant), condition), _Merged())
        entry.actions.update(grant.actions)
        entry.arns.extend(arn for arn in grant.on if arn not in entry.arns)
        entry.values.update(values)
    result: list[Statement] = []
    for key in sorted(merged):
        entry = merged[key]
        resources = [rendered for arn in entry.arns for rendered in account.render(arn)]
        if entry.arns and not resources:
            continue  # scoped to what this environment does not have: no statement, never `*`
        statement: Statement = {
            "Sid": verb + "".join(p.capitalize() for p in re.split(r"[^a-z0-9]+", key.service)) + key.scope,
            "Effect": "Allow",
            "Action": sorted(entry.actions),
            "Resource": resources or "*",
        }
        if key.condition:
            listed = sorted(entry.values)
            statement["Condition"] = {
                "StringEquals": {key.condition: listed[0] if key.condition in SINGLE_VALUED else listed}
            }
        result.append(statement)
    return result
