"""The whole table: every service module's rows, and the grants of the types a stack contains."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from modules.delivery.permissions.grants import Grant, Permissions
from modules.delivery.permissions.services import (
    acm,
    application_autoscaling,
    budgets,
    cloudfront,
    cloudwatch,
    ec2,
    elasticache,
    eventbridge,
    iam,
    kms,
    lambda_,
    logs,
    meta,
    rds,
    route53,
    s3,
    scheduler,
    sns,
    sqs,
    waf,
)

# The order of the rows is that of their services here.
SERVICES = (
    application_autoscaling,
    budgets,
    cloudfront,
    cloudwatch,
    eventbridge,
    logs,
    rds,
    ec2,
    elasticache,
    iam,
    kms,
    lambda_,
    acm,
    route53,
    s3,
    scheduler,
    sns,
    sqs,
    waf,
    meta,
)


def _union(tables: Iterable[Mapping[str, Permissions]]) -> dict[str, Permissions]:
    """The rows of every table; a type in two of them is an error, not a silent override."""
    union: dict[str, Permissions] = {}
    for table in tables:
        if twice := union.keys() & table.keys():
            raise ValueError(f"{sorted(twice)} are in two service modules of the CI permissions")
        union.update(table)
    return union


PERMISSIONS: Mapping[str, Permissions] = _union(service.PERMISSIONS for service in SERVICES)


def read_grants(types: Iterable[str] | None = None) -> list[Grant]:
    return [grant for t in (types or PERMISSIONS) for grant in PERMISSIONS[t].read]


def write_grants(types: Iterable[str] | None = None) -> list[Grant]:
    return [grant for t in (types or PERMISSIONS) for grant in PERMISSIONS[t].write]
