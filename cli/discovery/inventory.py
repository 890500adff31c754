"""What exists in the account and region, each resource classified by environment."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from cli.discovery.aws import AwsReader
from cli.discovery.model import (
    UNCLASSIFIED,
    Alarm,
    Alias,
    Budget,
    Classification,
    DbInstance,
    DbProxy,
    Distribution,
    Inventory,
    LambdaFunction,
    ProvisionedConcurrency,
    ReplicationGroup,
    ScalableTarget,
    ScalingPolicy,
)

ENVIRONMENT_TAG = "Environment"
# Tag values teams use for our environment names.
_SYNONYMS = {"production": "prod", "prd": "prod", "stage": "staging", "stg": "staging", "development": "dev"}
_AUTOSCALING_NAMESPACES = ("lambda", "rds", "elasticache")


@dataclass(frozen=True)
class Classifier:
    """The `Environment` tag decides; without it, a name pattern per environment does."""

    environment: str
    name_patterns: Mapping[str, str]
    """Environment → regular expression a resource name of that environment matches."""

    @classmethod
    def for_context(
        cls, *, namespace: str, service: str, environment: str, environments: Iterable[str], pattern: str | None = None
    ) -> Classifier:
        """Names made by `Context.id` (`namespace-env-service…`); `pattern` overrides the target's."""
        patterns = {
            env: rf"^{re.escape(namespace)}-{re.escape(env)}-{re.escape(service)}(?:$|[-_.:])" for env in environments
        }
        if pattern:
            patterns[environment] = pattern
        return cls(environment=environment, name_patterns=patterns)

    def classify(self, name: str, tags: Mapping[str, str] | None = None) -> Classification:
        value = next((v for k, v in (tags or {}).items() if k.lower() == ENVIRONMENT_TAG.lower()), None)
        if value:
            return Classification(environment=_SYNONYMS.get(value.strip().lower(), value.strip().lower()), source="tag")
        for env, pattern in self.name_patterns.items():
            if re.search(pattern, name):
                return Classification(environment=env, source="name")
        return UNCLASSIFIED


def _tags(pairs: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    return {pair["Key"]: pair["Value"] for pair in pairs or []}


def collect(reader: AwsReader, classifier: Classifier, *, name_pattern: str) -> Inventory:
    """Read everything, service by service; a service that cannot be read leaves a gap, not a stop."""
    identity = reader.call("sts", "get_caller_identity")
    account_id = str(identity["Account"]) if identity else None
    functions = _lambda_functions(reader, classifier)
    databases = db_instances(reader, classifier)
    groups = replication_groups(reader, classifier)
    parents: dict[str, Classification] = {f.name: f.classification for f in functions}
    parents.update({d.identifier: d.classification for d in databases})
    parents.update({g.replication_group_id: g.classification for g in groups})
    return Inventory(
        environment=classifier.environment,
        region=reader.region,
        account_id=account_id,
        name_pattern=classifier.name_patterns[classifier.environment],
        lambda_functions=functions,
        scalable_targets=_scalable_targets(reader, classifier, parents),
        db_instances=databases,
        db_proxies=db_proxies(reader, classifier),
        replication_groups=groups,
        distributions=distributions(reader, classifier),
        alarms=_alarms(reader, classifier),
        budgets=_budgets(reader, classifier, account_id),
        gaps=reader.gaps,
    )


def _lambda_functions(reader: AwsReader, classifier: Classifier) -> tuple[LambdaFunction, ...]:
    found: list[LambdaFunction] = []
    for item in reader.items("lambda", "list_functions", "Functions") or []:
        name, arn = item["FunctionName"], item["FunctionArn"]
        tags_response = reader.call("lambda", "list_tags", Resource=arn)
        tags = dict(tags_response.get("Tags", {})) if tags_response else {}
        aliases = reader.items("lambda", "list_aliases", "Aliases", FunctionName=name) or []
        versions = reader.items("lambda", "list_versions_by_function", "Versions", FunctionName=name) or []
        concurrency = reader.call("lambda", "get_function_concurrency", FunctionName=name)
        provisioned = reader.items(
            "lambda", "list_provisioned_concurrency_configs", "ProvisionedConcurrencyConfigs", FunctionName=name
        )
        found.append(
            LambdaFunction(
                name=name,
                arn=arn,
                runtime=item.get("Runtime"),
                memory_mb=item.get("MemorySize"),
                tags=tags,
                classification=classifier.classify(name, tags),
                aliases=tuple(Alias(name=a["Name"], function_version=a["FunctionVersion"]) for a in aliases),
                versions=tuple(v["Version"] for v in versions if v["Version"] != "$LATEST"),
                reserved_concurrency=(concurrency or {}).get("ReservedConcurrentExecutions"),
                provisioned_concurrency=None
                if provisioned is None
                else tuple(
                    ProvisionedConcurrency(
                        qualifier=p["FunctionArn"].rsplit(":", 1)[-1],
                        requested=int(p.get("RequestedProvisionedConcurrentExecutions", 0)),
                        allocated=p.get("AllocatedProvisionedConcurrentExecutions"),
                        status=p.get("Status"),
                    )
                    for p in provisioned
                ),
            )
        )
    return tuple(found)


def _policy(item: Mapping[str, Any]) -> ScalingPolicy:
    tracking = item.get("TargetTrackingScalingPolicyConfiguration") or {}
    predefined = tracking.get("PredefinedMetricSpecification") or {}
    custom = tracking.get("CustomizedMetricSpecification") or {}
    return ScalingPolicy(
        name=item["PolicyName"],
        policy_type=item.get("PolicyType", ""),
        target_value=tracking.get("TargetValue"),
        metric=predefined.get("PredefinedMetricType") or custom.get("MetricName"),
    )


def _scalable_targets(
    reader: AwsReader, classifier: Classifier, parents: Mapping[str, Classification]
) -> tuple[ScalableTarget, ...]:
    found: list[ScalableTarget] = []
    for namespace in _AUTOSCALING_NAMESPACES:
        # A namespace the region (or emulator) does not offer is refused as invalid.
        targets = reader.items(
            "application-autoscaling",
            "describe_scalable_targets",
            "ScalableTargets",
            unavailable_codes=frozenset({"ValidationException"}),
            ServiceNamespace=namespace,
        )
        if not targets:
            continue
        policies = (
            reader.items(
                "application-autoscaling", "describe_scaling_policies", "ScalingPolicies", ServiceNamespace=namespace
            )
            or []
        )
        for item in targets:
            key = (item["ResourceId"], item["ScalableDimension"])
            target = ScalableTarget(
                service_namespace=namespace,
                resource_id=item["ResourceId"],
                scalable_dimension=item["ScalableDimension"],
                min_capacity=int(item["MinCapacity"]),
                max_capacity=int(item["MaxCapacity"]),
                classification=UNCLASSIFIED,
                policies=tuple(_policy(p) for p in policies if (p["ResourceId"], p["ScalableDimension"]) == key),
            )
            parent = parents.get(target.resource_name)
            classification = (
                Classification(environment=parent.environment, source="parent")
                if parent and parent.environment
                else classifier.classify(target.resource_name)
            )
            found.append(replace(target, classification=classification))
    return tuple(found)


def db_instances(reader: AwsReader, classifier: Classifier, identifier: str | None = None) -> tuple[DbInstance, ...]:
    """Every DB instance, or the one named `identifier` (none if it does not exist)."""
    found: list[DbInstance] = []
    lookup: dict[str, Any] = {"DBInstanceIdentifier": identifier} if identifier else {}
    absent = frozenset({"DBInstanceNotFound", "DBInstanceNotFoundFault"})
    for item in reader.items("rds", "describe_db_instances", "DBInstances", absent_codes=absent, **lookup) or []:
        tags = _tags(item.get("TagList"))
        identifier = item["DBInstanceIdentifier"]
        found.append(
            DbInstance(
                identifier=identifier,
                arn=item["DBInstanceArn"],
                engine=item.get("Engine", ""),
                instance_class=item.get("DBInstanceClass", ""),
                allocated_storage_gib=int(item.get("AllocatedStorage", 0)),
                max_allocated_storage_gib=item.get("MaxAllocatedStorage"),
                multi_az=bool(item.get("MultiAZ")),
                storage_encrypted=bool(item.get("StorageEncrypted")),
                tags=tags,
                classification=classifier.classify(identifier, tags),
            )
        )
    return tuple(found)


def db_proxies(reader: AwsReader, classifier: Classifier, name: str | None = None) -> tuple[DbProxy, ...]:
    """Every RDS proxy, or the one named `name` (none if it does not exist)."""
    found: list[DbProxy] = []
    lookup: dict[str, Any] = {"DBProxyName": name} if name else {}
    absent = frozenset({"DBProxyNotFoundFault", "DBProxyNotFound"})
    for item in reader.items("rds", "describe_db_proxies", "DBProxies", absent_codes=absent, **lookup) or []:
        response = reader.call("rds", "list_tags_for_resource", ResourceName=item["DBProxyArn"])
        tags = _tags((response or {}).get("TagList"))
        found.append(
            DbProxy(
                name=item["DBProxyName"],
                arn=item["DBProxyArn"],
                engine_family=item.get("EngineFamily", ""),
                tags=tags,
                classification=classifier.classify(item["DBProxyName"], tags),
            )
        )
    return tuple(found)


def replication_groups(
    reader: AwsReader, classifier: Classifier, group_id: str | None = None
) -> tuple[ReplicationGroup, ...]:
    """Every replication group, or the one with id `group_id` (none if it does not exist)."""
    found: list[ReplicationGroup] = []
    lookup: dict[str, Any] = {"ReplicationGroupId": group_id} if group_id else {}
    absent = frozenset({"ReplicationGroupNotFoundFault", "ReplicationGroupNotFound"})
    listing = reader.items(
        "elasticache", "describe_replication_groups", "ReplicationGroups", absent_codes=absent, **lookup
    )
    for item in listing or []:
        group_id = item["ReplicationGroupId"]
        response = reader.call("elasticache", "list_tags_for_resource", ResourceName=item["ARN"])
        tags = _tags((response or {}).get("TagList"))
        node_groups = item.get("NodeGroups") or []
        members = len(node_groups[0].get("NodeGroupMembers") or []) if node_groups else 0
        members = members or len(item.get("MemberClusters") or [])
        cluster_mode = item.get("ClusterMode")
        found.append(
            ReplicationGroup(
                replication_group_id=group_id,
                arn=item["ARN"],
                node_type=item.get("CacheNodeType", ""),
                shards=max(1, len(node_groups)),
                replicas_per_shard=max(0, members - 1),
                cluster_mode_enabled=cluster_mode == "enabled" if cluster_mode else bool(item.get("ClusterEnabled")),
                automatic_failover=item.get("AutomaticFailover", "disabled"),
                multi_az=item.get("MultiAZ", "disabled"),
                at_rest_encryption=bool(item.get("AtRestEncryptionEnabled")),
                transit_encryption=bool(item.get("TransitEncryptionEnabled")),
                tags=tags,
                classification=classifier.classify(group_id, tags),
            )
        )
    return tuple(found)


def distributions(reader: AwsReader, classifier: Classifier) -> tuple[Distribution, ...]:
    found: list[Distribution] = []
    for item in reader.items("cloudfront", "list_distributions", "DistributionList.Items") or []:
        # The summary lacks some settings on some endpoints: the configuration has them all.
        response = reader.call("cloudfront", "get_distribution_config", Id=item["Id"])
        config: Mapping[str, Any] = (response or {}).get("DistributionConfig") or item
        tags_response = reader.call("cloudfront", "list_tags_for_resource", Resource=item["ARN"])
        tags = _tags(((tags_response or {}).get("Tags") or {}).get("Items"))
        behaviour = config.get("DefaultCacheBehavior") or {}
        origins = (config.get("Origins") or {}).get("Items") or []
        comment = str(config.get("Comment") or "")
        aliases = tuple((config.get("Aliases") or {}).get("Items") or ())
        names = [comment, *aliases, item["Id"]]
        classification = classifier.classify(comment, tags)
        if classification.environment is None:
            classification = next((c for c in (classifier.classify(n) for n in names) if c.environment), UNCLASSIFIED)
        found.append(
            Distribution(
                distribution_id=item["Id"],
                arn=item["ARN"],
                comment=comment,
                aliases=aliases,
                http_version=config.get("HttpVersion"),
                compress=behaviour.get("Compress"),
                origin_shield=any((o.get("OriginShield") or {}).get("Enabled") for o in origins),
                cache_policy_id=behaviour.get("CachePolicyId") or None,
                tags=tags,
                classification=classification,
            )
        )
    return tuple(found)


def _alarms(reader: AwsReader, classifier: Classifier) -> tuple[Alarm, ...]:
    found: list[Alarm] = []
    for item in reader.items("cloudwatch", "describe_alarms", "MetricAlarms") or []:
        response = reader.call("cloudwatch", "list_tags_for_resource", ResourceARN=item["AlarmArn"])
        tags = _tags((response or {}).get("Tags"))
        dimensions = {d["Name"]: d["Value"] for d in item.get("Dimensions") or []}
        classification = classifier.classify(item["AlarmName"], tags)
        if classification.environment is None:  # an untagged alarm belongs where its resource does
            classification = next(
                (c for c in (classifier.classify(v) for v in dimensions.values()) if c.environment), UNCLASSIFIED
            )
        found.append(
            Alarm(
                name=item["AlarmName"],
                arn=item["AlarmArn"],
                namespace=item.get("Namespace"),
                metric=item.get("MetricName"),
                dimensions=dimensions,
                threshold=item.get("Threshold"),
                actions_enabled=bool(item.get("ActionsEnabled", True)),
                has_actions=bool(item.get("AlarmActions")),
                tags=tags,
                classification=classification,
            )
        )
    return tuple(found)


def _budgets(reader: AwsReader, classifier: Classifier, account_id: str | None) -> tuple[Budget, ...]:
    if account_id is None:
        return ()
    found: list[Budget] = []
    for item in reader.items("budgets", "describe_budgets", "Budgets", AccountId=account_id) or []:
        limit = item.get("BudgetLimit") or {}
        # A budget filtered on `user:Environment$dev` belongs to dev, whatever its name.
        filters = (item.get("CostFilters") or {}).get("TagKeyValue") or []
        tag = next((f.split("$", 1)[1] for f in filters if f.startswith(f"user:{ENVIRONMENT_TAG}$")), None)
        found.append(
            Budget(
                name=item["BudgetName"],
                limit_amount=float(limit["Amount"]) if "Amount" in limit else None,
                limit_unit=limit.get("Unit"),
                time_unit=item.get("TimeUnit", ""),
                classification=classifier.classify(item["BudgetName"], {ENVIRONMENT_TAG: tag} if tag else None),
            )
        )
    return tuple(found)
