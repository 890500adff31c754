"""The AWS WAF web ACL in front of the distribution (scope CLOUDFRONT, so in us-east-1), and its logs."""

from __future__ import annotations

from modules.cdn.config import WebAcl
from modules.cdn.edge import EDGE_REGION
from modules.core.cdk import (
    CloudwatchLogGroup,
    Construct,
    TerraformProvider,
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclLoggingConfiguration,
    Wafv2WebAclLoggingConfigurationLoggingFilter,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilter,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilterCondition,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilterConditionActionCondition,
    Wafv2WebAclLoggingConfigurationRedactedFields,
    Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleOverrideActionNone,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from modules.core.kms import LOGS_KEY_ACTIONS, EncryptionKey, KeyGrant
from modules.core.label import Context


def _rules(config: WebAcl, metric_prefix: str) -> list[Wafv2WebAclRule]:
    """AWS managed rule groups in their configured order, then a per-IP rate limit."""

    def visibility(name: str) -> Wafv2WebAclRuleVisibilityConfig:
        return Wafv2WebAclRuleVisibilityConfig(
            cloudwatch_metrics_enabled=True, metric_name=f"{metric_prefix}_{name}", sampled_requests_enabled=True
        )

    rules = [
        Wafv2WebAclRule(
            name=group,
            priority=priority,
            override_action=Wafv2WebAclRuleOverrideAction(none=Wafv2WebAclRuleOverrideActionNone()),
            statement={"managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}},
            visibility_config=visibility(group),
        )
        for priority, group in enumerate(config.managed_rule_groups)
    ]
    rules.append(
        Wafv2WebAclRule(
            name="RateLimitPerIp",
            priority=len(rules),
            action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
            statement={
                "rate_based_statement": {
                    "aggregate_key_type": "IP",
                    "limit": config.rate_limit.requests,
                    "evaluation_window_sec": config.rate_limit.window_seconds,
                }
            },
            visibility_config=visibility("RateLimitPerIp"),
        )
    )
    return rules


def _logging(
    scope: Construct,
    *,
    context: Context,
    acl: Wafv2WebAcl,
    retention_days: int,
    edge_provider: TerraformProvider,
) -> None:
    """Blocked and counted requests only, without credentials: that keeps the log group (CloudWatch
    Logs ingestion) cheap and free of secrets."""
    key = EncryptionKey(
        scope,
        "waf_log_key",
        context=context,
        grant=KeyGrant(
            "waf-logs", service_principals=[f"logs.{EDGE_REGION}.amazonaws.com"], service_actions=LOGS_KEY_ACTIONS
        ),
        provider=edge_provider,
    )
    # WAF writes only to log groups whose name starts with `aws-waf-logs-`.
    group = CloudwatchLogGroup(
        scope,
        "waf_logs",
        name=f"aws-waf-logs-{context.id('cdn')}",
        retention_in_days=retention_days,
        kms_key_id=key.arn,
        tags=context.tags,
        provider=edge_provider,
    )
    Wafv2WebAclLoggingConfiguration(
        scope,
        "waf_logging",
        resource_arn=acl.arn,
        log_destination_configs=[group.arn],
        redacted_fields=[
            Wafv2WebAclLoggingConfigurationRedactedFields(
                single_header=Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader(name=header)
            )
            for header in ("authorization", "cookie")
        ],
        logging_filter=Wafv2WebAclLoggingConfigurationLoggingFilter(
            default_behavior="DROP",
            filter=[
                Wafv2WebAclLoggingConfigurationLoggingFilterFilter(
                    behavior="KEEP",
                    requirement="MEETS_ANY",
                    condition=[
                        Wafv2WebAclLoggingConfigurationLoggingFilterFilterCondition(
                            action_condition=Wafv2WebAclLoggingConfigurationLoggingFilterFilterConditionActionCondition(
                                action=action
                            )
                        )
                        for action in ("BLOCK", "COUNT")
                    ],
                )
            ],
        ),
        provider=edge_provider,
    )


def web_acl(scope: Construct, *, context: Context, config: WebAcl, edge_provider: TerraformProvider) -> Wafv2WebAcl:
    """AWS managed rule groups, then a per-IP rate limit; what it blocks or counts is logged.

    `edge_provider`: us-east-1, where WAF keeps the web ACLs of CloudFront distributions.
    """
    metric_prefix = context.id("waf").replace("-", "_")
    acl = Wafv2WebAcl(
        scope,
        "web_acl",
        name=context.id("cdn"),
        description=f"In front of the {context.environment} distribution",
        scope="CLOUDFRONT",
        default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
        rule=_rules(config, metric_prefix),
        visibility_config=Wafv2WebAclVisibilityConfig(
            cloudwatch_metrics_enabled=True, metric_name=metric_prefix, sampled_requests_enabled=True
        ),
        tags=context.tags,
        provider=edge_provider,
    )
    _logging(scope, context=context, acl=acl, retention_days=config.log_retention_days, edge_provider=edge_provider)
    return acl
