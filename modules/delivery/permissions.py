"""What the CI roles may do, by Terraform resource type: ONE table, from which both roles' policies are built.

For each resource and data-source type an environment stack contains, `PERMISSIONS[type]` lists the
grants a refresh needs (`read`: the plan role, and the apply role) and those create/update/delete need
(`write`: the apply role only). A grant is scoped in one of four ways:

* `named`: ARN patterns holding the environment's `<namespace>-<env>-<service>` prefix;
* `tagged` / `tagging`: the `Environment` tag of the resource (`aws:ResourceTag`) or of the request
  creating it (`aws:RequestTag`), where AWS names the resource by a generated id;
* `by_id`: the type's ARN in the account, for the few resources AWS names by a generated id AND cannot
  tag (CloudFront policies and origin access controls, RDS proxy target groups; see BY_ID_REASONS);
* `unscoped` (`Resource: "*"`): only actions AWS offers no resource for, each listed with its reason in
  policies/unscoped_actions.yaml.

tests/synth/test_ci_permissions.py fails when a stack contains a type this table lacks (so a new
resource type cannot ship without CI's permission to manage it) and when the table lists a type no stack
creates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from modules.core.iam import Statement

EDGE_REGION = "us-east-1"  # CloudFront, its WAF web ACL and the edge alarms live here


class Where(Enum):
    """In which region an ARN pattern is: the environment's, the edge's, both, or none (global)."""

    REGIONAL = "regional"
    EDGE = "edge"
    BOTH = "both"
    GLOBAL = "global"  # IAM, budgets, CloudFront, dashboards: no region in the ARN
    S3 = "s3"  # neither region nor account (S3 buckets, Route 53 zones)


BOUNDARY_CONDITION = "iam:PermissionsBoundary"
SINGLE_VALUED = frozenset({"aws:ResourceTag/Environment", "aws:RequestTag/Environment", BOUNDARY_CONDITION})


class Tag(Enum):
    RESOURCE = "aws:ResourceTag/Environment"
    REQUEST = "aws:RequestTag/Environment"


@dataclass(frozen=True)
class Arn:
    """`<service>:<region>:<account>:<resource>`; `{prefix}` in `resource` is the environment's name prefix."""

    service: str
    resource: str
    where: Where = Where.REGIONAL


@dataclass(frozen=True)
class Grant:
    """Actions of one service on `on` (empty: `Resource: "*"`), optionally under a condition."""

    actions: tuple[str, ...]
    on: tuple[Arn, ...] = ()
    tag: Tag | None = None
    passed_to: tuple[str, ...] = ()  # iam:PassRole: iam:PassedToService
    service_names: tuple[str, ...] = ()  # iam:CreateServiceLinkedRole: iam:AWSServiceName
    bounded: bool = False  # role writes: only with the environment's permissions boundary (iam:PermissionsBoundary)

    @property
    def service(self) -> str:
        (service,) = {action.split(":", 1)[0] for action in self.actions}
        return service


@dataclass(frozen=True)
class Permissions:
    read: tuple[Grant, ...] = ()
    write: tuple[Grant, ...] = ()


def _named(service: str, *resources: str, where: Where = Where.REGIONAL) -> tuple[Arn, ...]:
    return tuple(Arn(service, resource, where) for resource in resources)


def _grant(
    actions: str, *on: Arn, tag: Tag | None = None, bounded: bool = False, **conditions: tuple[str, ...]
) -> Grant:
    return Grant(tuple(actions.split()), tuple(on), tag, bounded=bounded, **conditions)


# ARN patterns, by what they name.
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
# Named by AWS with a generated id: scoped by the Environment tag.
KEYS = _named("kms", "key/*", where=Where.BOTH)
NETWORK = _named("ec2", "*")
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
RDS_MASTER_SECRETS = _named("secretsmanager", "secret:rds!db-*")  # manage_master_user_password

BY_ID_REASONS: Mapping[Arn, str] = {
    CACHE_POLICIES[0]: "CloudFront names cache policies by a generated id; they take no tags.",
    ORIGIN_REQUEST_POLICIES[0]: "CloudFront names origin request policies by a generated id; they take no tags.",
    RESPONSE_HEADERS_POLICIES[0]: "CloudFront names response headers policies by a generated id; they take no tags.",
    ORIGIN_ACCESS_CONTROLS[0]: "CloudFront names origin access controls by a generated id; they take no tags.",
    DB_PROXY_TARGET_GROUPS[0]: "RDS names a proxy's target group by a generated id; it takes no tags.",
    RDS_MASTER_SECRETS[0]: "RDS creates the master user's secret as `rds!db-<generated id>`, in the caller's name.",
}

R, Q = Tag.RESOURCE, Tag.REQUEST
_SCALING_SERVICE_LINKED = (
    "elasticache.application-autoscaling.amazonaws.com",
    "lambda.application-autoscaling.amazonaws.com",
)
_S3_READ = _grant("s3:ListBucket s3:GetBucket* s3:GetAccelerateConfiguration s3:GetLifecycleConfiguration "
                  "s3:GetReplicationConfiguration s3:GetEncryptionConfiguration", *BUCKETS)  # fmt: skip
# ElastiCache makes its service-linked role with the first replication group or serverless cache.
_ELASTICACHE_SERVICE_LINKED_ROLE = _grant(
    "iam:CreateServiceLinkedRole",
    Arn("iam", "role/aws-service-role/*", Where.GLOBAL),
    service_names=("elasticache.amazonaws.com",),
)
_NO_PERMISSION = Permissions()  # the data source calls nothing that IAM authorizes

PERMISSIONS: Mapping[str, Permissions] = {
    # Application Auto Scaling: the Describe calls accept no resource; targets are tagged.
    "aws_appautoscaling_target": Permissions(
        read=(
            _grant("application-autoscaling:DescribeScalableTargets"),
            _grant("application-autoscaling:ListTagsForResource", *SCALABLE_TARGETS, tag=R),
        ),
        write=(
            _grant(
                "application-autoscaling:RegisterScalableTarget application-autoscaling:DeregisterScalableTarget "
                "application-autoscaling:TagResource application-autoscaling:UntagResource",
                *SCALABLE_TARGETS,
                tag=R,
            ),
            _grant(
                "iam:CreateServiceLinkedRole",
                Arn("iam", "role/aws-service-role/*", Where.GLOBAL),
                service_names=_SCALING_SERVICE_LINKED,
            ),
        ),
    ),
    "aws_appautoscaling_policy": Permissions(
        read=(_grant("application-autoscaling:DescribeScalingPolicies"),),
        write=(
            _grant(
                "application-autoscaling:PutScalingPolicy application-autoscaling:DeleteScalingPolicy",
                *SCALABLE_TARGETS,
                tag=R,
            ),
        ),
    ),
    "aws_appautoscaling_scheduled_action": Permissions(
        read=(_grant("application-autoscaling:DescribeScheduledActions"),),
        write=(
            _grant(
                "application-autoscaling:PutScheduledAction application-autoscaling:DeleteScheduledAction",
                *SCALABLE_TARGETS,
                tag=R,
            ),
        ),
    ),
    "aws_budgets_budget": Permissions(
        read=(_grant("budgets:ViewBudget budgets:ListTagsForResource", *BUDGETS),),
        write=(_grant("budgets:ModifyBudget budgets:TagResource budgets:UntagResource", *BUDGETS),),
    ),
    # CloudFront (global ARNs; the distribution is tagged, its policies are named by id).
    "aws_cloudfront_distribution": Permissions(
        read=(
            _grant(
                "cloudfront:GetDistribution cloudfront:GetDistributionConfig cloudfront:ListTagsForResource",
                *DISTRIBUTIONS,
                tag=R,
            ),
        ),
        write=(
            _grant("cloudfront:CreateDistribution cloudfront:TagResource", *DISTRIBUTIONS, tag=Q),
            _grant(
                "cloudfront:UpdateDistribution cloudfront:DeleteDistribution cloudfront:TagResource "
                "cloudfront:UntagResource",
                *DISTRIBUTIONS,
                tag=R,
            ),
            _grant("wafv2:GetWebACL", *WEB_ACLS),  # associating the web ACL
        ),
    ),
    "aws_cloudfront_monitoring_subscription": Permissions(
        read=(_grant("cloudfront:GetMonitoringSubscription", *DISTRIBUTIONS, tag=R),),
        write=(
            _grant(
                "cloudfront:CreateMonitoringSubscription cloudfront:DeleteMonitoringSubscription",
                *DISTRIBUTIONS,
                tag=R,
            ),
        ),
    ),
    "aws_cloudfront_cache_policy": Permissions(
        read=(_grant("cloudfront:GetCachePolicy", *CACHE_POLICIES),),
        write=(
            _grant(
                "cloudfront:CreateCachePolicy cloudfront:UpdateCachePolicy cloudfront:DeleteCachePolicy",
                *CACHE_POLICIES,
            ),
        ),
    ),
    "aws_cloudfront_origin_request_policy": Permissions(
        read=(_grant("cloudfront:GetOriginRequestPolicy", *ORIGIN_REQUEST_POLICIES),),
        write=(
            _grant(
                "cloudfront:CreateOriginRequestPolicy cloudfront:UpdateOriginRequestPolicy "
                "cloudfront:DeleteOriginRequestPolicy",
                *ORIGIN_REQUEST_POLICIES,
            ),
        ),
    ),
    "aws_cloudfront_response_headers_policy": Permissions(
        read=(_grant("cloudfront:GetResponseHeadersPolicy", *RESPONSE_HEADERS_POLICIES),),
        write=(
            _grant(
                "cloudfront:CreateResponseHeadersPolicy cloudfront:UpdateResponseHeadersPolicy "
                "cloudfront:DeleteResponseHeadersPolicy",
                *RESPONSE_HEADERS_POLICIES,
            ),
        ),
    ),
    "aws_cloudfront_origin_access_control": Permissions(
        read=(_grant("cloudfront:GetOriginAccessControl", *ORIGIN_ACCESS_CONTROLS),),
        write=(
            _grant(
                "cloudfront:CreateOriginAccessControl cloudfront:UpdateOriginAccessControl "
                "cloudfront:DeleteOriginAccessControl",
                *ORIGIN_ACCESS_CONTROLS,
            ),
        ),
    ),
    # CloudWatch: alarms in the environment's region and (the edge alarms) in us-east-1.
    "aws_cloudwatch_metric_alarm": Permissions(
        read=(_grant("cloudwatch:DescribeAlarms cloudwatch:ListTagsForResource", *ALARMS),),
        write=(
            _grant(
                "cloudwatch:PutMetricAlarm cloudwatch:DeleteAlarms cloudwatch:TagResource cloudwatch:UntagResource",
                *ALARMS,
            ),
        ),
    ),
    "aws_cloudwatch_composite_alarm": Permissions(
        read=(_grant("cloudwatch:DescribeAlarms cloudwatch:ListTagsForResource", *ALARMS),),
        write=(
            _grant(
                "cloudwatch:PutCompositeAlarm cloudwatch:DeleteAlarms cloudwatch:TagResource cloudwatch:UntagResource",
                *ALARMS,
            ),
        ),
    ),
    "aws_cloudwatch_dashboard": Permissions(
        read=(_grant("cloudwatch:GetDashboard", *DASHBOARDS),),
        write=(_grant("cloudwatch:PutDashboard cloudwatch:DeleteDashboards", *DASHBOARDS),),
    ),
    "aws_cloudwatch_event_rule": Permissions(
        read=(_grant("events:DescribeRule events:ListTagsForResource", *RULES),),
        write=(_grant("events:PutRule events:DeleteRule events:TagResource events:UntagResource", *RULES),),
    ),
    "aws_cloudwatch_event_target": Permissions(
        read=(_grant("events:ListTargetsByRule", *RULES),),
        write=(
            _grant("events:PutTargets events:RemoveTargets", *RULES),
            _grant("iam:PassRole", *ROLES, passed_to=("events.amazonaws.com",)),
        ),
    ),
    "aws_cloudwatch_log_group": Permissions(
        read=(
            _grant("logs:DescribeLogGroups"),
            _grant("logs:ListTagsForResource logs:ListTagsLogGroup", *LOG_GROUPS),
        ),
        write=(
            _grant(
                "logs:CreateLogGroup logs:DeleteLogGroup logs:PutRetentionPolicy logs:DeleteRetentionPolicy "
                "logs:AssociateKmsKey logs:DisassociateKmsKey logs:TagResource logs:UntagResource "
                "logs:TagLogGroup logs:UntagLogGroup",
                *LOG_GROUPS,
            ),
        ),
    ),
    # RDS: instances, parameter and subnet groups are named; the proxy is named by id and tagged.
    "aws_db_instance": Permissions(
        read=(_grant("rds:DescribeDBInstances rds:ListTagsForResource", *DATABASES),),
        write=(
            _grant(
                "rds:CreateDBInstance rds:CreateDBInstanceReadReplica rds:ModifyDBInstance rds:RebootDBInstance "
                "rds:DeleteDBInstance rds:AddTagsToResource rds:RemoveTagsFromResource",
                *DATABASES,
                *DB_PARAMETER_GROUPS,
                *DB_SUBNET_GROUPS,
            ),
            _grant("rds:CreateDBSnapshot rds:AddTagsToResource", *DB_SNAPSHOTS),
            _grant(  # RDS creates, rotates and deletes the managed master secret with the caller's permissions
                "secretsmanager:CreateSecret secretsmanager:RotateSecret secretsmanager:TagResource "
                "secretsmanager:UpdateSecret secretsmanager:DeleteSecret",
                *RDS_MASTER_SECRETS,
            ),
            _grant("iam:PassRole", *ROLES, passed_to=("monitoring.rds.amazonaws.com",)),
            _grant(
                "iam:CreateServiceLinkedRole",
                Arn("iam", "role/aws-service-role/*", Where.GLOBAL),
                service_names=("rds.amazonaws.com",),
            ),
        ),
    ),
    "aws_db_parameter_group": Permissions(
        read=(
            _grant(
                "rds:DescribeDBParameterGroups rds:DescribeDBParameters rds:ListTagsForResource", *DB_PARAMETER_GROUPS
            ),
        ),
        write=(
            _grant(
                "rds:CreateDBParameterGroup rds:ModifyDBParameterGroup rds:ResetDBParameterGroup "
                "rds:DeleteDBParameterGroup rds:AddTagsToResource rds:RemoveTagsFromResource",
                *DB_PARAMETER_GROUPS,
            ),
        ),
    ),
    "aws_db_subnet_group": Permissions(
        read=(_grant("rds:DescribeDBSubnetGroups rds:ListTagsForResource", *DB_SUBNET_GROUPS),),
        write=(
            _grant(
                "rds:CreateDBSubnetGroup rds:ModifyDBSubnetGroup rds:DeleteDBSubnetGroup rds:AddTagsToResource "
                "rds:RemoveTagsFromResource",
                *DB_SUBNET_GROUPS,
            ),
        ),
    ),
    "aws_db_proxy": Permissions(
        read=(_grant("rds:DescribeDBProxies rds:ListTagsForResource", *DB_PROXIES, tag=R),),
        write=(
            _grant("rds:CreateDBProxy rds:AddTagsToResource", *DB_PROXIES, tag=Q),
            _grant(
                "rds:ModifyDBProxy rds:DeleteDBProxy rds:AddTagsToResource rds:RemoveTagsFromResource",
                *DB_PROXIES,
                tag=R,
            ),
            _grant("iam:PassRole", *ROLES, passed_to=("rds.amazonaws.com",)),
        ),
    ),
    "aws_db_proxy_default_target_group": Permissions(
        read=(_grant("rds:DescribeDBProxyTargetGroups", *DB_PROXY_TARGET_GROUPS),),
        write=(_grant("rds:ModifyDBProxyTargetGroup", *DB_PROXY_TARGET_GROUPS),),
    ),
    "aws_db_proxy_target": Permissions(
        read=(_grant("rds:DescribeDBProxyTargets", *DB_PROXY_TARGET_GROUPS),),
        write=(
            _grant("rds:RegisterDBProxyTargets rds:DeregisterDBProxyTargets", *DB_PROXY_TARGET_GROUPS, *DATABASES),
            _grant("rds:RegisterDBProxyTargets rds:DeregisterDBProxyTargets", *DB_PROXIES, tag=R),
        ),
    ),
    # EC2: AWS names network resources by id: created with, then changed by, the Environment tag.
    "aws_vpc": Permissions(
        read=(_grant("ec2:Describe*"),),
        write=(
            _grant("ec2:CreateVpc ec2:CreateTags", *NETWORK, tag=Q),
            _grant("ec2:DeleteVpc ec2:ModifyVpcAttribute ec2:CreateTags ec2:DeleteTags", *NETWORK, tag=R),
        ),
    ),
    "aws_subnet": Permissions(
        read=(_grant("ec2:Describe*"),),
        write=(
            _grant("ec2:CreateSubnet ec2:CreateTags", *NETWORK, tag=Q),
            _grant("ec2:CreateSubnet ec2:DeleteSubnet ec2:ModifySubnetAttribute", *NETWORK, tag=R),
        ),
    ),
    "aws_security_group": Permissions(
        read=(_grant("ec2:Describe*"),),
        write=(
            _grant("ec2:CreateSecurityGroup ec2:CreateTags", *NETWORK, tag=Q),
            _grant(
                "ec2:CreateSecurityGroup ec2:DeleteSecurityGroup ec2:RevokeSecurityGroupIngress "
                "ec2:RevokeSecurityGroupEgress ec2:CreateTags ec2:DeleteTags",
                *NETWORK,
                tag=R,
            ),
        ),
    ),
    "aws_route_table": Permissions(
        read=(_grant("ec2:Describe*"),),
        write=(
            _grant("ec2:CreateRouteTable ec2:CreateTags", *NETWORK, tag=Q),
            _grant("ec2:DeleteRouteTable ec2:CreateTags ec2:DeleteTags", *NETWORK, tag=R),
        ),
    ),
    "aws_route_table_association": Permissions(
        read=(_grant("ec2:Describe*"),),
        write=(
            _grant(
                "ec2:AssociateRouteTable ec2:DisassociateRouteTable ec2:ReplaceRouteTableAssociation", *NETWORK, tag=R
            ),
        ),
    ),
    "aws_vpc_endpoint": Permissions(
        read=(_grant("ec2:Describe*"),),
        write=(
            _grant("ec2:CreateVpcEndpoint ec2:CreateTags", *NETWORK, tag=Q),
            _grant(
                "ec2:CreateVpcEndpoint ec2:ModifyVpcEndpoint ec2:DeleteVpcEndpoints ec2:CreateTags ec2:DeleteTags",
                *NETWORK,
                tag=R,
            ),
        ),
    ),
    "aws_default_security_group": Permissions(
        read=(_grant("ec2:Describe*"),),
        write=(
            _grant("ec2:CreateTags", *NETWORK, tag=Q),
            _grant("ec2:RevokeSecurityGroupIngress ec2:RevokeSecurityGroupEgress ec2:DeleteTags", *NETWORK, tag=R),
        ),
    ),
    "aws_vpc_security_group_ingress_rule": Permissions(
        read=(_grant("ec2:Describe*"),),
        write=(
            _grant("ec2:AuthorizeSecurityGroupIngress ec2:CreateTags", *NETWORK, tag=Q),
            _grant(
                "ec2:AuthorizeSecurityGroupIngress ec2:RevokeSecurityGroupIngress ec2:ModifySecurityGroupRules "
                "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
                *NETWORK,
                tag=R,
            ),
        ),
    ),
    "aws_vpc_security_group_egress_rule": Permissions(
        read=(_grant("ec2:Describe*"),),
        write=(
            _grant("ec2:AuthorizeSecurityGroupEgress ec2:CreateTags", *NETWORK, tag=Q),
            _grant(
                "ec2:AuthorizeSecurityGroupEgress ec2:RevokeSecurityGroupEgress ec2:ModifySecurityGroupRules "
                "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
                *NETWORK,
                tag=R,
            ),
        ),
    ),
    # ElastiCache: everything named `<prefix>-…`.
    "aws_elasticache_replication_group": Permissions(
        read=(_grant("elasticache:Describe* elasticache:ListTagsForResource", *CACHE),),
        write=(
            _grant(
                "elasticache:CreateReplicationGroup elasticache:ModifyReplicationGroup "
                "elasticache:DeleteReplicationGroup elasticache:IncreaseReplicaCount "
                "elasticache:DecreaseReplicaCount elasticache:AddTagsToResource elasticache:RemoveTagsFromResource",
                *CACHE,
            ),
            _ELASTICACHE_SERVICE_LINKED_ROLE,
        ),
    ),
    # A serverless cache: ElastiCache's service-linked role makes its VPC endpoints in the subnets.
    "aws_elasticache_serverless_cache": Permissions(
        read=(_grant("elasticache:DescribeServerlessCaches elasticache:ListTagsForResource", *CACHE),),
        write=(
            _grant(
                "elasticache:CreateServerlessCache elasticache:ModifyServerlessCache "
                "elasticache:DeleteServerlessCache elasticache:AddTagsToResource elasticache:RemoveTagsFromResource",
                *CACHE,
            ),
            _ELASTICACHE_SERVICE_LINKED_ROLE,
        ),
    ),
    "aws_elasticache_parameter_group": Permissions(
        read=(_grant("elasticache:Describe* elasticache:ListTagsForResource", *CACHE),),
        write=(
            _grant(
                "elasticache:CreateCacheParameterGroup elasticache:ModifyCacheParameterGroup "
                "elasticache:ResetCacheParameterGroup elasticache:DeleteCacheParameterGroup "
                "elasticache:AddTagsToResource elasticache:RemoveTagsFromResource",
                *CACHE,
            ),
        ),
    ),
    # Users and the user group (IAM authentication): `user:` and `usergroup:` ARNs under the prefix.
    # Creating a user group, adding users to it, and creating or modifying a replication group
    # with it are authorized on the user and user-group ARNs too: all named, all in CACHE.
    "aws_elasticache_user": Permissions(
        read=(_grant("elasticache:DescribeUsers elasticache:ListTagsForResource", *CACHE),),
        write=(
            _grant(
                "elasticache:CreateUser elasticache:ModifyUser elasticache:DeleteUser "
                "elasticache:AddTagsToResource elasticache:RemoveTagsFromResource",
                *CACHE,
            ),
        ),
    ),
    "aws_elasticache_user_group": Permissions(
        read=(_grant("elasticache:DescribeUserGroups elasticache:ListTagsForResource", *CACHE),),
        write=(
            _grant(
                "elasticache:CreateUserGroup elasticache:ModifyUserGroup elasticache:DeleteUserGroup "
                "elasticache:AddTagsToResource elasticache:RemoveTagsFromResource",
                *CACHE,
            ),
        ),
    ),
    "aws_elasticache_subnet_group": Permissions(
        read=(_grant("elasticache:Describe* elasticache:ListTagsForResource", *CACHE),),
        write=(
            _grant(
                "elasticache:CreateCacheSubnetGroup elasticache:ModifyCacheSubnetGroup "
                "elasticache:DeleteCacheSubnetGroup elasticache:AddTagsToResource elasticache:RemoveTagsFromResource",
                *CACHE,
            ),
        ),
    ),
    # IAM: the environment's service roles (never the CI roles: a Deny in the write policies).
    "aws_iam_role": Permissions(
        read=(
            _grant(
                "iam:GetRole iam:ListRolePolicies iam:ListAttachedRolePolicies iam:ListRoleTags "
                "iam:ListInstanceProfilesForRole",
                *ROLES,
            ),
        ),
        write=(
            # A role exists only under the environment's boundary: created with it, and it can only be
            # set to that one (never removed: iam:DeleteRolePermissionsBoundary is granted nowhere).
            _grant("iam:CreateRole iam:PutRolePermissionsBoundary", *ROLES, bounded=True),
            _grant(
                "iam:DeleteRole iam:UpdateRole iam:UpdateRoleDescription iam:UpdateAssumeRolePolicy "
                "iam:TagRole iam:UntagRole",
                *ROLES,
            ),
        ),
    ),
    "aws_iam_role_policy": Permissions(
        read=(_grant("iam:GetRolePolicy iam:ListRolePolicies", *ROLES),),
        write=(_grant("iam:PutRolePolicy iam:DeleteRolePolicy", *ROLES, bounded=True),),
    ),
    # KMS: keys are named by id (tagged); aliases by name. Services use the keys through the caller.
    "aws_kms_key": Permissions(
        read=(_grant("kms:DescribeKey kms:GetKeyPolicy kms:GetKeyRotationStatus kms:ListResourceTags", *KEYS, tag=R),),
        write=(
            Grant(("kms:CreateKey",), tag=Q),  # a key does not exist before it is created
            _grant(
                "kms:PutKeyPolicy kms:EnableKeyRotation kms:UpdateKeyDescription kms:ScheduleKeyDeletion "
                "kms:TagResource kms:UntagResource kms:CreateGrant kms:Encrypt kms:Decrypt kms:GenerateDataKey",
                *KEYS,
                tag=R,
            ),
        ),
    ),
    "aws_kms_alias": Permissions(
        read=(_grant("kms:ListAliases"),),
        write=(  # an alias call needs the alias (named) and the key (tagged)
            _grant("kms:CreateAlias kms:UpdateAlias kms:DeleteAlias", *KEY_ALIASES),
            _grant("kms:CreateAlias kms:UpdateAlias kms:DeleteAlias", *KEYS, tag=R),
        ),
    ),
    # Lambda.
    "aws_lambda_function": Permissions(
        read=(_grant("lambda:Get* lambda:List*", *LAMBDA),),
        write=(
            _grant(
                "lambda:CreateFunction lambda:UpdateFunctionCode lambda:UpdateFunctionConfiguration "
                "lambda:DeleteFunction lambda:PublishVersion lambda:PutFunctionConcurrency "
                "lambda:DeleteFunctionConcurrency lambda:TagResource lambda:UntagResource",
                *LAMBDA,
            ),
            _grant("iam:PassRole", *ROLES, passed_to=("lambda.amazonaws.com",)),
        ),
    ),
    "aws_lambda_alias": Permissions(
        read=(_grant("lambda:GetAlias", *LAMBDA),),
        write=(_grant("lambda:CreateAlias lambda:UpdateAlias lambda:DeleteAlias", *LAMBDA),),
    ),
    # The product's own domain (cdn.domain): its certificate in us-east-1 and its DNS records.
    "aws_acm_certificate": Permissions(
        read=(_grant("acm:DescribeCertificate acm:ListTagsForCertificate", *CERTIFICATES, tag=R),),
        write=(
            _grant("acm:RequestCertificate acm:AddTagsToCertificate", *CERTIFICATES, tag=Q),
            _grant(
                "acm:DeleteCertificate acm:AddTagsToCertificate acm:RemoveTagsFromCertificate", *CERTIFICATES, tag=R
            ),
        ),
    ),
    "aws_acm_certificate_validation": Permissions(
        read=(_grant("acm:DescribeCertificate", *CERTIFICATES, tag=R),),
        write=(_grant("acm:DescribeCertificate", *CERTIFICATES, tag=R),),
    ),
    "aws_route53_record": Permissions(
        read=(_grant("route53:ListResourceRecordSets", *HOSTED_ZONE), _grant("route53:GetChange")),
        write=(_grant("route53:ChangeResourceRecordSets", *HOSTED_ZONE), _grant("route53:GetChange")),
    ),
    # The front door: function URLs on the aliases, and the CDN's permission to invoke them.
    "aws_lambda_function_url": Permissions(
        read=(_grant("lambda:GetFunctionUrlConfig", *LAMBDA),),
        write=(
            _grant(
                "lambda:CreateFunctionUrlConfig lambda:UpdateFunctionUrlConfig lambda:DeleteFunctionUrlConfig",
                *LAMBDA,
            ),
        ),
    ),
    "aws_lambda_permission": Permissions(
        read=(_grant("lambda:GetPolicy", *LAMBDA),),
        write=(_grant("lambda:AddPermission lambda:RemovePermission", *LAMBDA),),
    ),
    # S3 buckets named `<prefix>-…` (the state bucket is guarded by a Deny in the write policies).
    "aws_s3_bucket": Permissions(
        read=(_S3_READ,),
        write=(_grant("s3:CreateBucket s3:DeleteBucket s3:PutBucketTagging", *BUCKETS),),
    ),
    "aws_s3_bucket_acl": Permissions(read=(_S3_READ,), write=(_grant("s3:PutBucketAcl", *BUCKETS),)),
    "aws_s3_bucket_lifecycle_configuration": Permissions(
        read=(_S3_READ,), write=(_grant("s3:PutLifecycleConfiguration", *BUCKETS),)
    ),
    "aws_s3_bucket_ownership_controls": Permissions(
        read=(_S3_READ,), write=(_grant("s3:PutBucketOwnershipControls", *BUCKETS),)
    ),
    "aws_s3_bucket_policy": Permissions(
        read=(_S3_READ,), write=(_grant("s3:PutBucketPolicy s3:DeleteBucketPolicy", *BUCKETS),)
    ),
    "aws_s3_bucket_public_access_block": Permissions(
        read=(_S3_READ,), write=(_grant("s3:PutBucketPublicAccessBlock", *BUCKETS),)
    ),
    "aws_s3_bucket_server_side_encryption_configuration": Permissions(
        read=(_S3_READ,), write=(_grant("s3:PutEncryptionConfiguration", *BUCKETS),)
    ),
    "aws_s3_bucket_versioning": Permissions(read=(_S3_READ,), write=(_grant("s3:PutBucketVersioning", *BUCKETS),)),
    # EventBridge Scheduler (the warmers); schedules take no tags.
    "aws_scheduler_schedule": Permissions(
        read=(_grant("scheduler:GetSchedule", *SCHEDULES),),
        write=(
            _grant("scheduler:CreateSchedule scheduler:UpdateSchedule scheduler:DeleteSchedule", *SCHEDULES),
            _grant("iam:PassRole", *ROLES, passed_to=("scheduler.amazonaws.com",)),
        ),
    ),
    # SNS and SQS.
    "aws_sns_topic": Permissions(
        read=(_grant("sns:GetTopicAttributes sns:ListTagsForResource", *TOPICS),),
        write=(
            _grant("sns:CreateTopic sns:DeleteTopic sns:SetTopicAttributes sns:TagResource sns:UntagResource", *TOPICS),
        ),
    ),
    "aws_sns_topic_policy": Permissions(
        read=(_grant("sns:GetTopicAttributes", *TOPICS),),
        write=(_grant("sns:SetTopicAttributes", *TOPICS),),
    ),
    "aws_sns_topic_subscription": Permissions(
        read=(_grant("sns:GetSubscriptionAttributes"), _grant("sns:ListSubscriptionsByTopic", *TOPICS)),
        write=(_grant("sns:Subscribe", *TOPICS), _grant("sns:Unsubscribe sns:SetSubscriptionAttributes")),
    ),
    "aws_sqs_queue": Permissions(
        read=(_grant("sqs:GetQueueAttributes sqs:GetQueueUrl sqs:ListQueueTags", *QUEUES),),
        write=(_grant("sqs:CreateQueue sqs:DeleteQueue sqs:SetQueueAttributes sqs:TagQueue sqs:UntagQueue", *QUEUES),),
    ),
    # WAF (CLOUDFRONT scope, in us-east-1): the web ACL is named; logging delivers through CloudWatch Logs.
    "aws_wafv2_web_acl": Permissions(
        read=(_grant("wafv2:GetWebACL wafv2:ListTagsForResource", *WEB_ACLS),),
        write=(
            _grant(
                "wafv2:CreateWebACL wafv2:UpdateWebACL wafv2:DeleteWebACL wafv2:TagResource wafv2:UntagResource",
                *WEB_ACLS,
            ),
        ),
    ),
    "aws_wafv2_web_acl_logging_configuration": Permissions(
        read=(_grant("wafv2:GetLoggingConfiguration", *WEB_ACLS), _grant("logs:DescribeResourcePolicies")),
        write=(
            _grant("wafv2:PutLoggingConfiguration wafv2:DeleteLoggingConfiguration", *WEB_ACLS),
            _grant("logs:CreateLogDelivery logs:DeleteLogDelivery logs:PutResourcePolicy"),
        ),
    ),
    # Data sources.
    "aws_caller_identity": _NO_PERMISSION,  # sts:GetCallerIdentity needs no permission
    # The account's canonical user (the CDN log bucket's ACL owner): read from ListBuckets.
    "aws_canonical_user_id": Permissions(read=(_grant("s3:ListAllMyBuckets"),)),
    # A fixed, documented id per partition: the provider makes no call.
    "aws_cloudfront_log_delivery_canonical_user_id": _NO_PERMISSION,
    "aws_partition": _NO_PERMISSION,
    "aws_region": _NO_PERMISSION,
}


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
            return [f"arn:{self.partition}:{arn.service}:::{resource}"]
        regions = {
            Where.REGIONAL: [self.region],
            Where.EDGE: [EDGE_REGION],
            Where.BOTH: list(dict.fromkeys([self.region, EDGE_REGION])),
            Where.GLOBAL: [""],
        }[arn.where]
        return [f"arn:{self.partition}:{arn.service}:{region}:{self.account_id}:{resource}" for region in regions]


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


def read_grants(types: Iterable[str] | None = None) -> list[Grant]:
    return [grant for t in (types or PERMISSIONS) for grant in PERMISSIONS[t].read]


def write_grants(types: Iterable[str] | None = None) -> list[Grant]:
    return [grant for t in (types or PERMISSIONS) for grant in PERMISSIONS[t].write]
