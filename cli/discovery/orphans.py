"""Orphans: resources a plan would create that already exist under the stack's names, but not in its state.

An apply that is killed (SIGKILL, a dead CI runner) has created resources it could not record:
Terraform writes the state every 20 s during an apply and at its end, so what was created in the
last seconds, and what was still being created (a database, a cache), exists but is not in the
state. The next apply would create them again: AWS refuses a second budget, DB instance, cache,
role, log group… of the same name, and duplicates a VPC or subnet that has none.

`find` looks, for every planned *create* of a type in `LOOKUPS` (those whose identity is a name,
or a `Name` tag, the stack chooses), whether the target already has it, with read-only calls
through the discovery's `AwsReader` (its DB instance, proxy, cache and distribution readers too).
A found resource is adoptable only if it is unambiguous and this environment's: tagged
`Environment=<env>`, or, with no tags at all (an untaggable type, or a create interrupted before
its tagging call), named with the stack's `<namespace>-<env>-<service>` prefix (`Context.id`
reserves it to the stack); a tag of another environment, or tags without this one, refuse it.
`render_json` writes the adoptable ones as Terraform `import` blocks; nothing is adopted unless
the user asks (`make plan … IMPORT=yes`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cli.discovery import inventory
from cli.discovery.aws import AwsReader, ClientFactory
from cli.discovery.imports import ImportCandidate
from cli.discovery.inventory import ENVIRONMENT_TAG, Classifier
from cli.discovery.model import Gap

_NOT_FOUND = frozenset({"ResourceNotFoundException"})
UNKNOWN = object()
"""A planned argument that is known only after apply (and no resource found here gives it)."""


@dataclass(frozen=True)
class Existing:
    """A resource the target has: its import id, what names it, its tags (`None`: the type has
    none, or they could not be read)."""

    import_id: str
    label: str
    tags: Mapping[str, str] | None
    target_key_id: str | None = None
    """A KMS alias's key: the key is adopted with its alias (a key has no name to look it up by)."""


@dataclass(frozen=True)
class Orphan:
    address: str
    resource_type: str
    import_id: str
    label: str
    adoptable: bool
    reason: str
    """Why it is (`tagged Environment=dev`) or is not (`tagged Environment=staging`) this stack's."""

    @property
    def candidate(self) -> ImportCandidate:
        return ImportCandidate(self.resource_type, self.import_id, (), self.address)


@dataclass(frozen=True)
class Found:
    orphans: tuple[Orphan, ...]
    gaps: tuple[Gap, ...]
    checked: int
    """Planned creates that were looked up."""

    @property
    def adoptable(self) -> tuple[Orphan, ...]:
        return tuple(o for o in self.orphans if o.adoptable)


@dataclass
class _Context:
    env: str
    prefix: str
    classifier: Classifier
    readers: dict[str, AwsReader]
    home_region: str
    _account_id: str | None = None
    _cache: dict[tuple[str, ...], Any] = field(default_factory=dict)

    @property
    def account_id(self) -> str | None:
        if self._account_id is None:
            identity = self.readers[self.home_region].call("sts", "get_caller_identity")
            self._account_id = str(identity["Account"]) if identity else None
        return self._account_id

    def once(self, key: tuple[str, ...], compute: Callable[[], Any]) -> Any:
        """A listing read once per plan (aliases, CloudFront policies, distributions)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def function_tags(self, reader: AwsReader, name: str) -> Mapping[str, str] | None:
        """The tags of Lambda function `name` (an alias, URL or permission is its function's)."""

        def read() -> Mapping[str, str] | None:
            response = reader.call("lambda", "get_function", absent_codes=_NOT_FOUND, FunctionName=name)
            return None if not response else dict(response.get("Tags") or {})

        tags: Mapping[str, str] | None = self.once(("function-tags", reader.region, name), read)
        return tags


Lookup = Callable[[AwsReader, Mapping[str, Any], _Context], list[Existing]]


def _text(after: Mapping[str, Any], key: str) -> str | None:
    value = after.get(key)
    return value if isinstance(value, str) and value else None


def _pairs(items: Iterable[Mapping[str, str]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {item[key]: item[value] for item in items or [] if key in item and value in item}


def _arn_tags(reader: AwsReader, service: str, arn: str) -> Mapping[str, str] | None:
    """`ListTagsForResource(ResourceName=arn)` of RDS and ElastiCache."""
    response = reader.call(service, "list_tags_for_resource", ResourceName=arn)
    return None if response is None else _pairs(response.get("TagList"))


# --- lookups, one per resource type -----------------------------------------------------------


def _budget(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    name, account = _text(after, "name"), ctx.account_id
    if not name or not account:
        return []
    found = reader.call(
        "budgets", "describe_budget", absent_codes=frozenset({"NotFoundException"}), AccountId=account, BudgetName=name
    )
    if not found:
        return []
    tags = reader.call("budgets", "list_tags_for_resource", ResourceARN=f"arn:aws:budgets::{account}:budget/{name}")
    return [Existing(f"{account}:{name}", name, None if tags is None else _pairs(tags.get("ResourceTags")))]


def _db_instance(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    identifier = _text(after, "identifier")
    if not identifier:
        return []
    found = inventory.db_instances(reader, ctx.classifier, identifier)
    return [Existing(db.identifier, db.identifier, db.tags) for db in found if db.identifier == identifier]


def _db_proxy(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    name = _text(after, "name")
    if not name:
        return []
    return [
        Existing(p.name, p.name, p.tags) for p in inventory.db_proxies(reader, ctx.classifier, name) if p.name == name
    ]


def _replication_group(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    group_id = _text(after, "replication_group_id")
    if not group_id:
        return []
    found = inventory.replication_groups(reader, ctx.classifier, group_id)
    return [Existing(g.replication_group_id, g.replication_group_id, g.tags) for g in found]


def _named_rds_group(kind: str, listing: str, result: str, absent: str) -> Lookup:
    """DB parameter and subnet groups: `Describe…(DB…GroupName=name)` and the group's ARN tags."""

    def lookup(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
        name = _text(after, "name")
        if not name:
            return []
        params: dict[str, Any] = {f"DB{kind}GroupName": name}
        groups = reader.items("rds", listing, result, absent_codes=frozenset({absent}), **params) or []
        return [
            Existing(name, name, _arn_tags(reader, "rds", g[f"DB{kind}GroupArn"]))
            for g in groups
            if g.get(f"DB{kind}GroupName") == name
        ]

    return lookup


def _db_proxy_target(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    proxy, group = _text(after, "db_proxy_name"), _text(after, "target_group_name")
    instance = _text(after, "db_instance_identifier")
    if not proxy or not group or not instance or not inventory.db_proxies(reader, ctx.classifier, proxy):
        return []
    absent = frozenset({"DBProxyNotFoundFault", "DBProxyTargetGroupNotFoundFault", "DBProxyTargetNotFoundFault"})
    targets = reader.call(
        "rds", "describe_db_proxy_targets", absent_codes=absent, DBProxyName=proxy, TargetGroupName=group
    )
    return [
        Existing(f"{proxy}/{group}/RDS_INSTANCE/{instance}", f"{proxy} → {instance}", None)
        for t in (targets or {}).get("Targets", [])
        if t.get("RdsResourceId") == instance and t.get("Type", "RDS_INSTANCE") == "RDS_INSTANCE"
    ]


def _cache_named(listing: str, result: str, parameter: str, attribute: str, absent: str, arn_key: str) -> Lookup:
    """ElastiCache parameter and subnet groups, serverless caches, users and user groups: by name, with
    their ARN's tags."""

    def lookup(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
        name = _text(after, attribute)
        if not name:
            return []
        response = reader.call("elasticache", listing, absent_codes=frozenset({absent}), **{parameter: name})
        return [
            Existing(name, name, _arn_tags(reader, "elasticache", item[arn_key]) if item.get(arn_key) else None)
            for item in (response or {}).get(result, [])
            if item.get(parameter) == name
        ]

    return lookup


def _lambda_function(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    name = _text(after, "function_name")
    if not name:
        return []
    response = reader.call("lambda", "get_function", absent_codes=_NOT_FOUND, FunctionName=name)
    return [Existing(name, name, dict(response.get("Tags") or {}))] if response else []


def _lambda_alias(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    function, name = _text(after, "function_name"), _text(after, "name")
    if not function or not name:
        return []
    if not reader.call("lambda", "get_alias", absent_codes=_NOT_FOUND, FunctionName=function, Name=name):
        return []
    return [Existing(f"{function}/{name}", f"{function}:{name}", ctx.function_tags(reader, function))]


def _lambda_function_url(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    function, qualifier = _text(after, "function_name"), _text(after, "qualifier")
    if not function:
        return []
    params = {"FunctionName": function, **({"Qualifier": qualifier} if qualifier else {})}
    if not reader.call("lambda", "get_function_url_config", absent_codes=_NOT_FOUND, **params):
        return []
    import_id = f"{function}/{qualifier}" if qualifier else function
    return [Existing(import_id, f"the URL of {function}:{qualifier or '$LATEST'}", ctx.function_tags(reader, function))]


def _lambda_permission(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    function, statement = _text(after, "function_name"), _text(after, "statement_id")
    qualifier = _text(after, "qualifier")
    if not function or not statement:
        return []
    params = {"FunctionName": function, **({"Qualifier": qualifier} if qualifier else {})}
    response = reader.call("lambda", "get_policy", absent_codes=_NOT_FOUND, **params)
    if not response:
        return []
    statements = json.loads(response.get("Policy") or "{}").get("Statement", [])
    if not any(s.get("Sid") == statement for s in statements):
        return []
    qualified = f"{function}:{qualifier}" if qualifier else function
    return [Existing(f"{qualified}/{statement}", f"{qualified} {statement}", ctx.function_tags(reader, function))]


def _iam_role(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    name = _text(after, "name")
    if not name:
        return []
    response = reader.call("iam", "get_role", absent_codes=frozenset({"NoSuchEntity"}), RoleName=name)
    return [Existing(name, name, _pairs(response["Role"].get("Tags")))] if response else []


def _log_group(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    name = _text(after, "name")
    if not name:
        return []
    groups = reader.items("logs", "describe_log_groups", "logGroups", logGroupNamePrefix=name) or []
    if not any(g.get("logGroupName") == name for g in groups):
        return []
    tags = reader.call("logs", "list_tags_log_group", logGroupName=name)
    return [Existing(name, name, None if tags is None else dict(tags.get("tags") or {}))]


def _sqs_queue(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    name = _text(after, "name")
    if not name:
        return []
    absent = frozenset({"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"})
    response = reader.call("sqs", "get_queue_url", absent_codes=absent, QueueName=name)
    if not response:
        return []
    url = str(response["QueueUrl"])
    tags = reader.call("sqs", "list_queue_tags", QueueUrl=url)
    return [Existing(url, name, None if tags is None else dict(tags.get("Tags") or {}))]


def _scheduler_schedule(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    """A schedule has no tags (EventBridge Scheduler tags its groups only): it is adopted by its name."""
    name, group = _text(after, "name"), _text(after, "group_name") or "default"
    if not name:
        return []
    response = reader.call("scheduler", "get_schedule", absent_codes=_NOT_FOUND, Name=name, GroupName=group)
    return [Existing(f"{group}/{name}", name, None)] if response else []


def _kms_alias(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    name = _text(after, "name")
    if not name:
        return []
    aliases = ctx.once(("kms-aliases", reader.region), lambda: reader.items("kms", "list_aliases", "Aliases") or [])
    found = []
    for alias in (a for a in aliases if a.get("AliasName") == name):
        key = alias.get("TargetKeyId")
        tags = reader.call("kms", "list_resource_tags", KeyId=key) if key else None
        pairs = None if tags is None else _pairs(tags.get("Tags"), "TagKey", "TagValue")
        found.append(Existing(name, name, pairs, target_key_id=key))
    return found


def _kms_key(reader: AwsReader, key_id: str) -> list[Existing]:
    """The key an adopted alias points at (not one pending deletion)."""
    described = reader.call("kms", "describe_key", absent_codes=frozenset({"NotFoundException"}), KeyId=key_id)
    metadata = (described or {}).get("KeyMetadata") or {}
    if not metadata or metadata.get("KeyState") in {"PendingDeletion", "PendingReplicaDeletion"}:
        return []
    tags = reader.call("kms", "list_resource_tags", KeyId=key_id)
    pairs = None if tags is None else _pairs(tags.get("Tags"), "TagKey", "TagValue")
    return [Existing(str(metadata["KeyId"]), f"{metadata['KeyId']} ({metadata.get('Description', '')})", pairs)]


def _s3_bucket(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    name = _text(after, "bucket")
    if not name:
        return []
    if not reader.call("s3", "get_bucket_location", absent_codes=frozenset({"NoSuchBucket"}), Bucket=name):
        return []
    tags = reader.call("s3", "get_bucket_tagging", absent_codes=frozenset({"NoSuchTagSet"}), Bucket=name)
    return [Existing(name, name, None if tags is None else _pairs(tags.get("TagSet")))]


def _ec2(
    kind: str, method: str, result: str, id_key: str, filters: Callable[[Mapping[str, Any]], dict[str, str]]
) -> Lookup:
    """Network resources, found by the filters their planned arguments give (all of them known)."""

    def lookup(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
        wanted = filters(after)
        if not wanted or not all(wanted.values()):
            return []
        listing = reader.items(
            "ec2", method, result, Filters=[{"Name": k, "Values": [v]} for k, v in sorted(wanted.items())]
        )
        described = ", ".join(wanted[k] for k in sorted(wanted))
        return [
            Existing(str(item[id_key]), f"{kind} {item[id_key]} ({described})", _pairs(item.get("Tags")))
            for item in listing or []
            if item.get("State", "available") not in {"deleted", "deleting"}
        ]

    return lookup


_security_group_by_name = _ec2(
    "security group",
    "describe_security_groups",
    "SecurityGroups",
    "GroupId",
    lambda a: {"vpc-id": _text(a, "vpc_id") or "", "group-name": _text(a, "name") or ""},
)


def allows_all_egress(group: Mapping[str, Any]) -> bool:
    """Whether a described security group still has AWS's default allow-all egress rule."""
    return any(
        rule.get("IpProtocol") == "-1" and any(r.get("CidrIp") == "0.0.0.0/0" for r in rule.get("IpRanges", []))
        for rule in group.get("IpPermissionsEgress", [])
    )


def _security_group(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    """A security group by VPC and name. The stack's groups allow only their own rules: one that
    still allows all egress (AWS gives a new group that rule; the provider removes it right after
    creating the group, and a create cancelled in between leaves it) says how to remove it, as the
    plan's gate refuses the adopted group with it (CKV_AWS_382) and Terraform does not manage it."""
    found = []
    for existing in _security_group_by_name(reader, after, ctx):
        groups = reader.items("ec2", "describe_security_groups", "SecurityGroups", GroupIds=[existing.import_id])
        if groups and allows_all_egress(groups[0]):
            revoke = (
                f"aws ec2 revoke-security-group-egress --group-id {existing.import_id} "
                "--ip-permissions IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]"
            )
            hint = f"; it still allows all egress, AWS's default rule: remove it with `{revoke}`"
            existing = Existing(existing.import_id, existing.label + hint, existing.tags, existing.target_key_id)
        found.append(existing)
    return found


def _security_group_rule(egress: bool) -> Lookup:
    """A rule of a security group (this stack's: in its state, or found here), by what it allows;
    it is this environment's as its group is."""

    def lookup(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
        group = _text(after, "security_group_id")
        if not group:
            return []
        rules = reader.items(
            "ec2",
            "describe_security_group_rules",
            "SecurityGroupRules",
            Filters=[{"Name": "group-id", "Values": [group]}],
        )
        wanted = {
            "IpProtocol": str(after.get("ip_protocol") or "-1"),
            "FromPort": after.get("from_port") if after.get("from_port") is not None else -1,
            "ToPort": after.get("to_port") if after.get("to_port") is not None else -1,
            "CidrIpv4": after.get("cidr_ipv4"),
            "CidrIpv6": after.get("cidr_ipv6"),
            "PrefixListId": after.get("prefix_list_id"),  # unknown while its VPC endpoint is to be created
            "ReferencedGroupId": after.get("referenced_security_group_id"),
        }

        def matches(seen: Mapping[str, Any]) -> bool:
            """Every argument equal; one known only after apply matches any value that is set."""
            return all(seen.get(k) is not None if v is UNKNOWN else seen.get(k) == v for k, v in wanted.items())

        found = []
        for rule in rules or []:
            seen = {**rule, "ReferencedGroupId": (rule.get("ReferencedGroupInfo") or {}).get("GroupId")}
            if bool(rule.get("IsEgress")) != egress or not matches(seen):
                continue
            tags: Mapping[str, str] | None = _pairs(rule.get("Tags"))
            if ENVIRONMENT_TAG not in (tags or {}):
                groups = reader.items("ec2", "describe_security_groups", "SecurityGroups", GroupIds=[group])
                tags = None if groups is None else _pairs((groups[0] if groups else {}).get("Tags"))
            ports = f"{wanted['IpProtocol']} {wanted['FromPort']}-{wanted['ToPort']}"
            label = f"{'egress' if egress else 'ingress'} rule {rule['SecurityGroupRuleId']} of {group} ({ports})"
            found.append(Existing(str(rule["SecurityGroupRuleId"]), label, tags))
        return found

    return lookup


def _name_tag(after: Mapping[str, Any]) -> str:
    tags = after.get("tags") or {}
    return str(tags.get("Name") or "") if isinstance(tags, dict) else ""


def _route_table_association(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    subnet, table = _text(after, "subnet_id"), _text(after, "route_table_id")
    if not subnet or not table:
        return []
    tables = reader.items(
        "ec2", "describe_route_tables", "RouteTables", Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
    )
    return [
        Existing(f"{subnet}/{table}", f"{subnet} → {table}", _pairs(t.get("Tags")))
        for t in tables or []
        if t.get("RouteTableId") == table
    ]


def _cloudfront_named(method: str, list_key: str, item_key: str | None, config_key: str | None) -> Lookup:
    """CloudFront policies and origin access controls (untaggable): by name, from one listing."""

    def lookup(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
        name = _text(after, "name")
        if not name:
            return []
        params: dict[str, Any] = {"Type": "custom"} if item_key else {}

        def listing() -> list[dict[str, Any]]:
            response = reader.call("cloudfront", method, **params)
            return list(((response or {}).get(list_key) or {}).get("Items") or [])

        found = []
        for item in ctx.once(("cloudfront", method), listing):
            body = item.get(item_key, {}) if item_key else item
            config = body.get(config_key, {}) if config_key else body
            if config.get("Name") == name:
                found.append(Existing(str(body["Id"]), name, None))
        return found

    return lookup


def _distribution(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    comment = _text(after, "comment")
    if not comment:
        return []
    every = ctx.once(("distributions",), lambda: inventory.distributions(reader, ctx.classifier))
    return [
        Existing(d.distribution_id, f"{d.distribution_id} ({comment})", d.tags) for d in every if d.comment == comment
    ]


def _web_acl(reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    name, scope = _text(after, "name"), _text(after, "scope")
    if not name or not scope:
        return []
    listing = reader.call("wafv2", "list_web_acls", Scope=scope)
    found = []
    for acl in (a for a in (listing or {}).get("WebACLs", []) if a.get("Name") == name):
        tags = reader.call("wafv2", "list_tags_for_resource", ResourceARN=acl["ARN"])
        tag_list = None if tags is None else (tags.get("TagInfoForResource") or {}).get("TagList")
        found.append(Existing(f"{acl['Id']}/{name}/{scope}", name, None if tags is None else _pairs(tag_list)))
    return found


_KMS_KEY = "aws_kms_key"
# Arguments a look-up needs that take another resource's id: unknown at plan time while that
# resource is to be created, known once it is found here (a subnet's VPC, found an orphan itself).
_ID_ARGUMENTS = {
    "aws_subnet": ("vpc_id",),
    "aws_security_group": ("vpc_id",),
    "aws_route_table": ("vpc_id",),
    "aws_vpc_endpoint": ("vpc_id",),
    "aws_route_table_association": ("subnet_id", "route_table_id"),
    "aws_vpc_security_group_ingress_rule": ("security_group_id", "referenced_security_group_id"),
    "aws_vpc_security_group_egress_rule": ("security_group_id", "referenced_security_group_id"),
}
LOOKUPS: dict[str, Lookup] = {
    "aws_budgets_budget": _budget,
    "aws_db_instance": _db_instance,
    "aws_db_proxy": _db_proxy,
    "aws_db_proxy_target": _db_proxy_target,
    "aws_db_parameter_group": _named_rds_group(
        "Parameter", "describe_db_parameter_groups", "DBParameterGroups", "DBParameterGroupNotFound"
    ),
    "aws_db_subnet_group": _named_rds_group(
        "Subnet", "describe_db_subnet_groups", "DBSubnetGroups", "DBSubnetGroupNotFoundFault"
    ),
    "aws_elasticache_replication_group": _replication_group,
    "aws_elasticache_parameter_group": _cache_named(
        "describe_cache_parameter_groups",
        "CacheParameterGroups",
        "CacheParameterGroupName",
        "name",
        "CacheParameterGroupNotFound",
        "ARN",
    ),
    "aws_elasticache_subnet_group": _cache_named(
        "describe_cache_subnet_groups",
        "CacheSubnetGroups",
        "CacheSubnetGroupName",
        "name",
        "CacheSubnetGroupNotFoundFault",
        "ARN",
    ),
    "aws_elasticache_serverless_cache": _cache_named(
        "describe_serverless_caches",
        "ServerlessCaches",
        "ServerlessCacheName",
        "name",
        "ServerlessCacheNotFoundFault",
        "ARN",
    ),
    "aws_elasticache_user": _cache_named("describe_users", "Users", "UserId", "user_id", "UserNotFound", "ARN"),
    "aws_elasticache_user_group": _cache_named(
        "describe_user_groups", "UserGroups", "UserGroupId", "user_group_id", "UserGroupNotFound", "ARN"
    ),
    "aws_lambda_function": _lambda_function,
    "aws_lambda_alias": _lambda_alias,
    "aws_lambda_function_url": _lambda_function_url,
    "aws_lambda_permission": _lambda_permission,
    "aws_iam_role": _iam_role,
    "aws_cloudwatch_log_group": _log_group,
    "aws_sqs_queue": _sqs_queue,
    "aws_scheduler_schedule": _scheduler_schedule,
    "aws_kms_alias": _kms_alias,
    "aws_s3_bucket": _s3_bucket,
    "aws_vpc": _ec2("VPC", "describe_vpcs", "Vpcs", "VpcId", lambda a: {"tag:Name": _name_tag(a)}),
    "aws_subnet": _ec2(
        "subnet",
        "describe_subnets",
        "Subnets",
        "SubnetId",
        lambda a: {"vpc-id": _text(a, "vpc_id") or "", "cidr-block": _text(a, "cidr_block") or ""},
    ),
    "aws_security_group": _security_group,
    "aws_route_table": _ec2(
        "route table",
        "describe_route_tables",
        "RouteTables",
        "RouteTableId",
        lambda a: {"vpc-id": _text(a, "vpc_id") or "", "tag:Name": _name_tag(a)},
    ),
    "aws_route_table_association": _route_table_association,
    "aws_vpc_security_group_ingress_rule": _security_group_rule(egress=False),
    "aws_vpc_security_group_egress_rule": _security_group_rule(egress=True),
    "aws_vpc_endpoint": _ec2(
        "VPC endpoint",
        "describe_vpc_endpoints",
        "VpcEndpoints",
        "VpcEndpointId",
        lambda a: {"vpc-id": _text(a, "vpc_id") or "", "service-name": _text(a, "service_name") or ""},
    ),
    "aws_cloudfront_cache_policy": _cloudfront_named(
        "list_cache_policies", "CachePolicyList", "CachePolicy", "CachePolicyConfig"
    ),
    "aws_cloudfront_origin_request_policy": _cloudfront_named(
        "list_origin_request_policies", "OriginRequestPolicyList", "OriginRequestPolicy", "OriginRequestPolicyConfig"
    ),
    "aws_cloudfront_response_headers_policy": _cloudfront_named(
        "list_response_headers_policies",
        "ResponseHeadersPolicyList",
        "ResponseHeadersPolicy",
        "ResponseHeadersPolicyConfig",
    ),
    "aws_cloudfront_origin_access_control": _cloudfront_named(
        "list_origin_access_controls", "OriginAccessControlList", None, None
    ),
    "aws_cloudfront_distribution": _distribution,
    "aws_wafv2_web_acl": _web_acl,
}


# --- the plan's creates, and the verdict ------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    address: str
    resource_type: str
    after: dict[str, Any]
    region: str
    references: dict[str, str]
    """Argument → the `<address>.id` it takes, for arguments unknown until that resource exists."""
    uses: tuple[str, ...] = ()
    """Every resource address its arguments refer to."""
    unknown: tuple[str, ...] = ()
    """Its arguments known only after apply."""


def planned_creates(plan_json: Mapping[str, Any], home_region: str) -> list[Planned]:
    """Each planned create of a type in `LOOKUPS`, with the region of its provider."""
    configuration = plan_json.get("configuration", {})
    regions = {
        key: str(((provider.get("expressions") or {}).get("region") or {}).get("constant_value") or home_region)
        for key, provider in (configuration.get("provider_config") or {}).items()
    }
    resources = {r["address"]: r for r in (configuration.get("root_module") or {}).get("resources", [])}
    found = []
    for change in plan_json.get("resource_changes", []):
        if change.get("mode") != "managed" or (change["type"] not in LOOKUPS and change["type"] != _KMS_KEY):
            continue
        if change["change"]["actions"] != ["create"] or change["change"].get("importing"):
            continue
        config = resources.get(change["address"], {})
        unknown = change["change"].get("after_unknown") or {}
        references: dict[str, str] = {}
        uses: set[str] = set()
        for argument, expression in (config.get("expressions") or {}).items():
            if not isinstance(expression, dict):
                continue
            uses.update(r for r in expression.get("references", []) if r.count(".") == 1)
            targets = [r for r in expression.get("references", []) if r.endswith(".id")]
            needed = argument in _ID_ARGUMENTS.get(change["type"], ())
            if needed and unknown.get(argument) is True and targets:
                references[argument] = targets[0].removesuffix(".id")
        found.append(
            Planned(
                address=change["address"],
                resource_type=change["type"],
                after=dict(change["change"].get("after") or {}),
                region=regions.get(config.get("provider_config_key", "aws"), home_region),
                references=references,
                uses=tuple(sorted(uses)),
                unknown=tuple(sorted(k for k, v in unknown.items() if v is True)),
            )
        )
    return found


def _verdict(existing: list[Existing], ctx: _Context) -> tuple[bool, str]:
    """Adoptable: exactly one match, and this environment's by its `Environment` tag, or (with no
    tags at all: an untaggable type, or a create interrupted before its tagging call) by a name
    that carries the stack's prefix. A tag of another environment, or tags without this one, refuse."""
    if len(existing) > 1:
        return False, f"{len(existing)} resources match ({', '.join(e.import_id for e in existing)}): ambiguous"
    (one,) = existing
    if one.tags:
        value = next((v for k, v in one.tags.items() if k.lower() == ENVIRONMENT_TAG.lower()), None)
        if value == ctx.env:
            return True, f"tagged {ENVIRONMENT_TAG}={value}"
        if value is None:
            return False, f"tagged ({', '.join(sorted(one.tags))}) but not {ENVIRONMENT_TAG}={ctx.env}"
        return False, f"tagged {ENVIRONMENT_TAG}={value}, not {ctx.env}"
    if ctx.prefix not in one.label:
        return False, f"untagged, and not named with the stack's prefix {ctx.prefix}"
    if one.tags is None:
        return True, f"named with the stack's prefix {ctx.prefix}"
    return True, f"untagged (its create was interrupted before tagging), named with the stack's prefix {ctx.prefix}"


def _look_up(planned: Planned, reader: AwsReader, after: Mapping[str, Any], ctx: _Context) -> list[Existing]:
    """One look-up; an answer of an unexpected shape is a failed call (a gap), never a failed plan."""
    try:
        return LOOKUPS[planned.resource_type](reader, after, ctx)
    except (KeyError, IndexError, TypeError, ValueError) as error:
        reader.record_failure(planned.resource_type, f"looking up {planned.address} failed: {error!r}")
        return []


def find(
    plan_json: Mapping[str, Any],
    *,
    env: str,
    prefix: str,
    home_region: str,
    clients: Callable[[str], ClientFactory],
    classifier: Classifier | None = None,
) -> Found:
    """The planned creates that already exist, each with whether it may be adopted.

    `clients(region)` gives the client factory of a region. An argument unknown at plan time that
    takes the id of a resource found here (a subnet's `vpc_id`, of a VPC found) is filled with that
    id, and the resource looked up on a second round."""
    ctx = _Context(
        env=env,
        prefix=prefix,
        classifier=classifier or Classifier(environment=env, name_patterns={env: f"^{prefix}"}),
        readers={},
        home_region=home_region,
    )

    def reader(region: str) -> AwsReader:
        if region not in ctx.readers:
            ctx.readers[region] = AwsReader(clients(region), region=region)
        return ctx.readers[region]

    reader(home_region)
    pending = planned_creates(plan_json, home_region)
    keys = [p for p in pending if p.resource_type == _KMS_KEY]
    pending = [p for p in pending if p.resource_type != _KMS_KEY]
    orphans: dict[str, Orphan] = {}
    targets: dict[str, str] = {}  # adopted KMS alias → its key's id
    checked = 0

    def record(planned: Planned, existing: list[Existing]) -> None:
        adoptable, reason = _verdict(existing, ctx)
        orphans[planned.address] = Orphan(
            address=planned.address,
            resource_type=planned.resource_type,
            import_id=existing[0].import_id,
            label=existing[0].label,
            adoptable=adoptable,
            reason=reason,
        )
        if adoptable and existing[0].target_key_id:
            targets[planned.address] = existing[0].target_key_id

    # In dependency order: a resource that needs another planned create (its id, ARN or name)
    # which does not exist cannot exist either, and is not looked up; so a first plan of an empty
    # account asks only about the resources that need none (roles, the VPC, buckets, …).
    creates = {p.address for p in pending}
    found: dict[str, bool] = {}
    while pending:
        ready = [p for p in pending if all(a in found for a in p.uses if a in creates and a != p.address)]
        if not ready:
            break  # unreachable: Terraform's graph is acyclic
        for planned in ready:
            if not all(found[a] for a in planned.uses if a in creates and a != planned.address):
                found[planned.address] = False
                continue
            checked += 1
            after = {
                **planned.after,
                **dict.fromkeys(planned.unknown, UNKNOWN),
                **{k: orphans[a].import_id for k, a in planned.references.items() if a in orphans},
            }
            existing = _look_up(planned, reader(planned.region), after, ctx)
            found[planned.address] = bool(existing)
            if existing:
                record(planned, existing)
        pending = [p for p in pending if p not in ready]
    aliases = [p for p in planned_creates(plan_json, home_region) if p.address in targets]
    for key in keys:
        # A key has no name: it is the key of an alias adopted here, whose target it is planned to be.
        pointing = {targets[a.address] for a in aliases if key.address in a.uses}
        if len(pointing) == 1:
            checked += 1
            existing = _kms_key(reader(key.region), pointing.pop())
            if existing:
                record(key, existing)
    gaps = tuple(gap for r in ctx.readers.values() for gap in r.gaps)
    return Found(orphans=tuple(orphans.values()), gaps=gaps, checked=checked)


def render_json(orphans: Iterable[Orphan], *, environment: str, kept: Iterable[Mapping[str, str]] = ()) -> str:
    """Terraform JSON `import` blocks (Terraform ≥ 1.5) for the adoptable orphans, after the `kept`
    blocks (those an adopting plan used, which a next one needs as much)."""
    blocks = [{"to": str(b["to"]), "id": str(b["id"])} for b in kept]
    blocks += [{"to": o.address, "id": o.import_id} for o in orphans if o.adoptable]
    comment = (
        f"Resources of {environment} that exist but are not in its state, found by `make plan ENV={environment}`; "
        f"`make plan ENV={environment} IMPORT=yes` puts this file beside the stack for that plan (imports, not creates)"
    )
    return json.dumps({"//": comment, "import": blocks}, indent=2) + "\n"


def describe(found: Found, *, env: str, where: str, adopt_file: str, adopting: bool) -> str:
    """The message of a plan that found orphans: each one, why it is (not) adoptable, what to do."""
    lines = [
        f"{len(found.orphans)} resource(s) this plan of {env} would create already exist in {where} under the "
        "stack's names, but are not in its state (an apply that was killed or lost its state created them); "
        "creating them again would fail or duplicate them:"
    ]
    lines += [f"  {o.address}: {o.label} ({o.reason})" for o in found.adoptable]
    refused = [o for o in found.orphans if not o.adoptable]
    if found.adoptable:
        if adopting:
            lines.append(
                "They were found only now (once the resources adopted here were known); "
                f"{adopt_file} holds their import blocks after the ones this plan used."
            )
        lines += [
            f"Import blocks for them are in {adopt_file}. To adopt them (the plan then shows imports, not creates):",
            f"  make plan ENV={env} IMPORT=yes",
            f"then review that plan and `make apply ENV={env}`.",
        ]
    if refused:
        lines.append(
            f"Not adopted, as they may not be this stack's (check each: delete it, or tag it {ENVIRONMENT_TAG}={env} "
            "if it is; then plan again):"
        )
        lines += [f"  {o.address}: {o.label} ({o.reason})" for o in refused]
    return "\n".join(lines)
