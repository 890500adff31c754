"""What one row of the table is made of: grants of actions on ARN patterns, for reads and for writes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from modules.delivery.permissions.arns import ROLES, SERVICE_LINKED_ROLES, Arn


class Tag(Enum):
    """The `Environment` tag that scopes a grant: the resource's, or that of the request creating it."""

    RESOURCE = "aws:ResourceTag/Environment"
    REQUEST = "aws:RequestTag/Environment"


ENVIRONMENT_TAG = "Environment"

# Tag writes, by the action's name: `TagResource`, `UntagResource`, `TagRole`, `ec2:CreateTags`,
# `rds:AddTagsToResource`, `s3:PutBucketTagging`, … (removals: `Untag…`, `DeleteTags`, `RemoveTagsFrom…`).
_TAG_WRITE = re.compile(
    r"^(?:Tag|Untag)[A-Z]|^(?:Create|Delete)Tags$|^(?:AddTagsTo|RemoveTagsFrom)[A-Z]|^Put\w*Tagging$"
)
_TAG_REMOVAL = re.compile(r"^Untag[A-Z]|^DeleteTags$|^RemoveTagsFrom[A-Z]")

WITHOUT_TAG_CONDITION_KEYS = frozenset({"s3:PutBucketTagging"})
"""Tag writes for which the Service Authorization Reference lists no `aws:ResourceTag`, `aws:RequestTag`
or `aws:TagKeys`: a guard conditioned on them could never apply (they are granted by name only).
tests/synth/test_iam_isolation.py checks both this set and the guarded actions against IAM's database."""

CREATE_ACTION_KEYS = {"ec2": "ec2:CreateAction"}
"""Services whose tag-on-create authorization names the creating call: a tag write at creation is
granted only with it. Elsewhere, creation is the state of having no `Environment` tag yet."""


def is_tag_write(action: str) -> bool:
    return bool(_TAG_WRITE.match(action.split(":", 1)[1]))


def removes_tags(action: str) -> bool:
    return bool(_TAG_REMOVAL.match(action.split(":", 1)[1]))


@dataclass(frozen=True)
class Grant:
    """Actions of one service on `on` (empty: `Resource: "*"`), optionally under a condition.

    `tag=Tag.REQUEST` grants creation: the request carries the environment's tag and the resource
    none yet (a tag write at creation: `CREATE_ACTION_KEYS` where the service names the creating
    call). `untagged` grants tagging a resource AWS made without tags (a VPC's default security
    group) with the environment's tag. `of_databases`: RDS-managed master secrets, scoped by the
    `aws:rds:primaryDBInstanceArn` tag RDS puts on them, to these instances."""

    actions: tuple[str, ...]
    on: tuple[Arn, ...] = ()
    tag: Tag | None = None
    untagged: bool = False
    passed_to: tuple[str, ...] = ()  # iam:PassRole: iam:PassedToService
    service_names: tuple[str, ...] = ()  # iam:CreateServiceLinkedRole: iam:AWSServiceName
    bounded: bool = False  # role writes: only with the environment's permissions boundary (iam:PermissionsBoundary)
    of_databases: tuple[Arn, ...] = ()

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
