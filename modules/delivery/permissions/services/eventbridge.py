"""EventBridge rules and targets (`aws_cloudwatch_event_*`): the edge alarms' forwarding, in both regions."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import RULES
from modules.delivery.permissions.grants import Grant, Permissions, pass_role

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_cloudwatch_event_rule": Permissions(
        read=(Grant(("events:DescribeRule", "events:ListTagsForResource"), RULES),),
        write=(Grant(("events:PutRule", "events:DeleteRule", "events:TagResource", "events:UntagResource"), RULES),),
    ),
    "aws_cloudwatch_event_target": Permissions(
        read=(Grant(("events:ListTargetsByRule",), RULES),),
        write=(
            Grant(("events:PutTargets", "events:RemoveTargets"), RULES),
            pass_role("events.amazonaws.com"),
        ),
    ),
}
