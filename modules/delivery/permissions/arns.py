"""The ARN patterns the CI roles' grants are scoped to, by what they name.

`{prefix}` is the environment's `<namespace>-<env>-<service>` name prefix (`Account.render` fills it
in, with the partition, account and regions). Where AWS names a resource by a generated id, the
pattern holds no prefix and the grant is scoped by the `Environment` tag instead; the few such
resources that cannot be tagged are reached by their type's ARN in the account (`BY_ID_REASONS`, which
also holds the one resource AWS names after the engine: RDS's default option group).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum


class Where(Enum):
    """In which region an ARN pattern is: the environment's, the edge's, both, or none (global)."""

    REGIONAL = "regional"
    EDGE = "edge"
    BOTH = "both"
    GLOBAL = "global"  # IAM, budgets, CloudFront, dashboards: no region in the ARN
    S3 = "s3"  # neither region nor account (S3 buckets, Route 53 zones and changes)


@dataclass(frozen=True)
class Arn:
    """`<service>:<region>:<account>:<resource>`; `{prefix}` in `resource` is the environment's name prefix."""

    service: str
    resource: str
    where: Where = Where.REGIONAL


def _named(service: str, *resources: str, where: Where = Where.REGIONAL) -> tuple[Arn, ...]:
    return tuple(Arn(service, resource, where) for resource in resources)


# Named by the environment's prefix.
LAMBDA = _named("lambda", "function:{prefix}-*")
ROLES = _named("iam", "role/{prefix}-*", where=Where.GLOBAL)
LOG_GROUPS = (Arn("logs", "log-group:/aws/*/{prefix}-*"), Arn("logs", "log-group:aws-waf-logs-{prefix}-*", Where.EDGE))
QUEUES = _named("sqs", "{prefix}-*")
TOPICS = _named("sns", "{prefix}-*")
CACHE = _named("elasticache", "*:{prefix}-*")
ALARMS = _named("cloudwatch", "alarm:{prefix}-*", where=Where.BOTH)
DASHBOARDS = _named("cloudwatch", "dashboard/{prefix}", "dashboard/{prefix}-*", where=Where.GLOBAL)
BUDGETS = _named("budgets", "budget/{prefix}-*", where=Where.GLOBAL)
SCHEDULES = _named("scheduler", "schedule/*/{prefix}-*")
RULES = _named("events", "rule/{prefix}-*", where=Where.BOTH)
BUCKETS = _named("s3", "{prefix}-*", where=Where.S3)
WEB_ACLS = _named("wafv2", "global/webacl/{prefix}-*/*", where=Where.EDGE)
DATABASES = _named("rds", "db:{prefix}-*")
DB_PARAMETER_GROUPS = _named("rds", "pg:{prefix}-*")
DB_SUBNET_GROUPS = _named("rds", "subgrp:{prefix}-*")
DB_SNAPSHOTS = _named("rds", "snapshot:{prefix}-*")  # the final snapshot of a deleted instance
KEY_ALIASES = _named("kms", "alias/{prefix}-*", where=Where.BOTH)
# Named by AWS, as each service's service-linked role (iam:AWSServiceName scopes it).
SERVICE_LINKED_ROLES = _named("iam", "role/aws-service-role/*", where=Where.GLOBAL)
# Named by AWS with a generated id: scoped by the Environment tag.
KEYS = _named("kms", "key/*", where=Where.BOTH)
NETWORK = _named("ec2", "*")
SECURITY_GROUPS = _named("ec2", "security-group/*")  # a VPC's default one: AWS makes it untagged
CERTIFICATES = _named("acm", "certificate/*", where=Where.EDGE)
HOSTED_ZONE = (Arn("route53", "hostedzone/{hosted_zone}", Where.S3),)  # cdn.domain's zone; none without one
SCALABLE_TARGETS = _named("application-autoscaling", "scalable-target/*")
DISTRIBUTIONS = _named("cloudfront", "distribution/*", where=Where.GLOBAL)
DB_PROXIES = _named("rds", "db-proxy:*")
# Named by AWS with a generated id and not taggable: the type's ARN in the account (BY_ID_REASONS).
CACHE_POLICIES = _named("cloudfront", "cache-policy/*", where=Where.GLOBAL)
ORIGIN_REQUEST_POLICIES = _named("cloudfront", "origin-request-policy/*", where=Where.GLOBAL)
RESPONSE_HEADERS_POLICIES = _named("cloudfront", "response-headers-policy/*", where=Where.GLOBAL)
ORIGIN_ACCESS_CONTROLS = _named("cloudfront", "origin-access-control/*", where=Where.GLOBAL)
DB_PROXY_TARGET_GROUPS = _named("rds", "target-group:*")
DNS_CHANGES = (Arn("route53", "change/*", Where.S3),)  # what GetChange reads: each record change's status
# Named by AWS after the engine, not by the environment: the option group the instances use (they name
# none), which RDS authorises CreateDBInstance, its read replicas and ModifyDBInstance on.
DEFAULT_OPTION_GROUPS = _named("rds", "og:default:postgres-*")
# Named by RDS `rds!db-<generated id>` (manage_master_user_password), created in the caller's name:
# scoped by the `aws:rds:primaryDBInstanceArn` tag RDS puts on it, to the environment's DATABASES.
RDS_MASTER_SECRETS = _named("secretsmanager", "secret:rds!db-*")

BY_ID_REASONS: Mapping[Arn, str] = {
    CACHE_POLICIES[0]: "CloudFront names cache policies by a generated id; they take no tags.",
    ORIGIN_REQUEST_POLICIES[0]: "CloudFront names origin request policies by a generated id; they take no tags.",
    RESPONSE_HEADERS_POLICIES[0]: "CloudFront names response headers policies by a generated id; they take no tags.",
    ORIGIN_ACCESS_CONTROLS[0]: "CloudFront names origin access controls by a generated id; they take no tags.",
    DB_PROXY_TARGET_GROUPS[0]: "RDS names a proxy's target group by a generated id; it takes no tags.",
    DNS_CHANGES[0]: "Route 53 names each record change by a generated id; changes take no tags.",
    DEFAULT_OPTION_GROUPS[0]: (
        "RDS's default option group of the engine (default:postgres-<major>), which AWS makes in the account "
        "and the environment's instances and replicas use; it is no environment's, so only their creation and "
        "modification are granted on it, never its tags."
    ),
}
