"""moto's `DescribeDBParameters` gives the parameters a user set no `Source`, so the provider
ignored them: they have the source `user` here.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any


def _db_parameters_set_by_the_user_say_so() -> None:
    """moto 5.2.1's `DescribeDBParameters` returns the parameters set with `ModifyDBParameterGroup`
    without their `Source`; the provider keeps only parameters whose source is `user` (or a
    default it was configured with), so every second plan set them again. Here a parameter set
    through the API has the source `user`, as on AWS."""
    from moto.rds.models import DBParameterGroup

    update = DBParameterGroup.update_parameters

    def update_parameters(self: DBParameterGroup, new_parameters: Any) -> None:
        update(self, [{"Source": "user", **parameter} for parameter in new_parameters])

    DBParameterGroup.update_parameters = update_parameters  # type: ignore[method-assign]
