"""moto's `ListBuckets` names another owner than bucket ACLs do (so the account's canonical user
id never matched an ACL's owner): it names the same one here.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any

# The canonical user id that moto 5.2.1's `ListBuckets` names as owner; everything else says `OWNER`.
LIST_BUCKETS_OWNER = "bcaf1ffd86f41161ca5fb16fd081034f"


def _s3_has_one_canonical_owner() -> None:
    """moto 5.2.1's `ListBuckets` names another owner (`bcaf1ffd…`) than its bucket ACLs and every
    other answer (`moto.s3.models.OWNER`): the provider's `aws_canonical_user_id` reads the former,
    so an ACL granted to the account's canonical user never matched the owner read back, and every
    second plan rewrote it. Here `ListBuckets` names the same owner as the rest."""
    from moto.s3.models import OWNER
    from moto.s3.responses import S3Response

    list_buckets = S3Response.all_buckets

    def all_buckets(self: S3Response) -> Any:
        status, headers, body = list_buckets(self)
        if isinstance(body, bytes):
            body = body.replace(LIST_BUCKETS_OWNER.encode(), OWNER.encode())
        elif isinstance(body, str):
            body = body.replace(LIST_BUCKETS_OWNER, OWNER)
        return status, headers, body

    S3Response.all_buckets = all_buckets  # type: ignore[method-assign]
