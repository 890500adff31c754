"""The table's grants as IAM policy statements, for one environment's account and names.

Grants with the same service, scope and condition become one statement (the union of their
actions, ARN patterns and condition values); each statement's Sid says which: `<Verb><Service><Scope>`,
e.g. `WriteCloudfrontById`. A grant scoped to what the environment does not have (a hosted zone,
without a domain) yields no statement, never `Resource: "*"`.

Where the grants write tags, three guards follow (`tag_guards`), since an environment's tag is
what scopes every by-id grant of the account's environments: no tag write on a resource of another
environment, none that sets `Environment` to another one, and no removal of `Environment`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from modules.cdn.edge import EDGE_REGION
from modules.core.arn import arn as build_arn
from modules.core.iam import Statement
from modules.delivery.permissions.arns import BY_ID_REASONS, Arn, Where
from modules.delivery.permissions.grants import (
    CREATE_ACTION_KEYS,
    ENVIRONMENT_TAG,
    WITHOUT_TAG_CONDITION_KEYS,
    Grant,
    Tag,
    is_tag_write,
    removes_tags,
)

BOUNDARY_CONDITION = "iam:PermissionsBoundary"
DATABASE_TAG = "aws:rds:primaryDBInstanceArn"  # the tag RDS puts on the master secret it manages
TAG_KEYS = "aws:TagKeys"


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
    condition: str = ""  # which condition: see `_condition_kind`


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
    if grant.untagged:
        return "Untagged"
    if grant.tag is Tag.RESOURCE:
        return "Tagged"
    if grant.of_databases:
        return "OfTheDatabases"
    if grant.bounded:
        return "Bounded"
    if grant.passed_to:
        return "PassRole"
    if grant.service_names:
        return "ServiceLinkedRoles"
    if any(arn in BY_ID_REASONS for arn in grant.on):
        return "ById"
    return "Named"


def _condition_kind(grant: Grant, account: Account) -> tuple[str, set[str]]:
    """The grant's kind of condition, and the values it adds to it."""
    if grant.tag is Tag.REQUEST or grant.untagged:
        return "created", {account.environment}
    if grant.tag is Tag.RESOURCE:
        return "tagged", {account.environment}
    if grant.of_databases:
        return "database", {rendered for arn in grant.of_databases for rendered in account.render(arn)}
    if grant.bounded:
        if not account.boundary_arn:
            raise ValueError("a bounded grant needs the account's boundary_arn")
        return "bounded", {account.boundary_arn}
    if grant.passed_to:
        return "iam:PassedToService", set(grant.passed_to)
    if grant.service_names:
        return "iam:AWSServiceName", set(grant.service_names)
    return "", set()


def _condition(kind: str, values: set[str]) -> dict[str, Any]:
    listed = sorted(values)
    if kind == "created":  # the request carries the environment's tag, the resource none yet
        return {"StringEquals": {Tag.REQUEST.value: listed[0]}, "Null": {Tag.RESOURCE.value: "true"}}
    if kind == "tagged":
        return {"StringEquals": {Tag.RESOURCE.value: listed[0]}}
    if kind == "database":  # at creation RDS may not tag yet; once tagged, only the environment's instances
        return {
            "StringLikeIfExists": {f"aws:RequestTag/{DATABASE_TAG}": listed, f"aws:ResourceTag/{DATABASE_TAG}": listed}
        }
    if kind == "bounded":
        return {"StringEquals": {BOUNDARY_CONDITION: listed[0]}}
    return {"StringEquals": {kind: listed}}


def _sid(verb: str, service: str, scope: str) -> str:
    return verb + "".join(p.capitalize() for p in re.split(r"[^a-z0-9]+", service)) + scope


def guarded_tag_writes(grants: Iterable[Grant]) -> list[str]:
    """The grants' tag writes that IAM conditions by tag (`WITHOUT_TAG_CONDITION_KEYS` excepted)."""
    actions = {a for grant in grants for a in grant.actions if is_tag_write(a)}
    return sorted(actions - WITHOUT_TAG_CONDITION_KEYS)


def tag_guards(grants: Iterable[Grant], environment: str) -> list[Statement]:
    """Deny what would move a resource between environments: any tag write on a resource tagged for
    another environment, any that sets `Environment` to another value, any removal of `Environment`.
    (A negated operator also holds where the key is absent, hence the `Null` beside each.)"""
    writes = guarded_tag_writes(grants)
    if not writes:
        return []
    removals = [a for a in writes if removes_tags(a)]
    additions = [a for a in writes if not removes_tags(a)]

    def deny(sid: str, actions: list[str], condition: dict[str, Any]) -> Statement:
        return {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": "*", "Condition": condition}

    guards = [
        deny(
            "NeverTagAnotherEnvironmentsResource",
            writes,
            {"StringNotEquals": {Tag.RESOURCE.value: environment}, "Null": {Tag.RESOURCE.value: "false"}},
        )
    ]
    if additions:
        guards.append(
            deny(
                "NeverTagForAnotherEnvironment",
                additions,
                {"StringNotEquals": {Tag.REQUEST.value: environment}, "Null": {Tag.REQUEST.value: "false"}},
            )
        )
    if removals:
        guards.append(
            deny("NeverUntagTheEnvironment", removals, {"ForAnyValue:StringEquals": {TAG_KEYS: [ENVIRONMENT_TAG]}})
        )
    return guards


def statements(grants: Iterable[Grant], account: Account, verb: str) -> list[Statement]:
    """One statement per service, scope and condition (the union of the grants' actions, ARNs and
    values), then the tag guards."""
    grants = list(grants)
    merged: dict[_Key, _Merged] = {}
    for grant in grants:
        kind, values = _condition_kind(grant, account)
        entry = merged.setdefault(_Key(grant.service, _scope(grant), kind), _Merged())
        entry.actions.update(grant.actions)
        entry.arns.extend(arn for arn in grant.on if arn not in entry.arns)
        entry.values.update(values)
    result: list[Statement] = []
    for key in sorted(merged):
        entry = merged[key]
        resources = [rendered for arn in entry.arns for rendered in account.render(arn)]
        if entry.arns and not resources:
            continue  # scoped to what this environment does not have: no statement, never `*`
        actions = sorted(entry.actions)
        on_create: list[str] = []
        create_key = CREATE_ACTION_KEYS.get(key.service)
        if key.scope == "Tagging" and create_key:
            # The service names the creating call: its tag writes only with it, in a statement of their own.
            on_create = [a for a in actions if is_tag_write(a)]
            actions = [a for a in actions if not is_tag_write(a)]
        if actions:
            statement: Statement = {
                "Sid": _sid(verb, key.service, key.scope),
                "Effect": "Allow",
                "Action": actions,
                "Resource": resources or "*",
            }
            if key.condition:
                statement["Condition"] = _condition(key.condition, entry.values)
            result.append(statement)
        if on_create and not actions:
            raise ValueError(f"{key.service}'s tag writes at creation need the creating actions beside them")
        if on_create and create_key:
            creating = [a.split(":", 1)[1] for a in actions]
            result.append(
                {
                    "Sid": _sid(verb, key.service, "TagOnCreate"),
                    "Effect": "Allow",
                    "Action": on_create,
                    "Resource": resources or "*",
                    "Condition": {"StringEquals": {Tag.REQUEST.value: account.environment, create_key: creating}},
                }
            )
    return result + tag_guards(grants, account.environment)
