"""Application Auto Scaling (the functions' provisioned concurrency, the cache's replicas): the
Describe calls accept no resource; scalable targets are named by id, so scoped by their tag."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import SCALABLE_TARGETS
from modules.delivery.permissions.grants import Grant, Permissions, Tag, service_linked_role

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_appautoscaling_target": Permissions(
        read=(
            Grant(("application-autoscaling:DescribeScalableTargets",)),
            Grant(("application-autoscaling:ListTagsForResource",), SCALABLE_TARGETS, tag=Tag.RESOURCE),
        ),
        write=(
            Grant(
                (
                    "application-autoscaling:RegisterScalableTarget",
                    "application-autoscaling:DeregisterScalableTarget",
                    "application-autoscaling:TagResource",
                    "application-autoscaling:UntagResource",
                ),
                SCALABLE_TARGETS,
                tag=Tag.RESOURCE,
            ),
            service_linked_role(
                "elasticache.application-autoscaling.amazonaws.com", "lambda.application-autoscaling.amazonaws.com"
            ),
        ),
    ),
    "aws_appautoscaling_policy": Permissions(
        read=(Grant(("application-autoscaling:DescribeScalingPolicies",)),),
        write=(
            Grant(
                ("application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy"),
                SCALABLE_TARGETS,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
    "aws_appautoscaling_scheduled_action": Permissions(
        read=(Grant(("application-autoscaling:DescribeScheduledActions",)),),
        write=(
            Grant(
                ("application-autoscaling:PutScheduledAction", "application-autoscaling:DeleteScheduledAction"),
                SCALABLE_TARGETS,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
}
