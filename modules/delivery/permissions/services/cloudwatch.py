"""CloudWatch: alarms in the environment's region and (the edge alarms) in us-east-1, and the dashboards."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import ALARMS, DASHBOARDS
from modules.delivery.permissions.grants import Grant, Permissions

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_cloudwatch_metric_alarm": Permissions(
        read=(Grant(("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"), ALARMS),),
        write=(
            Grant(
                (
                    "cloudwatch:PutMetricAlarm",
                    "cloudwatch:DeleteAlarms",
                    "cloudwatch:TagResource",
                    "cloudwatch:UntagResource",
                ),
                ALARMS,
            ),
        ),
    ),
    "aws_cloudwatch_composite_alarm": Permissions(
        read=(Grant(("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"), ALARMS),),
        write=(
            Grant(
                (
                    "cloudwatch:PutCompositeAlarm",
                    "cloudwatch:DeleteAlarms",
                    "cloudwatch:TagResource",
                    "cloudwatch:UntagResource",
                ),
                ALARMS,
            ),
        ),
    ),
    "aws_cloudwatch_dashboard": Permissions(
        read=(Grant(("cloudwatch:GetDashboard",), DASHBOARDS),),
        write=(Grant(("cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"), DASHBOARDS),),
    ),
}
