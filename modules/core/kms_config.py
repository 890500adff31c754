"""How an environment's data is keyed: a KMS key per service, or one for the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from modules.core.base import StrictModel

KeyScope = Literal["per-service", "per-environment"]


class EncryptionConfig(StrictModel):
    """Customer-managed keys of the environment's region (an edge key in us-east-1 stays its own)."""

    keys: KeyScope = Field(
        default="per-service",
        description="`per-service`: a key for each module's data (alerts, logs, database, cache, functions, "
        "CDN buckets), so a grant on one reveals nothing of another. `per-environment`: one key whose "
        "policy is the union of their grants; the cost profile of dev and staging (each key is 1 USD a "
        "month, 3 once rotated twice). Not allowed in prod.",
    )
