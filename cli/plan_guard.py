"""A prod plan never deletes or replaces a stateful resource unless `ALLOW_REPLACE` names it.

A changed argument that forces replacement (an engine change, a renamed identifier, a new
KMS key) turns into `delete` + `create` of the database, the cache, a bucket or a key: their
data goes with them. The plan then fails, naming each address; `ALLOW_REPLACE=<address>[,…]`
(the exact addresses) lets the reviewed ones through.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cli.errors import UserError

STATEFUL_TYPES = frozenset(
    {
        "aws_db_instance",
        "aws_rds_cluster",
        "aws_elasticache_replication_group",
        "aws_s3_bucket",
        "aws_kms_key",
        "aws_dynamodb_table",
    }
)
PROTECTED_ENVIRONMENTS = frozenset({"prod"})


def destructive_changes(plan_json: dict[str, Any]) -> list[tuple[str, str]]:
    """(address, what happens) of every stateful resource the plan deletes or replaces."""
    found = []
    for change in plan_json.get("resource_changes", []):
        actions = list(change.get("change", {}).get("actions", []))
        if change.get("mode", "managed") != "managed" or change.get("type") not in STATEFUL_TYPES:
            continue
        if "delete" in actions:
            found.append((str(change["address"]), "replace" if "create" in actions else "delete"))
    return found


def refuse_stateful_replacements(plan_json: dict[str, Any], env: str, allowed: Iterable[str] = ()) -> None:
    """Raise `UserError` when the plan of a protected environment deletes or replaces a stateful
    resource that `allowed` does not name; print the ones it lets through."""
    if env not in PROTECTED_ENVIRONMENTS:
        return
    permitted = set(allowed)
    changes = destructive_changes(plan_json)
    for address, action in changes:
        if address in permitted:
            print(f"plan: {env}: {action} of {address} allowed by ALLOW_REPLACE")
    refused = [(address, action) for address, action in changes if address not in permitted]
    if refused:
        raise UserError(
            f"the plan of {env} would {' and '.join(sorted({a for _, a in refused}))} stateful resources "
            f"(their data goes with them):\n  "
            + "\n  ".join(f"{action}: {address}" for address, action in refused)
            + f"\nif that is intended, run `make plan ENV={env} ALLOW_REPLACE={','.join(a for a, _ in refused)}`"
        )
