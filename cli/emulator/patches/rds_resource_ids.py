"""moto gives every DB instance the same `DbiResourceId`, by which the provider waits on an
instance: with the databases of two environments in one region it found two and failed. Here
each instance gets its own.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any


def _db_instances_have_resource_ids_of_their_own() -> None:
    """moto 5.2.1 gives every DB instance the same `DbiResourceId` (`db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U`).
    The provider waits on an instance by that id (filter `dbi-resource-id`), so with two
    environments' databases in one region it found two and failed ("couldn't find resource").
    Here each instance gets its own, in AWS's shape (`db-` and 26 base32 characters)."""
    import base64
    import uuid

    from moto.rds.models import DBInstance

    initialize = DBInstance.__init__

    def init(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        initialize(self, *args, **kwargs)
        self.dbi_resource_id = "db-" + base64.b32encode(uuid.uuid4().bytes).decode()[:26]

    DBInstance.__init__ = init  # type: ignore[method-assign]
