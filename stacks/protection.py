"""`lifecycle.prevent_destroy` on what holds data, in the stack sets that protect it: set here only.

The stateful resources are the database, the cache, the S3 buckets (assets, access logs, state) and
the KMS keys (a deleted key makes everything it encrypted unreadable). In a protected set Terraform
refuses any plan that would destroy one of them, a replacement included; `make destroy` refuses
before Terraform runs, naming them (cli/terraform.py), and a reviewed `ALLOW_REPLACE=<address>`
lifts the protection of exactly that address for one plan (cli/plan_guard.py).

Protected: prod, the set cli/plan_guard.py guards too, whose data is the customers'. dev and
staging are rebuilt from code and stay destroyable by `make destroy`; what they hold is recoverable
in other ways: every KMS key waits out a deletion window (`state.kms_deletion_window_days`,
cancellable), a bucket that still holds objects cannot be deleted (no `force_destroy`), and a
database keeps the deletion protection and final snapshot its YAML asks for (staging's `rds`: AWS
refuses its delete until that is turned off). `rds.deletion_protection` is not reused here: it is
the database's own switch, on in staging too, while this covers every stateful resource of a set.
"""

from __future__ import annotations

from modules.core.cdk import (
    DbInstance,
    ElasticacheReplicationGroup,
    ElasticacheServerlessCache,
    KmsKey,
    S3Bucket,
    TerraformStack,
)

PROTECTED_STACK_SETS = frozenset({"prod"})
STATEFUL_RESOURCES = (DbInstance, ElasticacheReplicationGroup, ElasticacheServerlessCache, KmsKey, S3Bucket)
"""The provider classes whose resources hold data (an RDS cluster or a table would join them)."""


def protect_stateful_resources(stack: TerraformStack, stack_set: str) -> None:
    """Every stateful resource of `stack` gets `lifecycle.prevent_destroy = true` if `stack_set` is
    protected (its other lifecycle settings, such as `ignore_changes`, stay)."""
    if stack_set not in PROTECTED_STACK_SETS:
        return
    for construct in stack.node.find_all():
        if isinstance(construct, STATEFUL_RESOURCES):
            construct.add_override("lifecycle.prevent_destroy", True)
