"""moto's `ModifyDBInstance` with `ManageMasterUserPassword` makes a new master user secret even
when the instance has one (AWS keeps it): it keeps it here.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any


def _db_instances_keep_their_managed_secret() -> None:
    """moto 5.2.1's `ModifyDBInstance` with `ManageMasterUserPassword=true` replaces the master user
    secret of an instance that already has one; AWS keeps it (the setting turns management on, and
    is a no-op when it is on). An imported instance is modified so (the provider does not read the
    setting back), and the new secret's ARN broke the plan of every policy that names it."""
    from moto.rds.models import DBInstance

    update = DBInstance.update

    def keep(self: DBInstance, manage_master_user_password: bool | None = None, **arguments: Any) -> None:
        if manage_master_user_password and getattr(self, "master_user_secret", None) is not None:
            manage_master_user_password = None  # already managed: the secret stays
            arguments.pop("master_user_secret_kms_key_id", None)
        update(self, manage_master_user_password=manage_master_user_password, **arguments)

    DBInstance.update = keep  # type: ignore[method-assign,assignment]
