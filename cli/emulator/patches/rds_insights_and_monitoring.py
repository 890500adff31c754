"""moto's `CreateDBInstance` drops Performance Insights and Enhanced Monitoring settings: the
instance keeps them here.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any

# Settings of a DB instance that moto 5.2.1's `CreateDBInstance` drops: request argument → the
# attribute that `DescribeDBInstances` echoes (`ModifyDBInstance` sets the attributes already).
DB_INSTANCE_SETTINGS_KEPT = {
    "enable_performance_insights": "performance_insights_enabled",
    "performance_insights_kms_key_id": "performance_insights_kms_key_id",
    "performance_insights_retention_period": "performance_insights_retention_period",
    "monitoring_interval": "monitoring_interval",
    "monitoring_role_arn": "monitoring_role_arn",
}


def _db_instances_keep_insights_and_monitoring() -> None:
    """moto 5.2.1's `CreateDBInstance` drops Performance Insights (enabled, key, retention) and
    Enhanced Monitoring (interval, role), so every second plan updated the database. Here the
    instance keeps what it was created with, and echoes it as `ModifyDBInstance` already does."""
    from moto.rds.models import DBInstance

    initialize = DBInstance.__init__

    def init(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        initialize(self, *args, **kwargs)
        for argument, attribute in DB_INSTANCE_SETTINGS_KEPT.items():
            if kwargs.get(argument) is not None:
                self.__dict__[attribute] = kwargs[argument]

    DBInstance.__init__ = init  # type: ignore[method-assign]
