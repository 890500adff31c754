"""The environment's IAM roles, each under the environment's permissions boundary.

The CI apply role may create and change roles named for its environment only with this boundary
attached (`iam:PermissionsBoundary` conditions, modules/delivery/permissions/): whatever a role's
own policy grants, the boundary (created by the environment's bootstrap stack, which CI cannot
change) denies IAM, STS and every resource tagged for another environment. So a merged change that
writes an `*:*` policy onto a role still cannot make it an administrator.
"""

from __future__ import annotations

from collections.abc import Sequence

from modules.core.account import AwsAccount
from modules.core.cdk import Construct, IamRole, IamRolePolicy
from modules.core.iam import Statement, policy_document, service_trust_policy
from modules.core.label import Context


def boundary_policy_name(context: Context) -> str:
    """The managed policy the environment's bootstrap stack creates as its roles' boundary."""
    return context.id("ci", "boundary")


def boundary_policy_arn(scope: Construct, context: Context) -> str:
    return AwsAccount.of(scope).arn("iam", f"policy/{boundary_policy_name(context)}", region=False)


def service_role(
    scope: Construct,
    id_: str,
    *,
    context: Context,
    name: str,
    description: str,
    service: str,
    account_id: str | None = None,
    policy_name: str,
    statements: Sequence[Statement],
    policy_id: str | None = None,
) -> tuple[IamRole, IamRolePolicy]:
    """A role of the environment's stack that `service` assumes (on behalf of `account_id` only, when
    given), tagged, under the environment's permissions boundary, with its one inline policy
    (construct `policy_id`, by default `<id_>_policy`)."""
    role = IamRole(
        scope,
        id_,
        name=name,
        description=description,
        assume_role_policy=service_trust_policy(service, account_id),
        permissions_boundary=boundary_policy_arn(scope, context),
        tags=context.tags,
    )
    policy = IamRolePolicy(
        scope, policy_id or f"{id_}_policy", name=policy_name, role=role.id, policy=policy_document(*statements)
    )
    return role, policy
