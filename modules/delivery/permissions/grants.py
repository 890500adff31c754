"""What one row of the table is made of: grants of actions on ARN patterns, for reads and for writes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from modules.delivery.permissions.arns import ROLES, SERVICE_LINKED_ROLES, Arn


class Tag(Enum):
    """The `Environment` tag that scopes a grant: the resource's, or that of the request creating it."""

    RESOURCE = "aws:ResourceTag/Environment"
    REQUEST = "aws:RequestTag/Environment"


@dataclass(frozen=True)
class Grant:
    """Actions of one service on `on` (empty: `Resource: "*"`), optionally under a condition."""

    actions: tuple[str, ...]
    on: tuple[Arn, ...] = ()
    tag: Tag | None = None
    passed_to: tuple[str, ...] = ()  # iam:PassRole: iam:PassedToService
    service_names: tuple[str, ...] = ()  # iam:CreateServiceLinkedRole: iam:AWSServiceName
    bounded: bool = False  # role writes: only with the environment's permissions boundary (iam:PermissionsBoundary)

    @property
    def service(self) -> str:
        (service,) = {action.split(":", 1)[0] for action in self.actions}
        return service


@dataclass(frozen=True)
class Permissions:
    """What a refresh of one resource type needs (`read`: both roles) and what changing it needs
    (`write`: the apply role only)."""

    read: tuple[Grant, ...] = ()
    write: tuple[Grant, ...] = ()


def pass_role(*services: str) -> Grant:
    """Handing the environment's roles to `services` (a function, a schedule, …), and to no other."""
    return Grant(("iam:PassRole",), ROLES, passed_to=services)


def service_linked_role(*services: str) -> Grant:
    """Creating the service-linked role that `services` make with their first resource in the account."""
    return Grant(("iam:CreateServiceLinkedRole",), SERVICE_LINKED_ROLES, service_names=services)
