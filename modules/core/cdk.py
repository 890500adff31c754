"""The one file that imports CDKTF, constructs and the prebuilt AWS bindings.

CDKTF is frozen upstream, so every other file imports its classes from here: replacing it
means replacing this file.

Why the import below is unusual: the bindings' package `__init__` imports all ~2,200 resource
modules (~5 s and ~500 MB), although a stack uses a few dozen. Before importing any
binding we register the package object itself without running its `__init__`; each
`from cdktf_cdktf_provider_aws.<resource> import …` then loads that one resource module (and
the package's `_jsii` assembly loader, which every resource module imports first). The
generated classes are identical, so the JSON is byte-identical to a plain import
(`tests/synth/test_fast_synth.py` proves it). A process that imported the whole package
first keeps it: registration only happens when the package is not loaded yet.
"""

# ruff: noqa: E402  (the bindings must be imported after the package is registered)

from __future__ import annotations

import importlib.util
import sys

_PROVIDER_PACKAGE = "cdktf_cdktf_provider_aws"


def _register_provider_package_without_submodules() -> None:
    if _PROVIDER_PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(_PROVIDER_PACKAGE)
    if spec is None:  # pragma: no cover - the pinned requirements install it
        raise ImportError(f"{_PROVIDER_PACKAGE} is not installed: run `make setup`")
    sys.modules[_PROVIDER_PACKAGE] = importlib.util.module_from_spec(spec)


_register_provider_package_without_submodules()

from cdktf import (
    App,
    Fn,
    LocalBackend,
    S3Backend,
    TerraformLocal,
    TerraformOutput,
    TerraformProvider,
    TerraformResourceLifecycle,
    TerraformStack,
)
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from cdktf_cdktf_provider_aws.acm_certificate_validation import AcmCertificateValidation
from cdktf_cdktf_provider_aws.appautoscaling_policy import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
)
from cdktf_cdktf_provider_aws.appautoscaling_scheduled_action import (
    AppautoscalingScheduledAction,
    AppautoscalingScheduledActionScalableTargetAction,
)
from cdktf_cdktf_provider_aws.appautoscaling_target import AppautoscalingTarget
from cdktf_cdktf_provider_aws.budgets_budget import BudgetsBudget, BudgetsBudgetCostFilter, BudgetsBudgetNotification
from cdktf_cdktf_provider_aws.ce_anomaly_monitor import CeAnomalyMonitor
from cdktf_cdktf_provider_aws.ce_anomaly_subscription import (
    CeAnomalySubscription,
    CeAnomalySubscriptionSubscriber,
    CeAnomalySubscriptionThresholdExpression,
    CeAnomalySubscriptionThresholdExpressionDimension,
)
from cdktf_cdktf_provider_aws.ce_cost_allocation_tag import CeCostAllocationTag
from cdktf_cdktf_provider_aws.cloudfront_cache_policy import (
    CloudfrontCachePolicy,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOrigin,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigCookies,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigHeaders,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig,
    CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigQueryStrings,
)
from cdktf_cdktf_provider_aws.cloudfront_distribution import (
    CloudfrontDistribution,
    CloudfrontDistributionCustomErrorResponse,
    CloudfrontDistributionDefaultCacheBehavior,
    CloudfrontDistributionLoggingConfig,
    CloudfrontDistributionOrderedCacheBehavior,
    CloudfrontDistributionOrigin,
    CloudfrontDistributionOriginCustomOriginConfig,
    CloudfrontDistributionOriginOriginShield,
    CloudfrontDistributionRestrictions,
    CloudfrontDistributionRestrictionsGeoRestriction,
    CloudfrontDistributionViewerCertificate,
)
from cdktf_cdktf_provider_aws.cloudfront_monitoring_subscription import (
    CloudfrontMonitoringSubscription,
    CloudfrontMonitoringSubscriptionMonitoringSubscription,
    CloudfrontMonitoringSubscriptionMonitoringSubscriptionRealtimeMetricsSubscriptionConfig,
)
from cdktf_cdktf_provider_aws.cloudfront_origin_access_control import CloudfrontOriginAccessControl
from cdktf_cdktf_provider_aws.cloudfront_origin_request_policy import (
    CloudfrontOriginRequestPolicy,
    CloudfrontOriginRequestPolicyCookiesConfig,
    CloudfrontOriginRequestPolicyHeadersConfig,
    CloudfrontOriginRequestPolicyHeadersConfigHeaders,
    CloudfrontOriginRequestPolicyQueryStringsConfig,
)
from cdktf_cdktf_provider_aws.cloudfront_response_headers_policy import (
    CloudfrontResponseHeadersPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfig,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity,
)
from cdktf_cdktf_provider_aws.cloudwatch_composite_alarm import CloudwatchCompositeAlarm
from cdktf_cdktf_provider_aws.cloudwatch_dashboard import CloudwatchDashboard
from cdktf_cdktf_provider_aws.cloudwatch_event_rule import CloudwatchEventRule
from cdktf_cdktf_provider_aws.cloudwatch_event_target import CloudwatchEventTarget
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.cloudwatch_log_resource_policy import CloudwatchLogResourcePolicy
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import (
    CloudwatchMetricAlarm,
    CloudwatchMetricAlarmMetricQuery,
    CloudwatchMetricAlarmMetricQueryMetric,
)
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_canonical_user_id import DataAwsCanonicalUserId
from cdktf_cdktf_provider_aws.data_aws_cloudfront_cache_policy import DataAwsCloudfrontCachePolicy
from cdktf_cdktf_provider_aws.data_aws_cloudfront_log_delivery_canonical_user_id import (
    DataAwsCloudfrontLogDeliveryCanonicalUserId,
)
from cdktf_cdktf_provider_aws.data_aws_cloudfront_origin_request_policy import DataAwsCloudfrontOriginRequestPolicy
from cdktf_cdktf_provider_aws.data_aws_cloudfront_response_headers_policy import (
    DataAwsCloudfrontResponseHeadersPolicy,
)
from cdktf_cdktf_provider_aws.data_aws_iam_openid_connect_provider import DataAwsIamOpenidConnectProvider
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.data_aws_region import DataAwsRegion
from cdktf_cdktf_provider_aws.db_instance import DbInstance
from cdktf_cdktf_provider_aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from cdktf_cdktf_provider_aws.db_proxy import DbProxy, DbProxyAuth
from cdktf_cdktf_provider_aws.db_proxy_default_target_group import (
    DbProxyDefaultTargetGroup,
    DbProxyDefaultTargetGroupConnectionPoolConfig,
)
from cdktf_cdktf_provider_aws.db_proxy_target import DbProxyTarget
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.elasticache_parameter_group import (
    ElasticacheParameterGroup,
    ElasticacheParameterGroupParameter,
)
from cdktf_cdktf_provider_aws.elasticache_replication_group import (
    ElasticacheReplicationGroup,
    ElasticacheReplicationGroupLogDeliveryConfiguration,
)
from cdktf_cdktf_provider_aws.elasticache_serverless_cache import (
    ElasticacheServerlessCache,
    ElasticacheServerlessCacheCacheUsageLimits,
    ElasticacheServerlessCacheCacheUsageLimitsDataStorage,
    ElasticacheServerlessCacheCacheUsageLimitsEcpuPerSecond,
)
from cdktf_cdktf_provider_aws.elasticache_subnet_group import ElasticacheSubnetGroup
from cdktf_cdktf_provider_aws.elasticache_user import ElasticacheUser, ElasticacheUserAuthenticationMode
from cdktf_cdktf_provider_aws.elasticache_user_group import ElasticacheUserGroup
from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.lambda_alias import LambdaAlias
from cdktf_cdktf_provider_aws.lambda_function import (
    LambdaFunction,
    LambdaFunctionDeadLetterConfig,
    LambdaFunctionEnvironment,
    LambdaFunctionSnapStart,
    LambdaFunctionTracingConfig,
    LambdaFunctionVpcConfig,
)
from cdktf_cdktf_provider_aws.lambda_function_url import LambdaFunctionUrl
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from cdktf_cdktf_provider_aws.route53_record import Route53Record, Route53RecordAlias
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_acl import (
    S3BucketAcl,
    S3BucketAclAccessControlPolicy,
    S3BucketAclAccessControlPolicyGrant,
    S3BucketAclAccessControlPolicyGrantGrantee,
    S3BucketAclAccessControlPolicyOwner,
)
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from cdktf_cdktf_provider_aws.scheduler_schedule import (
    SchedulerSchedule,
    SchedulerScheduleFlexibleTimeWindow,
    SchedulerScheduleTarget,
    SchedulerScheduleTargetRetryPolicy,
)
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from cdktf_cdktf_provider_aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleOverrideActionNone,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from cdktf_cdktf_provider_aws.wafv2_web_acl_logging_configuration import (
    Wafv2WebAclLoggingConfiguration,
    Wafv2WebAclLoggingConfigurationLoggingFilter,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilter,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilterCondition,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilterConditionActionCondition,
    Wafv2WebAclLoggingConfigurationRedactedFields,
    Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader,
)
from constructs import Construct

__all__ = [
    "AcmCertificate",
    "AcmCertificateValidation",
    "App",
    "AppautoscalingPolicy",
    "AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration",
    "AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification",
    "AppautoscalingScheduledAction",
    "AppautoscalingScheduledActionScalableTargetAction",
    "AppautoscalingTarget",
    "AwsProvider",
    "AwsProviderDefaultTags",
    "BudgetsBudget",
    "BudgetsBudgetCostFilter",
    "BudgetsBudgetNotification",
    "CeAnomalyMonitor",
    "CeAnomalySubscription",
    "CeAnomalySubscriptionSubscriber",
    "CeAnomalySubscriptionThresholdExpression",
    "CeAnomalySubscriptionThresholdExpressionDimension",
    "CeCostAllocationTag",
    "CloudfrontCachePolicy",
    "CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOrigin",
    "CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfig",
    "CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigCookies",
    "CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfig",
    "CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigHeaders",
    "CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig",
    "CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigQueryStrings",
    "CloudfrontDistribution",
    "CloudfrontDistributionCustomErrorResponse",
    "CloudfrontDistributionDefaultCacheBehavior",
    "CloudfrontDistributionLoggingConfig",
    "CloudfrontDistributionOrderedCacheBehavior",
    "CloudfrontDistributionOrigin",
    "CloudfrontDistributionOriginCustomOriginConfig",
    "CloudfrontDistributionOriginOriginShield",
    "CloudfrontDistributionRestrictions",
    "CloudfrontDistributionRestrictionsGeoRestriction",
    "CloudfrontDistributionViewerCertificate",
    "CloudfrontMonitoringSubscription",
    "CloudfrontMonitoringSubscriptionMonitoringSubscription",
    "CloudfrontMonitoringSubscriptionMonitoringSubscriptionRealtimeMetricsSubscriptionConfig",
    "CloudfrontOriginAccessControl",
    "CloudfrontOriginRequestPolicy",
    "CloudfrontOriginRequestPolicyCookiesConfig",
    "CloudfrontOriginRequestPolicyHeadersConfig",
    "CloudfrontOriginRequestPolicyHeadersConfigHeaders",
    "CloudfrontOriginRequestPolicyQueryStringsConfig",
    "CloudfrontResponseHeadersPolicy",
    "CloudfrontResponseHeadersPolicySecurityHeadersConfig",
    "CloudfrontResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicy",
    "CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions",
    "CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions",
    "CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy",
    "CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity",
    "CloudwatchCompositeAlarm",
    "CloudwatchDashboard",
    "CloudwatchEventRule",
    "CloudwatchEventTarget",
    "CloudwatchLogGroup",
    "CloudwatchLogResourcePolicy",
    "CloudwatchMetricAlarm",
    "CloudwatchMetricAlarmMetricQuery",
    "CloudwatchMetricAlarmMetricQueryMetric",
    "Construct",
    "DataAwsCallerIdentity",
    "DataAwsCanonicalUserId",
    "DataAwsCloudfrontCachePolicy",
    "DataAwsCloudfrontLogDeliveryCanonicalUserId",
    "DataAwsCloudfrontOriginRequestPolicy",
    "DataAwsCloudfrontResponseHeadersPolicy",
    "DataAwsIamOpenidConnectProvider",
    "DataAwsPartition",
    "DataAwsRegion",
    "DbInstance",
    "DbParameterGroup",
    "DbParameterGroupParameter",
    "DbProxy",
    "DbProxyAuth",
    "DbProxyDefaultTargetGroup",
    "DbProxyDefaultTargetGroupConnectionPoolConfig",
    "DbProxyTarget",
    "DbSubnetGroup",
    "DefaultSecurityGroup",
    "ElasticacheParameterGroup",
    "ElasticacheParameterGroupParameter",
    "ElasticacheReplicationGroup",
    "ElasticacheReplicationGroupLogDeliveryConfiguration",
    "ElasticacheServerlessCache",
    "ElasticacheServerlessCacheCacheUsageLimits",
    "ElasticacheServerlessCacheCacheUsageLimitsDataStorage",
    "ElasticacheServerlessCacheCacheUsageLimitsEcpuPerSecond",
    "ElasticacheSubnetGroup",
    "ElasticacheUser",
    "ElasticacheUserAuthenticationMode",
    "ElasticacheUserGroup",
    "Fn",
    "IamOpenidConnectProvider",
    "IamPolicy",
    "IamRole",
    "IamRolePolicy",
    "IamRolePolicyAttachment",
    "KmsAlias",
    "KmsKey",
    "LambdaAlias",
    "LambdaFunction",
    "LambdaFunctionDeadLetterConfig",
    "LambdaFunctionEnvironment",
    "LambdaFunctionSnapStart",
    "LambdaFunctionTracingConfig",
    "LambdaFunctionUrl",
    "LambdaFunctionVpcConfig",
    "LambdaPermission",
    "LocalBackend",
    "Route53Record",
    "Route53RecordAlias",
    "RouteTable",
    "RouteTableAssociation",
    "S3Backend",
    "S3Bucket",
    "S3BucketAcl",
    "S3BucketAclAccessControlPolicy",
    "S3BucketAclAccessControlPolicyGrant",
    "S3BucketAclAccessControlPolicyGrantGrantee",
    "S3BucketAclAccessControlPolicyOwner",
    "S3BucketLifecycleConfiguration",
    "S3BucketLifecycleConfigurationRule",
    "S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload",
    "S3BucketLifecycleConfigurationRuleExpiration",
    "S3BucketLifecycleConfigurationRuleFilter",
    "S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration",
    "S3BucketOwnershipControls",
    "S3BucketOwnershipControlsRule",
    "S3BucketPolicy",
    "S3BucketPublicAccessBlock",
    "S3BucketServerSideEncryptionConfigurationA",
    "S3BucketServerSideEncryptionConfigurationRuleA",
    "S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA",
    "S3BucketVersioningA",
    "S3BucketVersioningVersioningConfiguration",
    "SchedulerSchedule",
    "SchedulerScheduleFlexibleTimeWindow",
    "SchedulerScheduleTarget",
    "SchedulerScheduleTargetRetryPolicy",
    "SecurityGroup",
    "SnsTopic",
    "SnsTopicPolicy",
    "SnsTopicSubscription",
    "SqsQueue",
    "Subnet",
    "TerraformLocal",
    "TerraformOutput",
    "TerraformProvider",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "Vpc",
    "VpcEndpoint",
    "VpcSecurityGroupEgressRule",
    "VpcSecurityGroupIngressRule",
    "Wafv2WebAcl",
    "Wafv2WebAclDefaultAction",
    "Wafv2WebAclDefaultActionAllow",
    "Wafv2WebAclLoggingConfiguration",
    "Wafv2WebAclLoggingConfigurationLoggingFilter",
    "Wafv2WebAclLoggingConfigurationLoggingFilterFilter",
    "Wafv2WebAclLoggingConfigurationLoggingFilterFilterCondition",
    "Wafv2WebAclLoggingConfigurationLoggingFilterFilterConditionActionCondition",
    "Wafv2WebAclLoggingConfigurationRedactedFields",
    "Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader",
    "Wafv2WebAclRule",
    "Wafv2WebAclRuleAction",
    "Wafv2WebAclRuleActionBlock",
    "Wafv2WebAclRuleOverrideAction",
    "Wafv2WebAclRuleOverrideActionNone",
    "Wafv2WebAclRuleVisibilityConfig",
    "Wafv2WebAclVisibilityConfig",
]
