"""WAF (CLOUDFRONT scope, in us-east-1): the web ACL is named; logging delivers through CloudWatch Logs,
admitted by the account's log resource policy (the account stack set's, not an environment's)."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import WEB_ACLS
from modules.delivery.permissions.grants import Grant, Permissions

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_wafv2_web_acl": Permissions(
        read=(Grant(("wafv2:GetWebACL", "wafv2:ListTagsForResource"), WEB_ACLS),),
        write=(
            Grant(
                (
                    "wafv2:CreateWebACL",
                    "wafv2:UpdateWebACL",
                    "wafv2:DeleteWebACL",
                    "wafv2:TagResource",
                    "wafv2:UntagResource",
                ),
                WEB_ACLS,
            ),
        ),
    ),
    "aws_wafv2_web_acl_logging_configuration": Permissions(
        read=(Grant(("wafv2:GetLoggingConfiguration",), WEB_ACLS), Grant(("logs:DescribeResourcePolicies",))),
        write=(
            Grant(("wafv2:PutLoggingConfiguration", "wafv2:DeleteLoggingConfiguration"), WEB_ACLS),
            # No logs:PutResourcePolicy (account-wide): the account stack's log resource policy already
            # admits log delivery to every environment's `aws-waf-logs-…` groups (modules/cdn/log_delivery.py).
            Grant(("logs:CreateLogDelivery", "logs:DeleteLogDelivery")),
        ),
    ),
}
