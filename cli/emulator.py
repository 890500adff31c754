"""The local AWS emulator: moto server over TLS on 127.0.0.1, plus the few gaps it has.

`make plan ENV=dev` with no AWS account starts it (or reuses the running one) and points
Terraform at it with settings only (`AWS_ENDPOINT_URL`, `AWS_CA_BUNDLE`, test credentials),
so the synthesized JSON is the same one that would go to AWS.

Why TLS: the state bucket's policy denies plain HTTP, and moto enforces bucket policies.

Gaps filled here (each tested in tests/integration/test_emulator.py):
* moto does not evaluate `Bool` conditions: a bucket policy that denies
  `aws:SecureTransport = false` (our TLS-only state bucket) denies every request. Here such a
  statement applies only to plain-HTTP requests, of which there are none: the emulator
  serves TLS only.
* moto's AWS Budgets keep notifications with their subscribers but cannot describe the
  subscribers, and know no tags; the provider reads both after creating a budget. Here
  `DescribeSubscribersForNotification`, `TagResource`, `UntagResource` and
  `ListTagsForResource` answer from what moto stores, `CreateBudget` keeps its
  `ResourceTags`, and `UpdateBudget` (which moto lacks; an adopted budget plans one) changes it.
* moto's `/moto-api/data.json` fails (500) once a Lambda function exists (it asks Docker,
  which is absent), so the health probe uses `/moto-api/config`, and any HTTP answer counts.
* moto has no ElastiCache parameter groups: they are kept in memory (create, describe, modify,
  describe parameters, reset, delete, tags), enough for Terraform's lifecycle of one.
* moto's replication groups have no member cache clusters (Terraform reads the first one) and
  stay `deleting` forever: members are created with the group, and a deleted group is gone.
* moto's cache clusters echo neither at-rest encryption nor security groups nor their parameter
  group, which the provider reads of a replication group from its first member: the members echo
  their group's.
* moto cannot delete a cache subnet group: it can here.
* moto has no `ModifyReplicationGroup` (an adopted group plans one): it changes what moto models of
  a group here.
* moto has ElastiCache users (IAM authentication included) but no user groups: they are kept in
  memory (create, describe, modify, delete, tags), as the cache's IAM-authenticated clients need.
* moto has no ElastiCache serverless caches: they are kept in memory (create, describe, modify,
  delete, tags), `available` at once and gone as soon as deleted, with AWS's endpoint and reader
  port; their user group lists them and cannot be deleted while they use it.
* moto has no CloudFront cache, origin request or response headers policies: they are kept in
  memory (create, get, get config, update, delete, list), enough for Terraform's lifecycle of one
  and for a plan that looks for one by name.
* moto's Application Auto Scaling has no tag calls and drops a target's `Tags`: they are kept
  per scalable target (register, tag, untag, list), and go with it.
* moto's Application Auto Scaling refuses the `elasticache` namespace and its replication-group
  dimensions (`Replicas`, `NodeGroups`): its enums know them here.
* moto has no CloudFront monitoring subscriptions: they are kept in memory per distribution
  (create, get, delete).
* moto's Cost Explorer has no anomaly monitors, no anomaly subscriptions and no cost-allocation
  tags: they are kept in memory per account (create, get, update, delete, tags; tag statuses
  updated and listed), with AWS's ARNs and errors, one DIMENSIONAL SERVICE monitor per account.
* moto's `DescribeSecurityGroupRules` echoes only a CIDR rule's description: a rule that
  references a security group or a prefix list echoes its description here too.
* moto drops a Lambda function's `KMSKeyArn` and `DeadLetterConfig`: both are kept (create,
  update) and returned here.
* moto's `CreateDBInstance` drops Performance Insights and Enhanced Monitoring settings: the
  instance keeps them here.
* moto's `ModifyDBInstance` with `ManageMasterUserPassword` makes a new master user secret even
  when the instance has one (AWS keeps it): it keeps it here.
* moto's `DescribeDBParameters` gives the parameters a user set no `Source`, so the provider
  ignored them: they have the source `user` here.
* moto's `ListBuckets` names another owner than bucket ACLs do (so the account's canonical user
  id never matched an ACL's owner): it names the same one here.
* moto's CloudFront distributions add default `ForwardedValues` and `SSLSupportMethod` and drop
  origins' `OriginAccessControlId`: they echo the configuration as sent here.

Its folder (`AUTOSCALE_EMULATOR_DIR`) holds only its own files (`OWN_FILES`): it deletes nothing
else and refuses a folder holding anything else. `stop` kills only the process it recorded: the
PID's command line must be this module's `serve` on the recorded port, and on Linux its start
time must be the recorded one (a PID reused by another process is left alone).
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from cli.errors import UserError

HOST = "127.0.0.1"
RECORD = "emulator.json"
LOG = "moto.log"
PREVIOUS_LOG = "moto.previous.log"
"""The log of the emulator a new one replaced (why the old one stopped answering)."""
OWN_FILES = frozenset({RECORD, "cert.pem", "key.pem", LOG, PREVIOUS_LOG})
"""Everything the emulator writes in its folder, and all that it ever deletes."""
HEALTH_PATH = "/moto-api/config"
"""Answers without serializing any model (`/moto-api/data.json` fails once a Lambda exists)."""
BUSY_PATIENCE_SECONDS = 30.0
"""How long a live emulator may go unanswering (a loaded machine) before the CLI gives up on it."""

# Credentials and profiles of a real account must not leak into the emulator's processes: a
# profile that the emulator cannot find makes every moto request fail, and the AWS SDKs
# prefer some of these over the emulator's test credentials.
REAL_ACCOUNT_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


def isolated_environment(overrides: dict[str, str]) -> dict[str, str]:
    """This process's environment without a real account's variables, plus `overrides`."""
    clean = {key: value for key, value in os.environ.items() if key not in REAL_ACCOUNT_VARIABLES}
    return {**clean, **overrides}


@dataclass(frozen=True)
class Emulator:
    """A running emulator: where it listens and the CA bundle that trusts its certificate."""

    pid: int
    port: int
    ca_bundle: Path

    @property
    def endpoint(self) -> str:
        return f"https://{HOST}:{self.port}"

    def terraform_environment(self, region: str) -> dict[str, str]:
        """Settings that point Terraform's AWS provider and S3 backend at the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CA_BUNDLE": str(self.ca_bundle),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            # A gap in the emulator must fail in seconds, not after the provider's 25 retries.
            "AWS_MAX_ATTEMPTS": "2",
            "AWS_EC2_METADATA_DISABLED": "true",
        }


def _secure_transport_condition_holds(statement: dict[str, Any]) -> bool:
    """Every request here is TLS, so `Bool: aws:SecureTransport = false` never holds."""
    expected = statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
    values = expected if isinstance(expected, list) else [expected]
    return expected is None or any(str(value).lower() == "true" for value in values)


def _evaluate_secure_transport_conditions() -> None:
    """moto 5.2.1 does not evaluate `Bool` conditions, so a TLS-only bucket policy denies every request:
    `aws:SecureTransport` is evaluated here (always true: the emulator serves TLS only)."""
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    evaluate = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(
        self: IAMPolicyStatement,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> PermissionResult:
        if not _secure_transport_condition_holds(self._statement):
            return PermissionResult.NEUTRAL
        return evaluate(self, action, resource, principal, incoming_condition_values)

    IAMPolicyStatement.is_action_permitted = is_action_permitted  # type: ignore[method-assign]


def _budgets_describe_subscribers_and_keep_tags() -> None:
    """moto 5.2.1's Budgets cannot describe a notification's subscribers and keeps no tags, both of
    which the provider reads back: answered from what moto stores. It has no `UpdateBudget` either
    (an adopted budget plans one): the budget takes the new settings and keeps its notifications."""
    import json as json_module

    from moto.budgets.exceptions import NotFoundException
    from moto.budgets.responses import BudgetsResponse
    from moto.core.utils import unix_time

    tags: dict[str, dict[str, str]] = {}
    create = BudgetsResponse.create_budget

    def arn(response: BudgetsResponse, budget_name: str) -> str:
        return f"arn:aws:budgets::{response._get_param('AccountId')}:budget/{budget_name}"

    def create_budget(self: BudgetsResponse) -> str:
        result: str = create(self)
        budget_arn = arn(self, self._get_param("Budget")["BudgetName"])
        tags[budget_arn] = {t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []}
        return result

    def describe_subscribers_for_notification(self: BudgetsResponse) -> str:
        budget = self.backend.budgets[self._get_param("AccountId")][self._get_param("BudgetName")]
        wanted = self._get_param("Notification")
        found = next((n for n in budget.notifications if n.details == wanted), None)
        return json_module.dumps({"Subscribers": found.subscribers if found else []})

    def tag_resource(self: BudgetsResponse) -> str:
        stored = tags.setdefault(self._get_param("ResourceARN"), {})
        stored.update({t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []})
        return "{}"

    def untag_resource(self: BudgetsResponse) -> str:
        stored = tags.setdefault(self._get_param("ResourceARN"), {})
        for key in self._get_param("ResourceTagKeys") or []:
            stored.pop(key, None)
        return "{}"

    def list_tags_for_resource(self: BudgetsResponse) -> str:
        stored = tags.get(self._get_param("ResourceARN"), {})
        return json_module.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in sorted(stored.items())]})

    def update_budget(self: BudgetsResponse) -> str:
        new = dict(self._get_param("NewBudget"))
        stored = self.backend.budgets[self._get_param("AccountId")].get(new["BudgetName"])
        if stored is None:
            raise NotFoundException(f"Unable to update budget - {new['BudgetName']} does not exist.")
        new.setdefault("TimePeriod", stored.budget.get("TimePeriod"))
        stored.budget = {**new, "LastUpdatedTime": unix_time()}
        return "{}"

    BudgetsResponse.create_budget = create_budget  # type: ignore[method-assign]
    BudgetsResponse.update_budget = update_budget  # type: ignore[attr-defined]
    BudgetsResponse.describe_subscribers_for_notification = describe_subscribers_for_notification  # type: ignore[attr-defined]
    BudgetsResponse.tag_resource = tag_resource  # type: ignore[attr-defined]
    BudgetsResponse.untag_resource = untag_resource  # type: ignore[attr-defined]
    BudgetsResponse.list_tags_for_resource = list_tags_for_resource  # type: ignore[attr-defined]


def _fill_composite_alarms() -> None:
    """moto 5.2.1 has no PutCompositeAlarm action; its PutMetricAlarm already stores an `AlarmRule`
    (and DescribeAlarms returns such alarms as composite ones), so the action is routed there."""
    from moto.cloudwatch.responses import CloudWatchResponse

    CloudWatchResponse.put_composite_alarm = CloudWatchResponse.put_metric_alarm  # type: ignore[attr-defined]


def _parameter_group_not_found(name: str) -> Exception:
    from moto.elasticache.exceptions import ElastiCacheException

    class CacheParameterGroupNotFound(ElastiCacheException):
        code = "CacheParameterGroupNotFound"

    return CacheParameterGroupNotFound(f"CacheParameterGroup {name} not found.")


def _elasticache_tags_listed_for(kind: str) -> None:
    """moto's ElastiCache `ListTagsForResource` refuses ARNs of the kinds it lacks (its ARN pattern
    has no `parametergroup`, `usergroup` or `serverlesscache`): serve `arn:…:<kind>:…` from moto's
    tag store, where the launcher's handlers keep their tags. Its add and remove take any ARN."""
    from moto.elasticache.models import ElastiCacheBackend

    list_tags = ElastiCacheBackend.list_tags_for_resource

    def list_tags_for_resource(self: ElastiCacheBackend, arn: str) -> dict[str, list[dict[str, str]]]:
        if f":{kind}:" in arn:
            tags: dict[str, list[dict[str, str]]] = self.tagging_service.list_tags_for_resource(arn)
            return tags
        return list_tags(self, arn)

    ElastiCacheBackend.list_tags_for_resource = list_tags_for_resource  # type: ignore[method-assign]


def _fill_cache_parameter_groups() -> None:
    """moto 5.2.1 has no ElastiCache parameter groups: kept in memory, per account and region; only
    user-set parameters are kept."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.elasticache.responses import ElastiCacheResponse

    def store(self: ElastiCacheResponse) -> dict[str, dict[str, Any]]:
        backend = self.elasticache_backend
        groups: dict[str, dict[str, Any]] = backend.__dict__.setdefault("_autoscale_parameter_groups", {})
        return groups

    def find(self: ElastiCacheResponse) -> dict[str, Any]:
        name = self._get_param("CacheParameterGroupName")
        if name not in store(self):
            raise _parameter_group_not_found(name)
        return store(self)[name]

    def create_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
        name = self._get_param("CacheParameterGroupName")
        arn = f"arn:aws:elasticache:{self.region}:{self.current_account}:parametergroup:{name}"
        group = {
            "CacheParameterGroupName": name,
            "CacheParameterGroupFamily": self._get_param("CacheParameterGroupFamily"),
            "Description": self._get_param("Description"),
            "IsGlobal": False,
            "ARN": arn,
        }
        store(self)[name] = {"group": group, "parameters": {}}
        tags = self._get_param("Tags", [])
        if tags:
            self.elasticache_backend.tagging_service.tag_resource(arn, tags)
        return ActionResult({"CacheParameterGroup": group})

    def describe_cache_parameter_groups(self: ElastiCacheResponse) -> ActionResult:
        name = self._get_param("CacheParameterGroupName")
        groups = [find(self)["group"]] if name else [entry["group"] for entry in store(self).values()]
        return ActionResult({"CacheParameterGroups": groups})

    def modify_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
        entry = find(self)
        for item in self._get_param("ParameterNameValues", []):
            entry["parameters"][item["ParameterName"]] = item["ParameterValue"]
        return ActionResult({"CacheParameterGroupName": entry["group"]["CacheParameterGroupName"]})

    def reset_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
        entry = find(self)
        if self._get_bool_param("ResetAllParameters"):
            entry["parameters"].clear()
        for item in self._get_param("ParameterNameValues", []):
            entry["parameters"].pop(item["ParameterName"], None)
        return ActionResult({"CacheParameterGroupName": entry["group"]["CacheParameterGroupName"]})

    def describe_cache_parameters(self: ElastiCacheResponse) -> ActionResult:
        parameters = [
            {"ParameterName": key, "ParameterValue": value, "Source": "user", "IsModifiable": True}
            for key, value in sorted(find(self)["parameters"].items())
        ]
        return ActionResult({"Parameters": parameters})

    def delete_cache_parameter_group(self: ElastiCacheResponse) -> EmptyResult:
        entry = find(self)
        del store(self)[entry["group"]["CacheParameterGroupName"]]
        return EmptyResult()

    for handler in (
        create_cache_parameter_group,
        describe_cache_parameter_groups,
        modify_cache_parameter_group,
        reset_cache_parameter_group,
        describe_cache_parameters,
        delete_cache_parameter_group,
    ):
        setattr(ElastiCacheResponse, handler.__name__, handler)

    _elasticache_tags_listed_for("parametergroup")


def _fill_replication_group_members() -> None:
    """moto 5.2.1 creates no member clusters for a replication group (Terraform reads the first) and never
    finishes deleting one: members exist as long as their group; deletion completes at once."""
    from moto.core.responses import EmptyResult
    from moto.elasticache.models import ElastiCacheBackend, ReplicationGroup
    from moto.elasticache.responses import ElastiCacheResponse

    create = ElastiCacheBackend.create_replication_group
    delete = ElastiCacheBackend.delete_replication_group

    def create_replication_group(self: ElastiCacheBackend, **arguments: Any) -> ReplicationGroup:
        group = create(self, **arguments)
        for member in group.member_clusters:
            settings: dict[str, Any] = {
                "cache_cluster_id": member,
                "replication_group_id": group.replication_group_id,
                "az_mode": None,
                "preferred_availability_zone": None,
                "num_cache_nodes": 1,
                "cache_node_type": arguments["cache_node_type"],
                "engine": arguments["engine"],
                "engine_version": arguments["engine_version"],
                "cache_parameter_group_name": arguments["cache_parameter_group_name"],
                "cache_subnet_group_name": arguments["cache_subnet_group_name"],
                "transit_encryption_enabled": arguments["transit_encryption_enabled"],
                "network_type": None,
                "ip_discovery": None,
                "snapshot_name": None,
                "preferred_maintenance_window": arguments["preferred_maintenance_window"],
                "port": arguments["port"],
                "notification_topic_arn": None,
                "auto_minor_version_upgrade": arguments["auto_minor_version_upgrade"],
                "snapshot_retention_limit": arguments["snapshot_retention_limit"],
                "snapshot_window": arguments["snapshot_window"],
                "auth_token": None,
                "outpost_mode": None,
                "preferred_outpost_arn": None,
                "preferred_availability_zones": None,
                "cache_security_group_names": None,
                "security_group_ids": arguments["security_group_ids"],
                "tags": [],
                "snapshot_arns": None,
                "preferred_outpost_arns": None,
                "log_delivery_configurations": [],
                "cache_node_ids_to_remove": [],
                "cache_node_ids_to_reboot": [],
            }
            cluster = self.create_cache_cluster(**settings)
            cluster.replication_group_id = group.replication_group_id  # moto sets it for engine redis only
        return group

    def delete_replication_group(
        self: ElastiCacheBackend, replication_group_id: str, retain_primary_cluster: bool | None
    ) -> ReplicationGroup:
        members = list(getattr(self.replication_groups.get(replication_group_id), "member_clusters", []))
        group = delete(self, replication_group_id, retain_primary_cluster)
        self.replication_groups.pop(replication_group_id, None)
        for member in members:
            self.cache_clusters.pop(member, None)
        return group

    def delete_cache_subnet_group(self: ElastiCacheResponse) -> EmptyResult:
        name = self._get_param("CacheSubnetGroupName")
        self.elasticache_backend.describe_cache_subnet_groups(name)  # raises CacheSubnetGroupNotFound
        del self.elasticache_backend.cache_subnet_groups[name]
        return EmptyResult()

    setattr(ElastiCacheResponse, "delete_cache_subnet_group", delete_cache_subnet_group)  # noqa: B010
    setattr(ElastiCacheBackend, "create_replication_group", create_replication_group)  # noqa: B010
    setattr(ElastiCacheBackend, "delete_replication_group", delete_replication_group)  # noqa: B010


def _replication_groups_can_be_modified() -> None:
    """moto 5.2.1 has no `ModifyReplicationGroup`, which the provider calls for any in-place change
    of a group (an adopted group plans one: import does not read `auth_token_update_strategy` back).
    Here it changes what moto models of a group: description, node type, engine version, windows,
    snapshot retention, failover, Multi-AZ, parameter, security and user groups, auto minor version
    upgrade, notifications; a new auth token is dated and `DELETE` removes it (call after
    `_cache_members_echo_encryption_and_security_groups`: members echo the new security groups)."""
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.elasticache.responses import ElastiCacheResponse

    settable = {  # request parameter → the group's attribute, as given
        "ReplicationGroupDescription": "description",
        "CacheNodeType": "cache_node_type",
        "EngineVersion": "engine_version",
        "PreferredMaintenanceWindow": "preferred_maintenance_window",
        "SnapshotWindow": "snapshot_window",
        "CacheParameterGroupName": "cache_parameter_group_name",
        "NotificationTopicArn": "notification_topic_arn",
        "TransitEncryptionMode": "transit_encryption_mode",
    }

    def modify_replication_group(self: ElastiCacheResponse) -> ActionResult:
        (group,) = self.elasticache_backend.describe_replication_groups(self._get_param("ReplicationGroupId"))
        for parameter, attribute in settable.items():
            if self._get_param(parameter) is not None:
                setattr(group, attribute, self._get_param(parameter))
        if self._get_int_param("SnapshotRetentionLimit") is not None:
            group.snapshot_retention_limit = self._get_int_param("SnapshotRetentionLimit")
        switches = (("AutomaticFailoverEnabled", "automatic_failover"), ("MultiAZEnabled", "multi_az"))
        for parameter, attribute in switches:
            if self._get_bool_param(parameter) is not None:
                setattr(group, attribute, "enabled" if self._get_bool_param(parameter) else "disabled")
        if self._get_bool_param("AutoMinorVersionUpgrade") is not None:
            group.auto_minor_version_upgrade = self._get_bool_param("AutoMinorVersionUpgrade")
        if self._get_param("AuthToken"):
            group.auth_token_enabled, group.auth_token_last_modified_date = True, utcnow()
        elif self._get_param("AuthTokenUpdateStrategy") == "DELETE":
            group.auth_token_enabled = False
        removed = set(self._get_param("UserGroupIdsToRemove", []))
        added = [g for g in self._get_param("UserGroupIdsToAdd", []) if g not in (group.user_group_ids or [])]
        group.user_group_ids = [g for g in group.user_group_ids or [] if g not in removed] + added
        security_groups = self._get_param("SecurityGroupIds")
        if security_groups is not None:
            group.security_group_ids = security_groups
            for member in group.member_clusters:
                self.elasticache_backend.cache_clusters[member].security_groups = [
                    {"SecurityGroupId": group_id, "Status": "active"} for group_id in security_groups
                ]
        return ActionResult({"ReplicationGroup": group})

    setattr(ElastiCacheResponse, "modify_replication_group", modify_replication_group)  # noqa: B010


# Where the launcher keeps what moto lacks, on moto's ElastiCache backend (per account and region).
USER_GROUPS_STORE = "_autoscale_user_groups"
SERVERLESS_CACHES_STORE = "_autoscale_serverless_caches"


def _elasticache_fault(code: str, message: str) -> Exception:
    from moto.elasticache.exceptions import ElastiCacheException

    class Fault(ElastiCacheException):
        pass

    Fault.code = code
    return Fault(message)


def _cache_members_echo_encryption_and_security_groups() -> None:
    """moto 5.2.1's cache clusters have no `AtRestEncryptionEnabled` and no `SecurityGroups`; the
    provider reads both of a replication group from its first member, so a second plan replaced
    the group. Here each member echoes its group's at-rest encryption and security group ids (call
    after `_fill_replication_group_members`, which creates the members), and its parameter group
    (`CacheParameterGroup`, which moto keeps as a bare name it never answers): an imported group
    read without it planned a `ModifyReplicationGroup` moto lacks."""
    from moto.elasticache.models import ElastiCacheBackend, ReplicationGroup

    create = ElastiCacheBackend.create_replication_group

    def create_replication_group(self: ElastiCacheBackend, **arguments: Any) -> ReplicationGroup:
        group = create(self, **arguments)
        for member in group.member_clusters:
            cluster = self.cache_clusters[member]
            cluster.at_rest_encryption_enabled = bool(arguments.get("at_rest_encryption_enabled"))
            cluster.security_groups = [
                {"SecurityGroupId": group_id, "Status": "active"}
                for group_id in arguments.get("security_group_ids") or []
            ]
            if arguments.get("cache_parameter_group_name"):
                cluster.cache_parameter_group = {
                    "CacheParameterGroupName": arguments["cache_parameter_group_name"],
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                }
        return group

    setattr(ElastiCacheBackend, "create_replication_group", create_replication_group)  # noqa: B010


def _fill_user_groups() -> None:
    """moto 5.2.1 has ElastiCache users but no user groups (CreateUserGroup, DescribeUserGroups,
    ModifyUserGroup, DeleteUserGroup): they are kept in memory here, per account and region.

    As on AWS: the members must exist, each user lists the groups it is in, a group lists the
    replication groups and serverless caches it is attached to and cannot be deleted while it is
    (`InvalidUserGroupState`), and deletion completes at once
    (Terraform then waits for `UserGroupNotFound`). Tags live in moto's tag store.
    """
    from moto.core.responses import ActionResult
    from moto.elasticache.exceptions import UserNotFound
    from moto.elasticache.models import ElastiCacheBackend
    from moto.elasticache.responses import ElastiCacheResponse

    def store(backend: ElastiCacheBackend) -> dict[str, dict[str, Any]]:
        groups: dict[str, dict[str, Any]] = backend.__dict__.setdefault(USER_GROUPS_STORE, {})
        return groups

    def find(self: ElastiCacheResponse) -> dict[str, Any]:
        group_id = self._get_param("UserGroupId")
        if group_id not in store(self.elasticache_backend):
            raise _elasticache_fault("UserGroupNotFound", f"User group {group_id} not found.")
        return store(self.elasticache_backend)[group_id]

    def join(backend: ElastiCacheBackend, group_id: str, user_ids: list[str]) -> None:
        for user_id in user_ids:
            if user_id not in backend.users:
                raise UserNotFound(user_id)
        for user_id in user_ids:
            if group_id not in backend.users[user_id].user_group_ids:
                backend.users[user_id].user_group_ids.append(group_id)

    def leave(backend: ElastiCacheBackend, group_id: str, user_ids: list[str]) -> None:
        for user_id in user_ids:
            user = backend.users.get(user_id)
            if user is not None and group_id in user.user_group_ids:
                user.user_group_ids.remove(group_id)

    def view(backend: ElastiCacheBackend, group: dict[str, Any]) -> dict[str, Any]:
        attached = [
            replication.replication_group_id
            for replication in backend.replication_groups.values()
            if group["UserGroupId"] in (replication.user_group_ids or [])
        ]
        serverless = [  # kept by `_fill_serverless_caches`
            name
            for name, cache in backend.__dict__.get(SERVERLESS_CACHES_STORE, {}).items()
            if cache["UserGroupId"] == group["UserGroupId"]
        ]
        return {
            **group,
            "UserIds": list(group["UserIds"]),
            "ReplicationGroups": attached,
            "ServerlessCaches": serverless,
        }

    def create_user_group(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        group_id = self._get_param("UserGroupId").lower()  # AWS stores the id in lower case
        if group_id in store(backend):
            raise _elasticache_fault("UserGroupAlreadyExists", f"User group {group_id} already exists.")
        engine = self._get_param("Engine", "").lower()
        user_ids = list(self._get_param("UserIds", []))
        join(backend, group_id, user_ids)
        arn = f"arn:aws:elasticache:{self.region}:{self.current_account}:usergroup:{group_id}"
        group = store(backend)[group_id] = {
            "UserGroupId": group_id,
            "Status": "active",
            "Engine": engine,
            "UserIds": user_ids,
            "MinimumEngineVersion": "7.2" if engine == "valkey" else "6.0",
            "ARN": arn,
        }
        tags = self._get_param("Tags", [])
        if tags:
            backend.tagging_service.tag_resource(arn, tags)
        return ActionResult(view(backend, group))

    def describe_user_groups(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        groups = [find(self)] if self._get_param("UserGroupId") else list(store(backend).values())
        return ActionResult({"UserGroups": [view(backend, group) for group in groups]})

    def modify_user_group(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        group = find(self)
        added = [u for u in self._get_param("UserIdsToAdd", []) if u not in group["UserIds"]]
        removed = [u for u in self._get_param("UserIdsToRemove", []) if u in group["UserIds"]]
        join(backend, group["UserGroupId"], added)
        leave(backend, group["UserGroupId"], removed)
        group["UserIds"] = [u for u in group["UserIds"] if u not in removed] + added
        return ActionResult(view(backend, group))

    def delete_user_group(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        group = find(self)
        shown = view(backend, group)
        if shown["ReplicationGroups"] or shown["ServerlessCaches"]:
            caches = ", ".join(shown["ReplicationGroups"] + shown["ServerlessCaches"])
            raise _elasticache_fault(
                "InvalidUserGroupState", f"User group {group['UserGroupId']} is associated with {caches}."
            )
        leave(backend, group["UserGroupId"], group["UserIds"])
        del store(backend)[group["UserGroupId"]]
        backend.tagging_service.delete_all_tags_for_resource(group["ARN"])
        return ActionResult({**shown, "Status": "deleting"})

    for handler in (create_user_group, describe_user_groups, modify_user_group, delete_user_group):
        setattr(ElastiCacheResponse, handler.__name__, handler)

    _elasticache_tags_listed_for("usergroup")


# Region name words → the letters of AWS's short region codes (`eu-central-1` → `euc1`), as in a
# serverless cache's endpoint (`<name>-<id>.serverless.euc1.cache.amazonaws.com`).
REGION_CODE_WORDS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "southeast": "se",
    "northwest": "nw",
    "southwest": "sw",
}
SERVERLESS_ENGINES = {  # engine → (default major version, {major version: full version}, port)
    "valkey": ("8", {"7": "7.2", "8": "8.0"}, 6379),
    "redis": ("7", {"7": "7.1"}, 6379),
    "memcached": ("1.6", {"1.6": "1.6"}, 11211),
}


def _region_code(region: str) -> str:
    """AWS's short code of `region`: `eu-central-1` → `euc1`, `ap-southeast-2` → `apse2`."""
    prefix, *words, number = region.split("-")
    return prefix + "".join(REGION_CODE_WORDS.get(word, word[:1]) for word in words) + number


def _fill_serverless_caches() -> None:
    """moto 5.2.1 has no ElastiCache serverless caches (CreateServerlessCache, DescribeServerlessCaches,
    ModifyServerlessCache, DeleteServerlessCache): they are kept in memory here, per account and region.

    As on AWS: the name is stored in lower case and must be new (`ServerlessCacheAlreadyExistsFault`),
    the user group must exist (`UserGroupNotFound`; it then lists the cache, see `_fill_user_groups`),
    the engine's major version defaults to its latest, writes and reads have one endpoint on two
    ports (6379 and 6380 for Valkey). A cache is `available` at once, and gone as soon as it is
    deleted (Terraform then waits for `ServerlessCacheNotFoundFault`). Tags live in moto's tag store.
    Call after `_fill_user_groups`.
    """
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.elasticache.models import ElastiCacheBackend
    from moto.elasticache.responses import ElastiCacheResponse

    def store(backend: ElastiCacheBackend) -> dict[str, dict[str, Any]]:
        caches: dict[str, dict[str, Any]] = backend.__dict__.setdefault(SERVERLESS_CACHES_STORE, {})
        return caches

    def find(self: ElastiCacheResponse) -> dict[str, Any]:
        name = self._get_param("ServerlessCacheName", "").lower()
        if name not in store(self.elasticache_backend):
            raise _elasticache_fault("ServerlessCacheNotFoundFault", f"Serverless cache {name} not found.")
        return store(self.elasticache_backend)[name]

    def user_group(self: ElastiCacheResponse) -> str:
        group_id: str = self._get_param("UserGroupId").lower()
        if group_id not in self.elasticache_backend.__dict__.get(USER_GROUPS_STORE, {}):
            raise _elasticache_fault("UserGroupNotFound", f"User group {group_id} not found.")
        return group_id

    def limits(self: ElastiCacheResponse) -> dict[str, Any]:
        """The usage limits as sent (only the members given), which the provider reads back as such."""
        given = self._get_param("CacheUsageLimits") or {}
        return {
            kind: {key: value for key, value in given[kind].items() if value is not None}
            for kind in ("DataStorage", "ECPUPerSecond")
            if given.get(kind)
        }

    def supported(engine: str) -> str:
        if engine.lower() not in SERVERLESS_ENGINES:
            raise _elasticache_fault("InvalidParameterValue", f"Engine {engine} is not supported by serverless caches.")
        return engine.lower()

    def versions(engine: str, major: str | None) -> tuple[str, str]:
        default, full, _ = SERVERLESS_ENGINES[engine]
        major = major or default
        return major, full.get(major, major)

    def create_serverless_cache(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        name = self._get_param("ServerlessCacheName").lower()  # AWS stores the name in lower case
        if name in store(backend):
            raise _elasticache_fault("ServerlessCacheAlreadyExistsFault", f"Serverless cache {name} already exists.")
        engine = supported(self._get_param("Engine"))
        group_id = user_group(self) if self._get_param("UserGroupId") else None
        major, full = versions(engine, self._get_param("MajorEngineVersion"))
        arn = f"arn:aws:elasticache:{self.region}:{self.current_account}:serverlesscache:{name}"
        address = f"{name}-{secrets.token_hex(3)}.serverless.{_region_code(self.region)}.cache.amazonaws.com"
        port = SERVERLESS_ENGINES[engine][2]
        retention = None if engine == "memcached" else self._get_int_param("SnapshotRetentionLimit", 0)
        cache = store(backend)[name] = {
            "ServerlessCacheName": name,
            "Description": self._get_param("Description", ""),
            "CreateTime": utcnow(),
            "Status": "available",
            "Engine": engine,
            "MajorEngineVersion": major,
            "FullEngineVersion": full,
            "CacheUsageLimits": limits(self),
            "KmsKeyId": self._get_param("KmsKeyId"),
            "SecurityGroupIds": list(self._get_param("SecurityGroupIds", [])),
            "Endpoint": {"Address": address, "Port": port},
            "ReaderEndpoint": {"Address": address, "Port": port + 1},
            "ARN": arn,
            "UserGroupId": group_id,
            "SubnetIds": list(self._get_param("SubnetIds", [])),
            "SnapshotRetentionLimit": retention,
            "DailySnapshotTime": self._get_param("DailySnapshotTime"),
        }
        tags = self._get_param("Tags", [])
        if tags:
            backend.tagging_service.tag_resource(arn, tags)
        return ActionResult({"ServerlessCache": cache})

    def describe_serverless_caches(self: ElastiCacheResponse) -> ActionResult:
        caches = (
            [find(self)] if self._get_param("ServerlessCacheName") else list(store(self.elasticache_backend).values())
        )
        return ActionResult({"ServerlessCaches": caches})

    def modify_serverless_cache(self: ElastiCacheResponse) -> ActionResult:
        cache = find(self)
        engine = supported(self._get_param("Engine") or cache["Engine"])
        group_id = user_group(self) if self._get_param("UserGroupId") else cache["UserGroupId"]
        for parameter in ("Description", "DailySnapshotTime"):
            if self._get_param(parameter) is not None:
                cache[parameter] = self._get_param(parameter)
        if self._get_param("CacheUsageLimits") is not None:
            cache["CacheUsageLimits"] = limits(self)
        if self._get_param("SecurityGroupIds") is not None:
            cache["SecurityGroupIds"] = list(self._get_param("SecurityGroupIds"))
        if self._get_int_param("SnapshotRetentionLimit") is not None:
            cache["SnapshotRetentionLimit"] = self._get_int_param("SnapshotRetentionLimit")
        cache["UserGroupId"] = None if self._get_bool_param("RemoveUserGroup") else group_id
        if engine != cache["Engine"] or self._get_param("MajorEngineVersion"):
            major = self._get_param("MajorEngineVersion") or cache["MajorEngineVersion"]
            cache["Engine"] = engine
            cache["MajorEngineVersion"], cache["FullEngineVersion"] = versions(engine, major)
        return ActionResult({"ServerlessCache": cache})

    def delete_serverless_cache(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        cache = find(self)
        del store(backend)[cache["ServerlessCacheName"]]
        backend.tagging_service.delete_all_tags_for_resource(cache["ARN"])
        return ActionResult({"ServerlessCache": {**cache, "Status": "deleting"}})

    for handler in (
        create_serverless_cache,
        describe_serverless_caches,
        modify_serverless_cache,
        delete_serverless_cache,
    ):
        setattr(ElastiCacheResponse, handler.__name__, handler)

    _elasticache_tags_listed_for("serverlesscache")


# CloudFront policies moto lacks: URL segment → API shape name (`CreateCachePolicy`, …).
CLOUDFRONT_POLICIES = {
    "cache-policy": "CachePolicy",
    "origin-request-policy": "OriginRequestPolicy",
    "response-headers-policy": "ResponseHeadersPolicy",
}


def _fill_cloudfront_policies() -> None:
    """moto 5.2.1 has no CloudFront cache, origin request or response headers policies: kept in memory,
    per account; the provider reads back exactly what it sent. Listed too (`List…Policies`, all of
    them `custom`), as `make plan` looks for orphans by name."""
    import uuid

    from moto.cloudfront import urls
    from moto.cloudfront.exceptions import CloudFrontException
    from moto.cloudfront.responses import CloudFrontResponse
    from moto.core.responses import ActionResult, EmptyResult

    def store(self: CloudFrontResponse, kind: str) -> dict[str, dict[str, Any]]:
        policies: dict[str, dict[str, dict[str, Any]]] = self.backend.__dict__.setdefault("_autoscale_policies", {})
        return policies.setdefault(kind, {})

    def find(self: CloudFrontResponse, kind: str) -> dict[str, Any]:
        policy_id = self._get_param("Id")
        if policy_id not in store(self, kind):
            raise CloudFrontException(f"NoSuch{kind}", f"The {kind} {policy_id} does not exist.")
        return store(self, kind)[policy_id]

    def handlers(segment: str, kind: str) -> dict[str, Any]:
        def answer(entry: dict[str, Any], **extra: Any) -> ActionResult:
            return ActionResult({kind: entry["policy"], "ETag": entry["etag"], **extra})

        def create(self: CloudFrontResponse) -> ActionResult:
            policy_id = str(uuid.uuid4())
            policy = {
                "Id": policy_id,
                "LastModifiedTime": datetime.datetime.now(datetime.UTC),
                f"{kind}Config": self._get_param(f"{kind}Config", {}),
            }
            entry = store(self, kind)[policy_id] = {"policy": policy, "etag": uuid.uuid4().hex}
            return answer(entry, Location=f"https://cloudfront.amazonaws.com/2020-05-31/{segment}/{policy_id}")

        def get(self: CloudFrontResponse) -> ActionResult:
            return answer(find(self, kind))

        def get_config(self: CloudFrontResponse) -> ActionResult:
            entry = find(self, kind)
            return ActionResult({f"{kind}Config": entry["policy"][f"{kind}Config"], "ETag": entry["etag"]})

        def update(self: CloudFrontResponse) -> ActionResult:
            entry = find(self, kind)
            entry["policy"][f"{kind}Config"] = self._get_param(f"{kind}Config", {})
            entry["policy"]["LastModifiedTime"] = datetime.datetime.now(datetime.UTC)
            entry["etag"] = uuid.uuid4().hex
            return answer(entry)

        def delete(self: CloudFrontResponse) -> EmptyResult:
            entry = find(self, kind)
            del store(self, kind)[entry["policy"]["Id"]]
            return EmptyResult()

        def listing(self: CloudFrontResponse) -> ActionResult:
            custom = self._get_param("Type") in (None, "", "custom")
            items = [{"Type": "custom", kind: e["policy"]} for e in store(self, kind).values()] if custom else []
            return ActionResult({f"{kind}List": {"MaxItems": 100, "Quantity": len(items), "Items": items}})

        snake = segment.replace("-", "_")
        return {
            f"list_{snake.removesuffix('policy')}policies": listing,
            f"create_{snake}": create,
            f"get_{snake}": get,
            f"get_{snake}_config": get_config,
            f"update_{snake}": update,
            f"delete_{snake}": delete,
        }

    for segment, kind in CLOUDFRONT_POLICIES.items():
        for path in ("", "/(?P<policy_id>[^/]+)", "/(?P<policy_id>[^/]+)/config"):
            urls.url_paths[f"{{0}}/2020-05-31/{segment}{path}$"] = CloudFrontResponse.dispatch
        for name, handler in handlers(segment, kind).items():
            setattr(CloudFrontResponse, name, handler)


def _lambda_permissions_are_removed_where_they_were_added() -> None:
    """moto 5.2.1 adds a permission to the qualified version's policy (`?Qualifier=live`) but
    removes it from the unqualified function's, so the alias keeps it and Terraform's destroy of
    a qualified `aws_lambda_permission` (the CDN's on a function URL) waits for ever."""
    from moto.awslambda.responses import LambdaResponse

    def remove_permission(self: LambdaResponse) -> tuple[int, dict[str, Any], str]:
        function_name = unquote(self.path.split("/")[-3])
        statement_id = self.path.split("/")[-1].split("?")[0]
        revision = self.querystring.get("RevisionId", [""])[0]
        qualifier = self.querystring.get("Qualifier", [None])[0]
        function = self.backend.get_function(function_name, qualifier)
        if not function:
            return 404, {"status": 404}, "{}"
        function.policy.del_statement(statement_id, revision)
        # A retried AddPermission may have left a second statement of the Sid (AWS keeps Sids
        # unique): remove every one, so the statement is gone as AWS would have it.
        function.policy.statements = [s for s in function.policy.statements if s.get("Sid") != statement_id]
        return 204, {"status": 204}, "{}"

    LambdaResponse.remove_permission = remove_permission  # type: ignore[method-assign]


def _cloudfront_distribution_arns_have_an_empty_region() -> None:
    """moto 5.2.1 names a distribution `arn:aws:cloudfront:<account>:distribution/<id>`: one
    section short (CloudFront ARNs have an empty region, `cloudfront::<account>`), so Terraform
    rejects it wherever an ARN is validated (e.g. a Lambda permission's `source_arn`)."""
    from moto.cloudfront.models import Distribution

    original = Distribution.__init__

    def initialize(self: Distribution, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        partition, rest = self.arn.split(":cloudfront:", 1)
        if not rest.startswith(":"):
            self.arn = f"{partition}:cloudfront::{rest}"

    Distribution.__init__ = initialize  # type: ignore[method-assign]


def _application_auto_scaling_keeps_tags() -> None:
    """moto 5.2.1's Application Auto Scaling has no tag calls (`ListTagsForResource` is a 500) and
    drops the `Tags` of `RegisterScalableTarget`; the provider reads a target's tags after creating
    it. Here tags are kept per scalable-target ARN, and go with the target."""
    from moto.applicationautoscaling.models import ApplicationAutoscalingBackend
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    def store(backend: ApplicationAutoscalingBackend) -> dict[str, dict[str, str]]:
        tags: dict[str, dict[str, str]] = backend.__dict__.setdefault("_autoscale_tags", {})
        return tags

    register = ApplicationAutoScalingResponse.register_scalable_target
    deregister = ApplicationAutoscalingBackend.deregister_scalable_target

    def register_scalable_target(self: ApplicationAutoScalingResponse) -> str:
        answer: str = register(self)
        arn = json.loads(answer)["ScalableTargetARN"]
        store(self.applicationautoscaling_backend).setdefault(arn, {}).update(self._get_param("Tags") or {})
        return answer

    def deregister_scalable_target(
        self: ApplicationAutoscalingBackend, namespace: str, r_id: str, dimension: str
    ) -> None:
        target = self.targets.get(dimension, {}).get(r_id)
        deregister(self, namespace, r_id, dimension)
        if target is not None:
            store(self).pop(target.arn, None)

    def tag_resource(self: ApplicationAutoScalingResponse) -> str:
        tags = store(self.applicationautoscaling_backend).setdefault(self._get_param("ResourceARN"), {})
        tags.update(self._get_param("Tags") or {})
        return "{}"

    def untag_resource(self: ApplicationAutoScalingResponse) -> str:
        tags = store(self.applicationautoscaling_backend).setdefault(self._get_param("ResourceARN"), {})
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return "{}"

    def list_tags_for_resource(self: ApplicationAutoScalingResponse) -> str:
        return json.dumps({"Tags": store(self.applicationautoscaling_backend).get(self._get_param("ResourceARN"), {})})

    ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target  # type: ignore[method-assign]
    ApplicationAutoscalingBackend.deregister_scalable_target = deregister_scalable_target  # type: ignore[method-assign]
    ApplicationAutoScalingResponse.tag_resource = tag_resource  # type: ignore[attr-defined]
    ApplicationAutoScalingResponse.untag_resource = untag_resource  # type: ignore[attr-defined]
    ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource  # type: ignore[attr-defined]


# Scalable dimensions (and their namespaces) that AWS has and moto 5.2.1's enums lack.
EXTRA_SCALABLE_DIMENSIONS = {
    "ELASTICACHE_REPLICATION_GROUP_REPLICAS": "elasticache:replication-group:Replicas",
    "ELASTICACHE_REPLICATION_GROUP_NODE_GROUPS": "elasticache:replication-group:NodeGroups",
}


def _application_auto_scaling_knows_elasticache() -> None:
    """moto 5.2.1's Application Auto Scaling refuses the `elasticache` namespace and its dimensions
    (`elasticache:replication-group:Replicas`, …) as outside its enums. Here both enums, which moto
    looks up by module name on every call, are replaced by ones with these members added."""
    from enum import Enum

    from moto.applicationautoscaling import models, responses

    dimensions = Enum(  # type: ignore[misc]
        "ScalableDimensionValueSet",
        {**{m.name: m.value for m in models.ScalableDimensionValueSet}, **EXTRA_SCALABLE_DIMENSIONS},
    )
    extra_namespaces = {value.split(":")[0] for value in EXTRA_SCALABLE_DIMENSIONS.values()}
    namespaces = Enum(  # type: ignore[misc]
        "ServiceNamespaceValueSet",
        {
            **{m.name: m.value for m in models.ServiceNamespaceValueSet},
            **{name.upper(): name for name in sorted(extra_namespaces)},
        },
    )
    models.ScalableDimensionValueSet = responses.ScalableDimensionValueSet = dimensions  # type: ignore[misc,assignment,attr-defined]
    models.ServiceNamespaceValueSet = responses.ServiceNamespaceValueSet = namespaces  # type: ignore[misc,assignment,attr-defined]


def _fill_cloudfront_monitoring_subscriptions() -> None:
    """moto 5.2.1 has no CloudFront monitoring subscriptions (the additional distribution metrics):
    Create, Get and Delete answer here from memory, one per existing distribution."""
    from moto.cloudfront import urls
    from moto.cloudfront.exceptions import CloudFrontException, NoSuchDistribution
    from moto.cloudfront.responses import CloudFrontResponse
    from moto.core.responses import ActionResult, EmptyResult

    def store(self: CloudFrontResponse) -> dict[str, dict[str, Any]]:
        subscriptions: dict[str, dict[str, Any]] = self.backend.__dict__.setdefault("_autoscale_monitoring", {})
        for gone in set(subscriptions) - set(self.backend.distributions):
            del subscriptions[gone]  # went with its distribution
        return subscriptions

    def distribution_id(self: CloudFrontResponse) -> str:
        found: str = self._get_param("DistributionId")
        if found not in self.backend.distributions:
            raise NoSuchDistribution
        return found

    def find(self: CloudFrontResponse) -> dict[str, Any]:
        found = store(self).get(distribution_id(self))
        if found is None:
            raise CloudFrontException(
                "NoSuchMonitoringSubscription", "A monitoring subscription does not exist for the distribution."
            )
        return found

    def create_monitoring_subscription(self: CloudFrontResponse) -> ActionResult:
        subscription = self._get_param("MonitoringSubscription", {})
        store(self)[distribution_id(self)] = subscription
        return ActionResult({"MonitoringSubscription": subscription})

    def get_monitoring_subscription(self: CloudFrontResponse) -> ActionResult:
        return ActionResult({"MonitoringSubscription": find(self)})

    def delete_monitoring_subscription(self: CloudFrontResponse) -> EmptyResult:
        find(self)
        del store(self)[self._get_param("DistributionId")]
        return EmptyResult()

    urls.url_paths["{0}/2020-05-31/distributions/(?P<distribution_id>[^/]+)/monitoring-subscription/?$"] = (
        CloudFrontResponse.dispatch
    )
    for handler in (create_monitoring_subscription, get_monitoring_subscription, delete_monitoring_subscription):
        setattr(CloudFrontResponse, handler.__name__, handler)


def _security_group_rules_echo_descriptions() -> None:
    """moto 5.2.1's `DescribeSecurityGroupRules` echoes the description of a CIDR rule only: one
    that references a security group or a prefix list came back without it, so every second plan
    updated such rules. Here a rule's description is also its referenced group's or prefix list's."""
    from moto.ec2.models.security_groups import SecurityGroupRule

    initialize = SecurityGroupRule.__init__

    def init(self: SecurityGroupRule, *args: Any, **kwargs: Any) -> None:
        prefix_list = kwargs.get("prefix_list_id", args[7] if len(args) > 7 else None)
        initialize(self, *args, **kwargs)
        self.__dict__["prefix_list_description"] = (prefix_list or {}).get("Description")

    def description(self: SecurityGroupRule) -> str | None:
        found: str | None = (
            self.ip_range.get("Description")
            or self.source_group.get("Description")
            or self.__dict__.get("prefix_list_description")
        )
        return found

    SecurityGroupRule.__init__ = init  # type: ignore[method-assign]
    SecurityGroupRule.description = property(description)  # type: ignore[method-assign,assignment]


def _lambda_functions_echo_their_kms_key() -> None:
    """moto 5.2.1 drops a function's `KMSKeyArn` (the key of its environment variables): it is
    neither kept on create or update nor returned, so every second plan updated each function.
    Here it is kept and returned in the function's configuration."""
    from moto.awslambda.models import LambdaFunction

    initialize = LambdaFunction.__init__
    update = LambdaFunction.update_configuration
    configuration = LambdaFunction.get_configuration

    def init(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        initialize(self, account_id, spec, *args, **kwargs)
        self.__dict__["kms_key_arn"] = spec.get("KMSKeyArn") or None

    def update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "KMSKeyArn" in config_updates:
            self.__dict__["kms_key_arn"] = config_updates["KMSKeyArn"] or None
        return update(self, config_updates)

    def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
        config = configuration(self, on_create)
        if self.__dict__.get("kms_key_arn"):
            config["KMSKeyArn"] = self.__dict__["kms_key_arn"]
        return config

    LambdaFunction.__init__ = init  # type: ignore[method-assign]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]
    LambdaFunction.get_configuration = get_configuration  # type: ignore[method-assign]


def _lambda_functions_echo_their_dead_letter_target() -> None:
    """moto 5.2.1 drops a function's `DeadLetterConfig`: neither kept on create or update nor
    returned, so every second plan updated each function (and its alias). Here it is kept and
    returned in the function's configuration."""
    from moto.awslambda.models import LambdaFunction

    initialize = LambdaFunction.__init__
    update = LambdaFunction.update_configuration
    configuration = LambdaFunction.get_configuration

    def init(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        initialize(self, account_id, spec, *args, **kwargs)
        self.__dict__["dead_letter_target"] = (spec.get("DeadLetterConfig") or {}).get("TargetArn") or None

    def update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "DeadLetterConfig" in config_updates:
            target = (config_updates["DeadLetterConfig"] or {}).get("TargetArn")
            self.__dict__["dead_letter_target"] = target or None
        return update(self, config_updates)

    def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
        config = configuration(self, on_create)
        if self.__dict__.get("dead_letter_target"):
            config["DeadLetterConfig"] = {"TargetArn": self.__dict__["dead_letter_target"]}
        return config

    LambdaFunction.__init__ = init  # type: ignore[method-assign]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]
    LambdaFunction.get_configuration = get_configuration  # type: ignore[method-assign]


# Settings of a DB instance that moto 5.2.1's `CreateDBInstance` drops: request argument → the
# attribute that `DescribeDBInstances` echoes (`ModifyDBInstance` sets the attributes already).
DB_INSTANCE_SETTINGS_KEPT = {
    "enable_performance_insights": "performance_insights_enabled",
    "performance_insights_kms_key_id": "performance_insights_kms_key_id",
    "performance_insights_retention_period": "performance_insights_retention_period",
    "monitoring_interval": "monitoring_interval",
    "monitoring_role_arn": "monitoring_role_arn",
}


def _db_instances_keep_insights_and_monitoring() -> None:
    """moto 5.2.1's `CreateDBInstance` drops Performance Insights (enabled, key, retention) and
    Enhanced Monitoring (interval, role), so every second plan updated the database. Here the
    instance keeps what it was created with, and echoes it as `ModifyDBInstance` already does."""
    from moto.rds.models import DBInstance

    initialize = DBInstance.__init__

    def init(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        initialize(self, *args, **kwargs)
        for argument, attribute in DB_INSTANCE_SETTINGS_KEPT.items():
            if kwargs.get(argument) is not None:
                self.__dict__[attribute] = kwargs[argument]

    DBInstance.__init__ = init  # type: ignore[method-assign]


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


def _db_instances_keep_their_managed_secret() -> None:
    """moto 5.2.1's `ModifyDBInstance` with `ManageMasterUserPassword=true` replaces the master user
    secret of an instance that already has one; AWS keeps it (the setting turns management on, and
    is a no-op when it is on). An imported instance is modified so (the provider does not read the
    setting back), and the new secret's ARN broke the plan of every policy that names it."""
    from moto.rds.models import DBInstance

    update = DBInstance.update

    def keep(self: DBInstance, manage_master_user_password: bool | None = None, **arguments: Any) -> None:
        if manage_master_user_password and getattr(self, "master_user_secret", None) is not None:
            manage_master_user_password = None  # already managed: the secret stays
            arguments.pop("master_user_secret_kms_key_id", None)
        update(self, manage_master_user_password=manage_master_user_password, **arguments)

    DBInstance.update = keep  # type: ignore[method-assign,assignment]


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


def _cloudfront_distributions_echo_their_config() -> None:
    """moto 5.2.1's distributions answer with what they were not given and without what they were:
    a cache behavior with a cache policy gets default `ForwardedValues`, the default certificate
    an `SSLSupportMethod` of `sni-only`, and an origin loses its `OriginAccessControlId`; so every
    second plan updated the distribution. Here they echo the configuration as sent."""
    from moto.cloudfront.models import DefaultCacheBehaviour, Origin, ViewerCertificate

    behaviour_init = DefaultCacheBehaviour.__init__
    certificate_init = ViewerCertificate.__init__
    origin_init = Origin.__init__

    def behaviour(self: DefaultCacheBehaviour, config: dict[str, Any]) -> None:
        given = "ForwardedValues" in config
        behaviour_init(self, config)
        if not given:
            self.forwarded_values = None  # type: ignore[assignment]

    def certificate(self: ViewerCertificate, config: dict[str, Any]) -> None:
        certificate_init(self, config)
        if not config.get("SSLSupportMethod"):
            self.ssl_support_method = None

    def origin(self: Origin, config: dict[str, Any]) -> None:
        origin_init(self, config)
        self.__dict__["origin_access_control_id"] = config.get("OriginAccessControlId", "")

    DefaultCacheBehaviour.__init__ = behaviour  # type: ignore[method-assign]
    ViewerCertificate.__init__ = certificate  # type: ignore[method-assign]
    Origin.__init__ = origin  # type: ignore[method-assign,assignment]


# Cost Explorer names its anomaly resources `arn:aws:ce::<account>:<kind>/<uuid>`.
ANOMALY_MONITOR_KIND = "anomalymonitor"
ANOMALY_SUBSCRIPTION_KIND = "anomalysubscription"
SUBSCRIPTION_FREQUENCIES = frozenset({"DAILY", "IMMEDIATE", "WEEKLY"})
SUBSCRIBER_TYPES = frozenset({"EMAIL", "SNS"})
COST_ALLOCATION_TAG_STATUSES = frozenset({"Active", "Inactive"})
COST_ALLOCATION_TAGS_PER_UPDATE = 20
"""At most this many keys per `UpdateCostAllocationTagsStatus`, as on AWS."""


def _cost_explorer_error(code: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _cost_explorer_request(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(response.body or "{}")
    return body


def _cost_explorer_store(response: Any, kind: str) -> dict[str, dict[str, Any]]:
    """What the launcher keeps of `kind` in the account's Cost Explorer backend, in creation order."""
    stored: dict[str, dict[str, dict[str, Any]]] = response.ce_backend.__dict__.setdefault("_autoscale_ce", {})
    return stored.setdefault(kind, {})


def _cost_explorer_page(items: list[dict[str, Any]], request: dict[str, Any], token: str) -> dict[str, Any]:
    """One page of `items`: `MaxResults` of them from the offset `NextPageToken` (or `NextToken`) names."""
    start = int(request.get(token) or 0)
    size = int(request.get("MaxResults") or 100)
    page: dict[str, Any] = {"items": items[start : start + size]}
    if start + size < len(items):
        page[token] = str(start + size)
    return page


def _cost_explorer_today() -> str:
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def _fill_anomaly_monitors() -> None:
    """moto 5.2.1's Cost Explorer has cost categories and tags but no anomaly monitors: Create,
    Get, Update and Delete answer here from memory, per account; tags live in moto's CE tag store.

    As on AWS: the ARN is `arn:aws:ce::<account>:anomalymonitor/<uuid>`; a DIMENSIONAL monitor
    needs a dimension and a CUSTOM one a specification (echoed as sent); an account holds one
    DIMENSIONAL SERVICE monitor (a second is a `ValidationException`, "Limit exceeded on
    dimensional spend monitor creation"); an unknown ARN is an `UnknownMonitorException`.
    """
    import uuid

    from moto.ce.responses import CostExplorerResponse

    def find(self: CostExplorerResponse, arn: str) -> dict[str, Any]:
        found = _cost_explorer_store(self, ANOMALY_MONITOR_KIND).get(arn)
        if found is None:
            raise _cost_explorer_error("UnknownMonitorException", f"Cost anomaly monitor {arn} does not exist.")
        return found

    def create_anomaly_monitor(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        given: dict[str, Any] = request.get("AnomalyMonitor") or {}
        monitors = _cost_explorer_store(self, ANOMALY_MONITOR_KIND)
        kind, dimension = given.get("MonitorType"), given.get("MonitorDimension")
        if not given.get("MonitorName") or kind not in ("DIMENSIONAL", "CUSTOM"):
            raise _cost_explorer_error("ValidationException", "A monitor needs a MonitorName and a MonitorType.")
        if kind == "DIMENSIONAL" and not dimension:
            raise _cost_explorer_error("ValidationException", "A DIMENSIONAL monitor needs a MonitorDimension.")
        if kind == "CUSTOM" and not given.get("MonitorSpecification"):
            raise _cost_explorer_error("ValidationException", "A CUSTOM monitor needs a MonitorSpecification.")
        if dimension == "SERVICE" and any(m.get("MonitorDimension") == "SERVICE" for m in monitors.values()):
            raise _cost_explorer_error("ValidationException", "Limit exceeded on dimensional spend monitor creation")
        arn = f"arn:aws:ce::{self.current_account}:{ANOMALY_MONITOR_KIND}/{uuid.uuid4()}"
        today = _cost_explorer_today()
        monitor = {
            "MonitorArn": arn,
            "MonitorName": given["MonitorName"],
            "MonitorType": kind,
            "CreationDate": today,
            "LastUpdatedDate": today,
        }
        if kind == "DIMENSIONAL":
            monitor["MonitorDimension"] = dimension
        else:
            monitor["MonitorSpecification"] = given["MonitorSpecification"]
        monitors[arn] = monitor
        self.ce_backend.tag_resource(arn, request.get("ResourceTags") or [])
        return json.dumps({"MonitorArn": arn})

    def get_anomaly_monitors(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        wanted = request.get("MonitorArnList") or []
        everything = _cost_explorer_store(self, ANOMALY_MONITOR_KIND).values()
        monitors = [find(self, arn) for arn in wanted] if wanted else list(everything)
        page = _cost_explorer_page(monitors, request, "NextPageToken")
        return json.dumps({"AnomalyMonitors": page.pop("items"), **page})

    def update_anomaly_monitor(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        monitor = find(self, request.get("MonitorArn", ""))
        if request.get("MonitorName"):
            monitor["MonitorName"] = request["MonitorName"]
        monitor["LastUpdatedDate"] = _cost_explorer_today()
        return json.dumps({"MonitorArn": monitor["MonitorArn"]})

    def delete_anomaly_monitor(self: CostExplorerResponse) -> str:
        monitor = find(self, _cost_explorer_request(self).get("MonitorArn", ""))
        del _cost_explorer_store(self, ANOMALY_MONITOR_KIND)[monitor["MonitorArn"]]
        self.ce_backend.tagger.delete_all_tags_for_resource(monitor["MonitorArn"])
        return "{}"

    for handler in (create_anomaly_monitor, get_anomaly_monitors, update_anomaly_monitor, delete_anomaly_monitor):
        setattr(CostExplorerResponse, handler.__name__, handler)


def _fill_anomaly_subscriptions() -> None:
    """moto 5.2.1's Cost Explorer has no anomaly subscriptions: Create, Get, Update and Delete
    answer here from memory, per account; tags live in moto's CE tag store.

    As on AWS: the ARN is `arn:aws:ce::<account>:anomalysubscription/<uuid>`; its monitors must
    exist (`UnknownMonitorException`); the frequency is DAILY, IMMEDIATE or WEEKLY, and an SNS
    subscriber takes IMMEDIATE only; the account id defaults to the caller's; an unknown ARN is an
    `UnknownSubscriptionException`. Call after `_fill_anomaly_monitors` (whose monitors it checks).
    """
    import uuid

    from moto.ce.responses import CostExplorerResponse

    def find(self: CostExplorerResponse, arn: str) -> dict[str, Any]:
        found = _cost_explorer_store(self, ANOMALY_SUBSCRIPTION_KIND).get(arn)
        if found is None:
            raise _cost_explorer_error(
                "UnknownSubscriptionException", f"Cost anomaly subscription {arn} does not exist."
            )
        return found

    def check(self: CostExplorerResponse, subscription: dict[str, Any]) -> None:
        monitors = _cost_explorer_store(self, ANOMALY_MONITOR_KIND)
        for arn in subscription.get("MonitorArnList") or []:
            if arn not in monitors:
                raise _cost_explorer_error("UnknownMonitorException", f"Cost anomaly monitor {arn} does not exist.")
        if not subscription.get("MonitorArnList") or not subscription.get("SubscriptionName"):
            raise _cost_explorer_error("ValidationException", "A subscription needs a name and monitors.")
        if subscription.get("Frequency") not in SUBSCRIPTION_FREQUENCIES:
            raise _cost_explorer_error(
                "ValidationException", f"Frequency must be one of {', '.join(sorted(SUBSCRIPTION_FREQUENCIES))}."
            )
        subscribers = subscription.get("Subscribers") or []
        if not subscribers or any(s.get("Type") not in SUBSCRIBER_TYPES for s in subscribers):
            raise _cost_explorer_error("ValidationException", "Subscribers must be of type EMAIL or SNS.")
        if subscription["Frequency"] != "IMMEDIATE" and any(s["Type"] == "SNS" for s in subscribers):
            raise _cost_explorer_error("ValidationException", "SNS subscribers take the frequency IMMEDIATE only.")
        if subscription.get("Threshold") is None and not subscription.get("ThresholdExpression"):
            raise _cost_explorer_error("ValidationException", "A subscription needs a ThresholdExpression.")

    def create_anomaly_subscription(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        given: dict[str, Any] = request.get("AnomalySubscription") or {}
        arn = f"arn:aws:ce::{self.current_account}:{ANOMALY_SUBSCRIPTION_KIND}/{uuid.uuid4()}"
        subscription = {**given, "SubscriptionArn": arn, "AccountId": given.get("AccountId") or self.current_account}
        check(self, subscription)
        _cost_explorer_store(self, ANOMALY_SUBSCRIPTION_KIND)[arn] = subscription
        self.ce_backend.tag_resource(arn, request.get("ResourceTags") or [])
        return json.dumps({"SubscriptionArn": arn})

    def get_anomaly_subscriptions(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        wanted = request.get("SubscriptionArnList") or []
        everything = _cost_explorer_store(self, ANOMALY_SUBSCRIPTION_KIND).values()
        subscriptions = [find(self, arn) for arn in wanted] if wanted else list(everything)
        if request.get("MonitorArn"):
            subscriptions = [s for s in subscriptions if request["MonitorArn"] in s["MonitorArnList"]]
        page = _cost_explorer_page(subscriptions, request, "NextPageToken")
        return json.dumps({"AnomalySubscriptions": page.pop("items"), **page})

    def update_anomaly_subscription(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        subscription = find(self, request.get("SubscriptionArn", ""))
        fields = ("Threshold", "Frequency", "MonitorArnList", "Subscribers", "SubscriptionName", "ThresholdExpression")
        updated = {**subscription, **{key: request[key] for key in fields if request.get(key) is not None}}
        check(self, updated)
        subscription.update(updated)
        return json.dumps({"SubscriptionArn": subscription["SubscriptionArn"]})

    def delete_anomaly_subscription(self: CostExplorerResponse) -> str:
        subscription = find(self, _cost_explorer_request(self).get("SubscriptionArn", ""))
        del _cost_explorer_store(self, ANOMALY_SUBSCRIPTION_KIND)[subscription["SubscriptionArn"]]
        self.ce_backend.tagger.delete_all_tags_for_resource(subscription["SubscriptionArn"])
        return "{}"

    for handler in (
        create_anomaly_subscription,
        get_anomaly_subscriptions,
        update_anomaly_subscription,
        delete_anomaly_subscription,
    ):
        setattr(CostExplorerResponse, handler.__name__, handler)


def _fill_cost_allocation_tags() -> None:
    """moto 5.2.1's Cost Explorer has no cost-allocation tags: `UpdateCostAllocationTagsStatus`
    and `ListCostAllocationTags` answer here from memory, per account. A key whose status was
    set is listed with it (`Active` or `Inactive`, `AWSGenerated` if it starts with `aws:`, else
    `UserDefined`), filtered by keys, status and type as on AWS; at most 20 keys per update.

    Fidelity limit: AWS knows a key only once it has appeared on a resource (up to a day after),
    and refuses others; the emulator accepts every key."""
    from moto.ce.responses import CostExplorerResponse

    def update_cost_allocation_tags_status(self: CostExplorerResponse) -> str:
        entries = _cost_explorer_request(self).get("CostAllocationTagsStatus") or []
        if not 1 <= len(entries) <= COST_ALLOCATION_TAGS_PER_UPDATE:
            raise _cost_explorer_error(
                "ValidationException", f"Give 1 to {COST_ALLOCATION_TAGS_PER_UPDATE} cost allocation tag statuses."
            )
        for entry in entries:
            if not entry.get("TagKey") or entry.get("Status") not in COST_ALLOCATION_TAG_STATUSES:
                raise _cost_explorer_error(
                    "ValidationException", "Each entry needs a TagKey and a Status of Active or Inactive."
                )
        tags = _cost_explorer_store(self, "costallocationtag")
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for entry in entries:
            key = entry["TagKey"]
            tags[key] = {
                "TagKey": key,
                "Type": "AWSGenerated" if key.startswith("aws:") else "UserDefined",
                "Status": entry["Status"],
                "LastUpdatedDate": now,
            }
        return json.dumps({"Errors": []})

    def list_cost_allocation_tags(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        keys = request.get("TagKeys")
        tags = [
            tag
            for tag in _cost_explorer_store(self, "costallocationtag").values()
            if (not keys or tag["TagKey"] in keys)
            and request.get("Status") in (None, tag["Status"])
            and request.get("Type") in (None, tag["Type"])
        ]
        page = _cost_explorer_page(tags, request, "NextToken")
        return json.dumps({"CostAllocationTags": page.pop("items"), **page})

    for handler in (update_cost_allocation_tags_status, list_cost_allocation_tags):
        setattr(CostExplorerResponse, handler.__name__, handler)


def _write_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost; the CA bundle is the certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "autoscale-infra local AWS emulator")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def one_request_at_a_time(app: Callable[..., Any]) -> Callable[..., Any]:
    """moto 5.2.1's backends are not thread-safe: Terraform's parallel calls (ten at a time) can
    race in them (a 500 that the SDK retries into `Alias already exists`, or a duplicated policy
    statement). The server stays threaded so the liveness probe always gets an answer, but moto
    handles one request at a time; each is answered in milliseconds. The liveness probe
    (`HEALTH_PATH`, which reads moto's configuration only) does not wait for the others: a probe
    that timed out behind a slow call would make the CLI think the emulator gone."""
    lock = threading.Lock()

    def serialized(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            return list(app(environ, start_response))
        with lock:
            return list(app(environ, start_response))

    return serialized


ANSWERS_KEPT = 4096
"""How many answers to writing calls the emulator keeps for their retries (a few applies' worth)."""


def retried_calls_get_their_first_answer(app: Callable[..., Any]) -> Callable[..., Any]:
    """A loaded machine can make moto answer a call after the AWS SDK gave up on it; the SDK then
    sends the call again (header `amz-sdk-request: attempt=2`, the same `amz-sdk-invocation-id`),
    and moto, which already carried out the first attempt, answers the retry "already exists"
    (`DuplicateRecordException` for a budget, `UserGroupAlreadyExists`, `Alias already exists`),
    where AWS would have answered the first attempt in time. Here a retried writing call whose first
    attempt succeeded gets that answer and is not carried out twice (a failed first attempt is
    retried as before); the replay is logged."""
    answers: OrderedDict[str, tuple[str, list[tuple[str, str]], bytes]] = OrderedDict()

    def replaying(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not invocation or environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD"):
            return list(app(environ, start_response))
        if invocation in answers:
            status, headers, body = answers[invocation]
            print(f"emulator: replayed the first answer ({status}) to a retried call {invocation}", file=sys.stderr)
            start_response(status, headers)
            return [body]
        started: list[tuple[str, list[tuple[str, str]]]] = []

        def keep(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            started.append((status, list(headers)))
            return start_response(status, headers, *args)

        body = b"".join(app(environ, keep))
        if started and started[0][0].startswith("2"):
            answers[invocation] = (started[0][0], started[0][1], body)
            while len(answers) > ANSWERS_KEPT:
                answers.popitem(last=False)
        return [body]

    return replaying


def serve(port: int, cert: Path, key: Path) -> None:
    """Run moto in this process until terminated."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    _evaluate_secure_transport_conditions()
    _budgets_describe_subscribers_and_keep_tags()
    _fill_composite_alarms()
    _fill_cache_parameter_groups()
    _fill_replication_group_members()
    _cache_members_echo_encryption_and_security_groups()
    _replication_groups_can_be_modified()
    _fill_user_groups()
    _fill_serverless_caches()
    _fill_cloudfront_policies()
    _cloudfront_distribution_arns_have_an_empty_region()
    _lambda_permissions_are_removed_where_they_were_added()
    _application_auto_scaling_keeps_tags()
    _application_auto_scaling_knows_elasticache()
    _fill_cloudfront_monitoring_subscriptions()
    _security_group_rules_echo_descriptions()
    _lambda_functions_echo_their_kms_key()
    _lambda_functions_echo_their_dead_letter_target()
    _db_instances_keep_insights_and_monitoring()
    _db_instances_have_resource_ids_of_their_own()
    _db_instances_keep_their_managed_secret()
    _db_parameters_set_by_the_user_say_so()
    _s3_has_one_canonical_owner()
    _cloudfront_distributions_echo_their_config()
    _fill_anomaly_monitors()
    _fill_anomaly_subscriptions()
    _fill_cost_allocation_tags()
    application = one_request_at_a_time(
        retried_calls_get_their_first_answer(DomainDispatcherApplication(create_backend_app))
    )
    run_simple(HOST, port, application, threaded=True, ssl_context=(str(cert), str(key)))


def _remove(directory: Path, path: Path) -> None:
    """Delete `path`, one of the emulator's own files directly in `directory`; refuse any other."""
    if path.name not in OWN_FILES or path.parent.resolve() != directory.resolve():
        raise UserError(f"the emulator deletes only its own files in {directory}, not {path}")
    path.unlink(missing_ok=True)  # a symbolic link goes, never what it points to


def _check_own(directory: Path) -> None:
    """Refuse a folder that holds anything but the emulator's own files."""
    foreign = sorted(entry.name for entry in directory.iterdir() if entry.name not in OWN_FILES)
    if foreign:
        shown = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
        raise UserError(
            f"{directory} is not the emulator's folder: it holds {shown}; the emulator writes (and deletes) "
            f"only {', '.join(sorted(OWN_FILES))}. Set AUTOSCALE_EMULATOR_DIR to an empty or new folder"
        )


def _clear(directory: Path) -> None:
    """Empty the emulator's folder (created if missing) of its own files but the previous log, after
    `_check_own`."""
    directory.mkdir(parents=True, exist_ok=True)
    _check_own(directory)
    for name in OWN_FILES - {PREVIOUS_LOG}:
        _remove(directory, directory / name)


def _start_time(pid: int) -> int | None:
    """The process's start time (clock ticks after boot, /proc/<pid>/stat field 22); None off Linux."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[19])


def _command_line(pid: int) -> list[str] | None:
    """The process's arguments (/proc on Linux, else `ps`); None if it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").rstrip("\0").split("\0")
    except FileNotFoundError:
        if Path("/proc/self").exists():
            return None
    except OSError:
        return None
    found = subprocess.run(["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, check=False)
    return found.stdout.split() if found.returncode == 0 and found.stdout.strip() else None


def _contains(arguments: list[str], *sequence: str) -> bool:
    return any(arguments[i : i + len(sequence)] == list(sequence) for i in range(len(arguments)))


def is_emulator(pid: int, port: int, started: int | None) -> bool:
    """Whether `pid` is still the emulator recorded with `port` and start time `started`."""
    if not _is_alive(pid):
        return False
    arguments = _command_line(pid)
    if arguments is None or not (
        _contains(arguments, "-m", "cli.emulator", "serve") and _contains(arguments, "--port", str(port))
    ):
        return False
    return started is None or _start_time(pid) in (None, started)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _is_alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, exited but not yet reaped by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): the signal's answer
    return stat[stat.rindex(")") + 2 :].split()[0] != "Z"


def _responds(emulator: Emulator) -> bool:
    """Any HTTP answer means moto is up."""
    try:
        context = ssl.create_default_context(cafile=str(emulator.ca_bundle))
        with urllib.request.urlopen(f"{emulator.endpoint}{HEALTH_PATH}", timeout=1, context=context):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def running(directory: Path, patience_seconds: float = BUSY_PATIENCE_SECONDS) -> Emulator | None:
    """The emulator recorded in `directory`, if it still runs. One whose process lives but does not
    answer is waited for (up to `patience_seconds`), never taken for gone: replacing it would throw
    away every resource it holds."""
    record = directory / RECORD
    if not record.exists():
        return None
    data = json.loads(record.read_text())
    emulator = Emulator(pid=data["pid"], port=data["port"], ca_bundle=Path(data["ca_bundle"]))
    deadline = time.monotonic() + patience_seconds
    while is_emulator(emulator.pid, emulator.port, data.get("started")):
        if _responds(emulator):
            return emulator
        if time.monotonic() > deadline:
            raise UserError(
                f"the local AWS emulator (process {emulator.pid}, {emulator.endpoint}) runs but has not answered "
                f"for {patience_seconds:.0f} s; see {directory / LOG}. `make emulator-stop` discards it and "
                "everything it holds"
            )
        time.sleep(0.5)
    return None


def start(directory: Path, timeout_seconds: float = 30) -> Emulator:
    """Start a fresh emulator recorded in `directory` (emptied first: its state died with the old one)."""
    if directory.is_dir():
        _check_own(directory)  # before stopping anything
    stop(directory)
    if (directory / LOG).exists():
        (directory / LOG).replace(directory / PREVIOUS_LOG)  # why the old one ended, for whoever asks
    _clear(directory)
    cert, key = _write_certificate(directory)
    port = _free_port()
    log = (directory / LOG).open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.emulator", "serve", "--port", str(port), "--cert", str(cert), "--key", str(key)],
        cwd=Path(__file__).resolve().parent.parent,
        env=isolated_environment({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    emulator = Emulator(pid=process.pid, port=port, ca_bundle=cert)
    deadline = time.monotonic() + timeout_seconds
    while not _responds(emulator):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the local AWS emulator did not start; see {directory / 'moto.log'}")
        time.sleep(0.1)
    record = {"pid": process.pid, "port": port, "ca_bundle": str(cert), "started": _start_time(process.pid)}
    (directory / RECORD).write_text(json.dumps(record, indent=2) + "\n")
    return emulator


def ensure(directory: Path) -> tuple[Emulator, bool]:
    """The running emulator, or a new one; the flag says whether it was just started."""
    current = running(directory)
    return (current, False) if current else (start(directory), True)


def stop(directory: Path) -> bool:
    """Stop the emulator recorded in `directory`; True if one was running.

    A recorded PID that is no longer the emulator (it exited and the PID was reused) is not
    touched: only the record goes.
    """
    record = directory / RECORD
    if not record.exists():
        return False
    data = json.loads(record.read_text())
    pid = int(data["pid"])
    _remove(directory, record)
    if not is_emulator(pid, int(data["port"]), data.get("started")):
        return False
    try:
        if os.getpgid(pid) != pid:  # `start` made it a session (and group) leader
            return False
    except OSError:
        return False
    os.killpg(pid, signal.SIGTERM)
    for _ in range(50):
        if not _is_alive(pid):
            break
        time.sleep(0.1)
    else:
        os.killpg(pid, signal.SIGKILL)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.emulator")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run moto in the foreground (used by `start`)")
    serve_parser.add_argument("--port", type=int, required=True)
    serve_parser.add_argument("--cert", type=Path, required=True)
    serve_parser.add_argument("--key", type=Path, required=True)
    args = parser.parse_args(argv)
    serve(args.port, args.cert, args.key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
