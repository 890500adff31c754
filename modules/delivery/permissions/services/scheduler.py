"""EventBridge Scheduler (the warmers, the database's running hours); schedules take no tags."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import SCHEDULES
from modules.delivery.permissions.grants import Grant, Permissions, pass_role

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_scheduler_schedule": Permissions(
        read=(Grant(("scheduler:GetSchedule",), SCHEDULES),),
        write=(
            Grant(("scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"), SCHEDULES),
            pass_role("scheduler.amazonaws.com"),
        ),
    ),
}
