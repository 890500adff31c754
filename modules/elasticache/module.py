"""The cache: a Valkey replication group (cluster mode, one shard) with replica autoscaling, or a
Valkey ElastiCache Serverless cache; encrypted at rest and in transit, its clients authenticated by
IAM (one ElastiCache user each, in the cache's one user group; no password or token anywhere), a
replication group's logs in CloudWatch, and alarms to the environment's alert topic."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from modules.core.account import AwsAccount
from modules.core.alarms import AlarmTarget
from modules.core.cdk import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
    AppautoscalingTarget,
    CloudwatchLogGroup,
    Construct,
    ElasticacheParameterGroup,
    ElasticacheParameterGroupParameter,
    ElasticacheReplicationGroup,
    ElasticacheReplicationGroupLogDeliveryConfiguration,
    ElasticacheServerlessCache,
    ElasticacheServerlessCacheCacheUsageLimits,
    ElasticacheServerlessCacheCacheUsageLimitsDataStorage,
    ElasticacheServerlessCacheCacheUsageLimitsEcpuPerSecond,
    ElasticacheSubnetGroup,
    ElasticacheUser,
    ElasticacheUserAuthenticationMode,
    ElasticacheUserGroup,
    SecurityGroup,
    TerraformResourceLifecycle,
    VpcSecurityGroupEgressRule,
    VpcSecurityGroupIngressRule,
)
from modules.core.kms import LOGS_KEY_ACTIONS, PER_SERVICE_KEYS, KeyGrant, KeySource
from modules.core.label import Context
from modules.elasticache.alarms import (
    NODE_DIMENSION,
    NODE_PANELS,
    SERVERLESS_DIMENSION,
    SERVERLESS_PANELS,
    CacheAlarms,
    CacheMetrics,
)
from modules.elasticache.config import ElastiCacheConfig, ServerlessCache
from modules.network.module import PrivateNetwork
from modules.observability.module import AlertTopic

PORT = 6379
# A serverless cache serves reads from its replicas on the next port of the same endpoint.
SERVERLESS_READER_PORT = 6380
ENGINE = "valkey"
# What every client may do, on every key: all commands except the `@dangerous` category, which
# holds what no application cache needs and what can hurt all clients at once: FLUSHALL and
# FLUSHDB (wipe the cache), KEYS (blocks the single-threaded engine), CONFIG, DEBUG, MONITOR,
# INFO, CLIENT KILL, SHUTDOWN, ACL, MIGRATE/RESTORE and the cluster-administration subcommands.
# What a cluster-mode client needs stays (CLUSTER SLOTS/SHARDS/NODES are @slow, READONLY,
# HELLO and AUTH @connection), as do strings, hashes, sets, TTLs, SCAN, transactions and
# scripts. No `&` pattern: no Pub/Sub channel is granted. (Valkey ACL categories: `ACL CAT`.)
ACCESS_STRING = "on ~* +@all -@dangerous"
# ElastiCache user ids: a letter, then letters, digits and single hyphens, not ending in one;
# at most 40 characters (CreateUser; the CDK's ElastiCache user construct checks the same).
USER_ID_MAX_LENGTH = 40
CLIENT_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def node_ids(replication_group_id: str, replicas_max: int) -> list[str]:
    """Member cluster ids of the one shard: `<group>-0001-001` (primary at creation) onwards.

    CloudWatch publishes ElastiCache metrics per node, so alarms combine these with metric math.
    """
    return [f"{replication_group_id}-0001-{number:03d}" for number in range(1, replicas_max + 2)]


def ttl_variable(key_class: str) -> str:
    """The function environment variable of a key class's TTL, e.g. `CACHE_TTL_SESSIONS_SECONDS`."""
    return f"CACHE_TTL_{key_class.upper()}_SECONDS"


@dataclass(frozen=True)
class CacheUser:
    """One client's ElastiCache user; IAM authentication needs the user id to be the user name."""

    user_id: str  # also the user name
    user_arn: str


class ElastiCacheCluster(Construct):
    """One environment's cache; clients reach it only through `client_security_group_id`, and
    only as one of `users` (IAM authentication: a token presigned for the cache and the user id,
    over TLS). With no users the user group is empty and nobody can connect.

    A replication group runs in cluster mode everywhere (replica autoscaling needs it, and every
    environment then speaks the same cluster protocol). Automatic failover is always on (cluster
    mode requires it); Multi-AZ is on whenever the shard always has a replica. A serverless cache
    speaks the same cluster protocol, replicates across zones and scales by itself, within the
    configured limits.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: ElastiCacheConfig,
        context: Context,
        network: PrivateNetwork,
        alerts: AlertTopic,
        clients: Mapping[str, str] | None = None,
        users: Sequence[str] = (),
        keys: KeySource = PER_SERVICE_KEYS,
    ) -> None:
        """`clients`: security groups outside the stack granted the port, by a stable name.
        `users`: the names of the clients that connect (e.g. function keys); one IAM user each."""
        super().__init__(scope, id_)
        self._config = config
        self._context = context
        serverless = config.serverless
        region = AwsAccount.of(self).region
        logs = [] if serverless is not None else [f"logs.{region}.amazonaws.com"]
        self._key = keys.key(
            self,
            "key",
            context=context,
            grant=KeyGrant("cache", service_principals=logs, service_actions=LOGS_KEY_ACTIONS),
        )
        cache_id = context.id("cache", max_length=40)
        self.ports: tuple[int, ...] = (PORT,) if serverless is None else (PORT, SERVERLESS_READER_PORT)
        security_group, client_group = self._security_groups(
            network, {**config.client_security_group_ids, **(clients or {})}
        )
        self.users: dict[str, CacheUser] = {}
        user_group = self._user_group(cache_id, users)
        alarms = CacheAlarms(self, AlarmTarget(context=context, topic_arn=alerts.topic_arn), config.alarms)
        if serverless is None:
            group = self._replication_group(cache_id, network, security_group, user_group)
            self.arn: str = group.arn
            # In cluster mode one configuration endpoint serves writes and reads: the client
            # discovers each shard's primary and replicas from it (reads with READONLY).
            self.primary_endpoint_address: str = group.configuration_endpoint_address
            self.reader_endpoint_address: str = group.configuration_endpoint_address
            nodes = node_ids(cache_id, config.replicas.max)
            alarms.node_alarms(nodes, replicas=config.replicas.max >= 1)
            self.metrics = CacheMetrics(NODE_DIMENSION, tuple(nodes), NODE_PANELS)
        else:
            cache = self._serverless_cache(cache_id, serverless, network, security_group, user_group)
            self.arn = cache.arn
            # One endpoint: writes (and cluster-mode reads) on PORT, replica reads on the next port.
            self.primary_endpoint_address = cache.endpoint.get(0).address
            self.reader_endpoint_address = cache.reader_endpoint.get(0).address
            alarms.serverless_alarms(cache_id, serverless)
            self.metrics = CacheMetrics(SERVERLESS_DIMENSION, (cache_id,), SERVERLESS_PANELS)
        self.cache_id: str = cache_id
        """The replication group id, or the serverless cache's name: what an IAM token is presigned for."""
        self.serverless: bool = serverless is not None
        self.port: int = PORT
        self.security_group_id: str = security_group.id
        self.client_security_group_id: str = client_group.id
        self.kms_key_arn: str = self._key.arn
        self.key_ttl_seconds: dict[str, int] = dict(config.key_ttl_seconds)

    def _replication_group(
        self,
        group_id: str,
        network: PrivateNetwork,
        security_group: SecurityGroup,
        user_group: ElasticacheUserGroup,
    ) -> ElasticacheReplicationGroup:
        config, context, key = self._config, self._context, self._key
        logs = {
            kind: CloudwatchLogGroup(
                self,
                f"{kind.replace('-', '_')}_logs",
                name=f"/aws/elasticache/{group_id}/{kind}",
                retention_in_days=config.log_retention_days,
                kms_key_id=key.arn,
                tags=context.tags,
            )
            for kind in ("slow-log", "engine-log")
        }
        subnets = ElasticacheSubnetGroup(
            self,
            "subnets",
            name=group_id,
            description=f"Private subnets of the {context.environment} cache",
            subnet_ids=network.private_subnet_ids,
            tags=context.tags,
        )
        parameters = {"cluster-enabled": "yes", "maxmemory-policy": config.eviction_policy}
        parameters["timeout"] = str(config.idle_client_timeout_seconds or 0)
        parameter_group = ElasticacheParameterGroup(
            self,
            "parameters",
            name=group_id,
            family=f"valkey{config.engine_version.split('.')[0]}",
            description=f"Caching settings of the {context.environment} cache",
            parameter=[ElasticacheParameterGroupParameter(name=k, value=v) for k, v in sorted(parameters.items())],
            tags=context.tags,
        )
        autoscaling = config.replica_autoscaling
        group = ElasticacheReplicationGroup(
            self,
            "group",
            replication_group_id=group_id,
            description=f"Cache of {context.environment}",
            engine="valkey",
            engine_version=config.engine_version,
            node_type=config.node_type,
            port=PORT,
            cluster_mode="enabled",
            num_node_groups=1,
            replicas_per_node_group=config.replicas.min,
            automatic_failover_enabled=True,
            multi_az_enabled=config.replicas.min >= 1,
            at_rest_encryption_enabled="true",
            kms_key_id=key.arn,
            transit_encryption_enabled=True,  # IAM authentication requires TLS
            user_group_ids=[user_group.user_group_id],
            subnet_group_name=subnets.name,
            security_group_ids=[security_group.id],
            parameter_group_name=parameter_group.name,
            snapshot_retention_limit=config.snapshot_retention_days,
            snapshot_window=config.snapshot_window,
            maintenance_window=config.maintenance_window,
            auto_minor_version_upgrade="true",
            log_delivery_configuration=[
                ElasticacheReplicationGroupLogDeliveryConfiguration(
                    destination=logs[kind].name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type=kind,
                )
                for kind in ("slow-log", "engine-log")
            ],
            tags=context.tags,
            # Application Auto Scaling owns the replica count once it manages it.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["replicas_per_node_group"]) if autoscaling else None,
        )
        if autoscaling is not None:
            target = AppautoscalingTarget(
                self,
                "replicas",
                service_namespace="elasticache",
                resource_id=f"replication-group/{group.replication_group_id}",
                scalable_dimension="elasticache:replication-group:Replicas",
                min_capacity=config.replicas.min,
                max_capacity=config.replicas.max,
                tags=context.tags,
            )
            AppautoscalingPolicy(
                self,
                "replicas_cpu",
                name=context.id("cache", "replicas-cpu"),
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                resource_id=target.resource_id,
                scalable_dimension=target.scalable_dimension,
                target_tracking_scaling_policy_configuration=AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
                    predefined_metric_specification=AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification(
                        predefined_metric_type="ElastiCacheReplicaEngineCPUUtilization"
                    ),
                    target_value=autoscaling.target_engine_cpu_percent,
                    scale_in_cooldown=autoscaling.scale_in_cooldown_seconds,
                    scale_out_cooldown=autoscaling.scale_out_cooldown_seconds,
                ),
            )
        return group

    def _serverless_cache(
        self,
        name: str,
        limits: ServerlessCache,
        network: PrivateNetwork,
        security_group: SecurityGroup,
        user_group: ElasticacheUserGroup,
    ) -> ElasticacheServerlessCache:
        """Always encrypted in transit (TLS only) and at rest, here with the cache's key."""
        config, context = self._config, self._context
        return ElasticacheServerlessCache(
            self,
            "serverless",
            name=name,
            description=f"Cache of {context.environment}",
            engine=ENGINE,
            major_engine_version=config.engine_version.split(".")[0],
            cache_usage_limits=[
                ElasticacheServerlessCacheCacheUsageLimits(
                    data_storage=[
                        ElasticacheServerlessCacheCacheUsageLimitsDataStorage(
                            maximum=limits.max_data_storage_gb, unit="GB"
                        )
                    ],
                    ecpu_per_second=[
                        ElasticacheServerlessCacheCacheUsageLimitsEcpuPerSecond(maximum=limits.max_ecpu_per_second)
                    ],
                )
            ],
            kms_key_id=self._key.arn,
            user_group_id=user_group.user_group_id,
            subnet_ids=network.private_subnet_ids,
            security_group_ids=[security_group.id],
            daily_snapshot_time=config.snapshot_window.split("-")[0],
            snapshot_retention_limit=config.snapshot_retention_days,
            tags=context.tags,
        )

    def connection_environment(self, user: str) -> dict[str, str]:
        """What client `user` needs to connect: the endpoint and port (TLS), the replication group id
        (or serverless cache name) and user id an IAM token is presigned for, and the key classes' TTLs."""
        if user not in self.users:
            known = ", ".join(sorted(self.users)) or "none"
            raise ValueError(f"the cache has no user for client {user!r}; its users are: {known}")
        if self.serverless:
            # The token is presigned for the cache's name with `ResourceType=ServerlessCache`.
            cache = {"CACHE_SERVERLESS_CACHE_NAME": self.cache_id, "CACHE_READER_PORT": str(SERVERLESS_READER_PORT)}
        else:
            cache = {"CACHE_REPLICATION_GROUP_ID": self.cache_id}
        return {
            "CACHE_ENDPOINT": self.primary_endpoint_address,
            "CACHE_PORT": str(self.port),
            **cache,
            "CACHE_USER_ID": self.users[user].user_id,
            **{ttl_variable(name): str(seconds) for name, seconds in sorted(self.key_ttl_seconds.items())},
        }

    def _user_group(self, group_id: str, clients: Sequence[str]) -> ElasticacheUserGroup:
        """One IAM-authenticated user per client, all in the cache's one user group.

        A Valkey user group needs no `default` user (ElastiCache turns the default user off once
        a Valkey group is attached), so the group holds exactly the clients' users; empty, it
        admits nobody.
        """
        context = self._context
        ids: dict[str, str] = {}
        for client in clients:
            if not CLIENT_NAME.match(client):
                raise ValueError(
                    f"cache client name {client!r}: must be lower-case letters and digits in words joined by "
                    "single hyphens, starting with a letter (e.g. vc-start)"
                )
            user_id = context.id("cache", client, max_length=USER_ID_MAX_LENGTH)
            if client in ids or user_id in ids.values():
                raise ValueError(f"cache client {client!r} is given twice (user id {user_id})")
            ids[client] = user_id
        members = []
        for client, user_id in ids.items():
            user = ElasticacheUser(
                self,
                f"user_{client.replace('-', '_')}",
                user_id=user_id,
                user_name=user_id,  # IAM authentication: the user name is the user id
                engine=ENGINE,
                access_string=ACCESS_STRING,
                authentication_mode=ElasticacheUserAuthenticationMode(type="iam"),
                tags=context.tags,
            )
            self.users[client] = CacheUser(user_id=user_id, user_arn=user.arn)
            members.append(user.user_id)
        return ElasticacheUserGroup(
            self,
            "users",
            user_group_id=group_id,
            engine=ENGINE,
            user_ids=members,
            tags=context.tags,
        )

    def _security_groups(
        self, network: PrivateNetwork, clients: Mapping[str, str]
    ) -> tuple[SecurityGroup, SecurityGroup]:
        """The cache's group admits its ports from the clients' group (and configured ones) only."""
        context = self._context
        cache = SecurityGroup(
            self,
            "security_group",
            name=context.id("cache"),
            description=f"The {context.environment} cache: admits only its granted clients",
            vpc_id=network.vpc_id,
            tags=context.tags,
        )
        client = SecurityGroup(
            self,
            "client_security_group",
            name=context.id("cache-clients"),
            description=f"Granted the {context.environment} cache: attach to each function that uses it",
            vpc_id=network.vpc_id,
            tags=context.tags,
        )
        VpcSecurityGroupEgressRule(
            self,
            "client_egress",
            security_group_id=client.id,
            referenced_security_group_id=cache.id,
            ip_protocol="tcp",
            from_port=self.ports[0],
            to_port=self.ports[-1],
            description="To the cache",
            tags=context.tags,
        )
        for name, group_id in {"clients": client.id, **clients}.items():
            VpcSecurityGroupIngressRule(
                self,
                f"ingress_{name.replace('-', '_')}",
                security_group_id=cache.id,
                referenced_security_group_id=group_id,
                ip_protocol="tcp",
                from_port=self.ports[0],
                to_port=self.ports[-1],
                description=f"From {name}",
                tags=context.tags,
            )
        return cache, client
