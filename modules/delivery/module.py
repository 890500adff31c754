"""The GitHub OIDC provider and an environment's CI roles, created by its bootstrap stack.

* plan role: reads what the environment's stack manages (a refresh needs it), reads the state
  and writes only its lock file; assumable by pull requests and by the delivery branch.
* apply role: also creates, changes and deletes those resources, scoped by service and by the
  `<namespace>-<env>-<service>-…` names (or, where AWS names nothing, by the `Environment` tag);
  assumable only by jobs of the environment's GitHub environment (prod: required reviewers).

The read and write permissions are managed policies (a role's inline policies share one 10 KB
quota); every `Resource: "*"` action is one AWS cannot scope, listed in policies/unscoped_actions.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

from modules.core.cdk import (
    Construct,
    DataAwsCallerIdentity,
    DataAwsPartition,
    IamOpenidConnectProvider,
    IamPolicy,
    IamRole,
    IamRolePolicyAttachment,
)
from modules.core.iam import Statement, policy_document
from modules.core.label import Context
from modules.delivery.config import GITHUB_OIDC_URL, STS_AUDIENCE, DeliveryConfig

OIDC_HOST = GITHUB_OIDC_URL.removeprefix("https://")


@dataclass(frozen=True)
class Arns:
    """ARNs in one account and region (partition and account may be Terraform references)."""

    partition: str
    account_id: str
    region: str

    def __call__(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"


def trust_policy(provider_arn: str, subjects: list[str]) -> str:
    """Web identity from GitHub's issuer, for STS, and only for these `sub` claims."""
    return policy_document(
        {
            "Sid": "GitHubActionsOidc",
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{OIDC_HOST}:aud": STS_AUDIENCE, f"{OIDC_HOST}:sub": sorted(subjects)},
            },
        }
    )


def plan_subjects(config: DeliveryConfig) -> list[str]:
    return [f"repo:{config.repository}:pull_request", f"repo:{config.repository}:ref:refs/heads/{config.branch}"]


def apply_subjects(config: DeliveryConfig, environment: str) -> list[str]:
    return [f"repo:{config.repository}:environment:{config.github_environment or environment}"]


def state_statements(bucket_arn: str, state_key: str, kms_key_arn: str, *, write: bool) -> list[Statement]:
    """Read the environment's state (and its revision record); plan writes only the lock file."""
    prefix = state_key.rsplit("/", 1)[0]
    writable = [f"{bucket_arn}/{prefix}/*"] if write else [f"{bucket_arn}/{state_key}.tflock"]
    return [
        {"Sid": "ListStateBucket", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [bucket_arn]},
        {"Sid": "ReadState", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{bucket_arn}/{prefix}/*"]},
        {
            "Sid": "WriteStateOrLock" if write else "WriteLock",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": writable,
        },
        {
            "Sid": "StateKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": [kms_key_arn],
        },
    ]


def read_statements(arn: Arns, prefix: str, environment: str) -> list[Statement]:
    """What a refresh of the environment's stack reads."""
    tagged = {"StringEquals": {"aws:ResourceTag/Environment": environment}}
    return [
        {
            "Sid": "ReadNamedResources",
            "Effect": "Allow",
            "Action": [
                "lambda:Get*",
                "lambda:List*",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListRoleTags",
                "logs:ListTagsForResource",
                "logs:ListTagsLogGroup",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ListQueueTags",
                "sns:GetTopicAttributes",
                "sns:ListTagsForResource",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetResourcePolicy",
                "secretsmanager:GetSecretValue",
                "elasticache:Describe*",
                "elasticache:ListTagsForResource",
                "cloudwatch:DescribeAlarms",
                "cloudwatch:ListTagsForResource",
                "budgets:ViewBudget",
                "budgets:ListTagsForResource",
                "scheduler:GetSchedule",
                "scheduler:ListTagsForResource",
            ],
            "Resource": _named(arn, prefix),
        },
        {
            "Sid": "ReadEnvironmentKeysAndScalableTargets",
            "Effect": "Allow",
            "Action": [
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:ListResourceTags",
                "application-autoscaling:ListTagsForResource",
            ],
            "Resource": [arn("kms", "key/*"), arn("application-autoscaling", "scalable-target/*")],
            "Condition": tagged,
        },
        {
            "Sid": "ReadWhatAwsCannotScope",
            "Effect": "Allow",
            "Action": [
                "application-autoscaling:DescribeScalableTargets",
                "application-autoscaling:DescribeScalingPolicies",
                "application-autoscaling:DescribeScheduledActions",
                "ec2:Describe*",
                "kms:ListAliases",
                "logs:DescribeLogGroups",
                "secretsmanager:GetRandomPassword",
            ],
            "Resource": "*",
        },
    ]


def _named(arn: Arns, prefix: str) -> list[str]:
    """Every resource the stack names with the environment's prefix, by service."""
    return [
        arn("lambda", f"function:{prefix}-*"),
        arn("iam", f"role/{prefix}-*", regional=False),
        arn("logs", f"log-group:/aws/*/{prefix}-*"),
        arn("sqs", f"{prefix}-*"),
        arn("sns", f"{prefix}-*"),
        arn("secretsmanager", f"secret:{prefix}-*"),
        arn("elasticache", f"*:{prefix}-*"),
        arn("cloudwatch", f"alarm:{prefix}-*"),
        arn("budgets", f"budget/{prefix}-*", regional=False),
        arn("scheduler", f"schedule/*/{prefix}-*"),
    ]


def write_statements(arn: Arns, prefix: str, environment: str) -> list[Statement]:
    """What an apply of the environment's stack changes, and nothing of the CI roles themselves."""
    tagged = {"StringEquals": {"aws:ResourceTag/Environment": environment}}
    tagging = {"StringEquals": {"aws:RequestTag/Environment": environment}}
    return [
        {
            "Sid": "WriteNamedResources",
            "Effect": "Allow",
            "Action": [
                "lambda:CreateFunction",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
                "lambda:DeleteFunction",
                "lambda:PublishVersion",
                "lambda:CreateAlias",
                "lambda:UpdateAlias",
                "lambda:DeleteAlias",
                "lambda:PutFunctionConcurrency",
                "lambda:DeleteFunctionConcurrency",
                "lambda:PutProvisionedConcurrencyConfig",
                "lambda:DeleteProvisionedConcurrencyConfig",
                "lambda:TagResource",
                "lambda:UntagResource",
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:AssociateKmsKey",
                "logs:DisassociateKmsKey",
                "logs:TagResource",
                "logs:UntagResource",
                "logs:TagLogGroup",
                "logs:UntagLogGroup",
                "sqs:CreateQueue",
                "sqs:DeleteQueue",
                "sqs:SetQueueAttributes",
                "sqs:TagQueue",
                "sqs:UntagQueue",
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:SetTopicAttributes",
                "sns:TagResource",
                "sns:UntagResource",
                "secretsmanager:CreateSecret",
                "secretsmanager:DeleteSecret",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecret",
                "secretsmanager:RestoreSecret",
                "secretsmanager:TagResource",
                "secretsmanager:UntagResource",
                "elasticache:CreateReplicationGroup",
                "elasticache:ModifyReplicationGroup",
                "elasticache:DeleteReplicationGroup",
                "elasticache:IncreaseReplicaCount",
                "elasticache:DecreaseReplicaCount",
                "elasticache:CreateCacheParameterGroup",
                "elasticache:ModifyCacheParameterGroup",
                "elasticache:ResetCacheParameterGroup",
                "elasticache:DeleteCacheParameterGroup",
                "elasticache:CreateCacheSubnetGroup",
                "elasticache:ModifyCacheSubnetGroup",
                "elasticache:DeleteCacheSubnetGroup",
                "elasticache:AddTagsToResource",
                "elasticache:RemoveTagsFromResource",
                "cloudwatch:PutMetricAlarm",
                "cloudwatch:DeleteAlarms",
                "cloudwatch:TagResource",
                "cloudwatch:UntagResource",
                "budgets:ModifyBudget",
                "budgets:TagResource",
                "budgets:UntagResource",
                "scheduler:CreateSchedule",
                "scheduler:UpdateSchedule",
                "scheduler:DeleteSchedule",
                "scheduler:TagResource",
                "scheduler:UntagResource",
            ],
            "Resource": _named(arn, prefix),
        },
        {
            "Sid": "PassTheEnvironmentsRolesToItsServices",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": [arn("iam", f"role/{prefix}-*", regional=False)],
            "Condition": {"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com", "scheduler.amazonaws.com"]}},
        },
        {
            "Sid": "ServiceLinkedRolesOfTheStacksServices",
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": [arn("iam", "role/aws-service-role/*", regional=False)],
            "Condition": {
                "StringEquals": {
                    "iam:AWSServiceName": [
                        "elasticache.amazonaws.com",
                        "elasticache.application-autoscaling.amazonaws.com",
                        "lambda.application-autoscaling.amazonaws.com",
                    ]
                }
            },
        },
        {
            "Sid": "CreateTaggedKeysAndNetwork",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateVpc",
                "ec2:CreateSubnet",
                "ec2:CreateSecurityGroup",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:CreateTags",
            ],
            "Resource": [arn("ec2", "*")],
            "Condition": tagging,
        },
        {
            "Sid": "CreateTaggedKeys",
            "Effect": "Allow",
            "Action": ["kms:CreateKey"],
            "Resource": "*",
            "Condition": tagging,
        },
        {
            "Sid": "ChangeTheEnvironmentsTaggedResources",
            "Effect": "Allow",
            "Action": [
                "ec2:DeleteVpc",
                "ec2:ModifyVpcAttribute",
                "ec2:DeleteSubnet",
                "ec2:ModifySubnetAttribute",
                "ec2:CreateSecurityGroup",
                "ec2:DeleteSecurityGroup",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
                "ec2:ModifySecurityGroupRules",
                "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
                "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
                "ec2:CreateTags",
                "ec2:DeleteTags",
                "kms:PutKeyPolicy",
                "kms:EnableKeyRotation",
                "kms:UpdateKeyDescription",
                "kms:ScheduleKeyDeletion",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:CreateGrant",
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:GenerateDataKey",
                "kms:CreateAlias",
                "kms:UpdateAlias",
                "kms:DeleteAlias",
                "application-autoscaling:RegisterScalableTarget",
                "application-autoscaling:DeregisterScalableTarget",
                "application-autoscaling:PutScalingPolicy",
                "application-autoscaling:DeleteScalingPolicy",
                "application-autoscaling:PutScheduledAction",
                "application-autoscaling:DeleteScheduledAction",
                "application-autoscaling:TagResource",
                "application-autoscaling:UntagResource",
            ],
            "Resource": [arn("ec2", "*"), arn("kms", "key/*"), arn("application-autoscaling", "scalable-target/*")],
            "Condition": tagged,
        },
        {
            "Sid": "NameTheEnvironmentsKeys",  # an alias call needs the alias (here) and the key (tagged, above)
            "Effect": "Allow",
            "Action": ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"],
            "Resource": [arn("kms", f"alias/{prefix}-*")],
        },
        {
            "Sid": "NeverTheCiRolesThemselves",
            "Effect": "Deny",
            "Action": ["iam:*"],
            "Resource": [arn("iam", f"role/{prefix}-ci-*", regional=False)],
        },
    ]


_NAMED_WRITE_SIDS = {"WriteNamedResources", "PassTheEnvironmentsRolesToItsServices", "NeverTheCiRolesThemselves"}


@dataclass(frozen=True)
class StateAccess:
    """The environment's state: bucket, object key, and the key that encrypts it."""

    bucket_arn: str
    state_key: str
    kms_key_arn: str


class DeliveryRoles(Construct):
    """The OIDC provider (or an existing one) and the plan and apply roles of one environment."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeliveryConfig,
        context: Context,
        region: str,
        state: StateAccess,
    ) -> None:
        super().__init__(scope, id_)
        arn = Arns(
            DataAwsPartition(self, "partition").partition, DataAwsCallerIdentity(self, "caller").account_id, region
        )
        prefix = context.id()
        provider_arn = config.oidc_provider_arn
        if provider_arn is None:
            provider_arn = IamOpenidConnectProvider(
                self, "github", url=GITHUB_OIDC_URL, client_id_list=[STS_AUDIENCE], tags=context.tags
            ).arn

        def managed(name: str, purpose: str, statements: list[Statement]) -> IamPolicy:
            return IamPolicy(
                self,
                name,
                name=context.id("ci", name),
                description=f"{purpose} ({context.environment})",
                policy=policy_document(*statements),
                tags=context.tags,
            )

        environment = context.environment
        read = managed(
            "read", "CI: read what the environment's stack manages", read_statements(arn, prefix, environment)
        )
        # A managed policy holds at most 6,144 characters: the named resources, then the tagged ones.
        writes = write_statements(arn, prefix, environment)
        named = [w for w in writes if w["Sid"] in _NAMED_WRITE_SIDS]
        write_named = managed("write-named", "CI: change the environment's named resources", named)
        tagged = [w for w in writes if w["Sid"] not in _NAMED_WRITE_SIDS]
        write_tagged = managed("write-tagged", "CI: change the environment's tagged resources and keys", tagged)
        plan_state = managed(
            "plan-state", "CI plan: read the state, write its lock", state_statements(**_state(state), write=False)
        )
        apply_state = managed(
            "apply-state", "CI apply: read and write the state", state_statements(**_state(state), write=True)
        )
        plan_role = IamRole(
            self,
            "plan",
            name=context.id("ci", "plan"),
            description=f"GitHub Actions plans {context.environment}: read-only, state lock",
            assume_role_policy=trust_policy(provider_arn, plan_subjects(config)),
            max_session_duration=3600,
            tags=context.tags,
        )
        apply_role = IamRole(
            self,
            "apply",
            name=context.id("ci", "apply"),
            description=f"GitHub Actions applies {context.environment} from its GitHub environment",
            assume_role_policy=trust_policy(provider_arn, apply_subjects(config, context.environment)),
            max_session_duration=3600,
            tags=context.tags,
        )
        attachments = {
            "plan-read": (plan_role, read),
            "plan-state": (plan_role, plan_state),
            "apply-read": (apply_role, read),
            "apply-write-named": (apply_role, write_named),
            "apply-write-tagged": (apply_role, write_tagged),
            "apply-state": (apply_role, apply_state),
        }
        for attachment_id, (role, policy) in attachments.items():
            IamRolePolicyAttachment(self, f"attach-{attachment_id}", role=role.name, policy_arn=policy.arn)

        self.oidc_provider_arn: str = provider_arn
        self.plan_role_arn: str = plan_role.arn
        self.apply_role_arn: str = apply_role.arn


def _state(state: StateAccess) -> dict[str, str]:
    return {"bucket_arn": state.bucket_arn, "state_key": state.state_key, "kms_key_arn": state.kms_key_arn}
