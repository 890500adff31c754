"""moto gives a new DB instance the CA `rds-ca-default`, which AWS does not have; AWS signs a new
instance's certificate with `rds-ca-rsa2048-g1` unless asked otherwise. Here moto does too.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any

# AWS's default CA for new DB instances (Amazon RDS User Guide, "Using SSL/TLS to encrypt a
# connection to a DB instance or cluster", Certificate authorities; read 2026-12-03).
AWS_DEFAULT_CA = "rds-ca-rsa2048-g1"


def _db_instances_get_the_default_ca_of_aws() -> None:
    """moto 5.2.1 defaults `CACertificateIdentifier` to `rds-ca-default`, a name AWS never had. The
    provider creates an instance without the CA, reads it back and, when it differs from the
    configured one, modifies the instance and waits again: a minute more for every database apply
    on the emulator, for a difference only moto has. Here a new instance gets AWS's default CA."""
    from moto.rds.models import DBInstance

    initialize = DBInstance.__init__

    def init(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("ca_certificate_identifier") is None:
            kwargs["ca_certificate_identifier"] = AWS_DEFAULT_CA
        initialize(self, *args, **kwargs)

    DBInstance.__init__ = init  # type: ignore[method-assign]
