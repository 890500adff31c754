"""The database: PostgreSQL on RDS with gp3 storage autoscaling, encrypted with its own key, its
master password kept by RDS in Secrets Manager, an RDS Proxy for Lambda (TLS and IAM auth; optional,
functions then connect directly with IAM auth), enhanced monitoring, Performance Insights, exported
logs, and capacity alarms with runbooks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from modules.core.account import AwsAccount
from modules.core.alarms import AlarmRule, AlarmTarget, Comparison, Metric, MissingData, metric_alarm
from modules.core.cdk import (
    CloudwatchLogGroup,
    Construct,
    DbInstance,
    DbParameterGroup,
    DbParameterGroupParameter,
    DbProxy,
    DbProxyAuth,
    DbProxyDefaultTargetGroup,
    DbProxyDefaultTargetGroupConnectionPoolConfig,
    DbProxyTarget,
    DbSubnetGroup,
    Fn,
    SchedulerSchedule,
    SchedulerScheduleFlexibleTimeWindow,
    SchedulerScheduleTarget,
    SchedulerScheduleTargetRetryPolicy,
    SecurityGroup,
    TerraformLocal,
    VpcSecurityGroupEgressRule,
    VpcSecurityGroupIngressRule,
)
from modules.core.kms import LOGS_KEY_ACTIONS, PER_SERVICE_KEYS, KeyGrant, KeyReference, KeySource
from modules.core.label import Context
from modules.core.roles import service_role
from modules.network.module import PrivateNetwork
from modules.observability.module import AlertTopic
from modules.rds.config import PORT, RdsConfig, RdsProxySettings, RunningHours, next_class_up
from modules.rds.runbook import Action, AlarmFacts, render_runbook, render_summary

NAMESPACE = "AWS/RDS"
STORAGE_TYPE = "gp3"
CA_CERTIFICATE = "rds-ca-rsa2048-g1"
LOG_EXPORTS = ("postgresql", "upgrade")
OS_METRICS_LOG_GROUP = "RDSOSMetrics"
"""Where enhanced monitoring publishes, one log group per account and region (created by RDS)."""
GIB = 1024**3


@dataclass(frozen=True)
class DatabaseConnection:
    """Where a function connects and as whom: the proxy, or the instance itself without one.

    `iam_resource_id` is what IAM authorizes `rds-db:connect` on (`prx-…` of the proxy, `db-…` of
    the instance).
    """

    host: str
    port: int
    database_name: str
    user: str
    iam_resource_id: str
    through_proxy: bool


@dataclass(frozen=True)
class _Alarm:
    key: str
    metric_name: str
    statistic: str
    comparison: Comparison
    threshold: float
    observed: str
    action: Action
    checks: tuple[str, ...]
    dimensions: dict[str, str]
    treat_missing_data: MissingData


class PostgresDatabase(Construct):
    """One environment's PostgreSQL instance (plus read replicas), behind an RDS Proxy unless
    `proxy` is null.

    Functions reach the database at `connection` only (the proxy when there is one): attach
    `client_security_group_id` to a function; `client_security_group_ids` of the configuration (e.g. a
    migration job) are admitted to the instance directly. `runbooks` holds the full runbook of
    every alarm by alarm key; each alarm's description carries the short one.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: RdsConfig,
        context: Context,
        network: PrivateNetwork,
        alerts: AlertTopic,
        keys: KeySource = PER_SERVICE_KEYS,
    ) -> None:
        super().__init__(scope, id_)
        self._config = config
        self._context = context
        self._alert_topic_arn = alerts.topic_arn
        account = AwsAccount.of(self)
        region, account_id = account.region, account.account_id
        key = keys.key(
            self,
            "key",
            context=context,
            grant=KeyGrant(
                "database", service_principals=[f"logs.{region}.amazonaws.com"], service_actions=LOGS_KEY_ACTIONS
            ),
        )
        identifier = context.id("db")
        self.instance_identifier: str = identifier

        database_group_id, proxy_group_id, client_group_id = self._security_groups(
            network, proxied=config.proxy is not None
        )
        logs = [
            CloudwatchLogGroup(
                self,
                f"{kind}_logs",
                name=f"/aws/rds/instance/{identifier}/{kind}",
                retention_in_days=config.log_retention_days,
                kms_key_id=key.arn,
                tags=context.tags,
            )
            for kind in LOG_EXPORTS
        ]
        subnets = DbSubnetGroup(
            self,
            "subnets",
            name=identifier,
            description=f"Private subnets of the {context.environment} database",
            subnet_ids=network.private_subnet_ids,
            tags=context.tags,
        )
        parameters = DbParameterGroup(
            self,
            "parameters",
            name=context.id("db", f"postgres{config.engine_version}"),
            family=f"postgres{config.engine_version}",
            description=f"TLS only and slow-query logging of the {context.environment} database",
            parameter=[
                DbParameterGroupParameter(name="log_min_duration_statement", value=str(config.slow_query_ms)),
                DbParameterGroupParameter(name="rds.force_ssl", value="1"),
            ],
            tags=context.tags,
        )
        # AmazonRDSEnhancedMonitoringRole's permissions, narrowed to this account and region.
        os_metrics = account.arn("logs", f"log-group:{OS_METRICS_LOG_GROUP}")
        monitoring_role, monitoring_policy = service_role(
            self,
            "monitoring_role",
            context=context,
            name=context.id("db-monitoring"),
            description=f"RDS enhanced monitoring of {identifier} publishes OS metrics",
            service="monitoring.rds.amazonaws.com",
            account_id=account_id,
            policy_name="publish-os-metrics",
            statements=[
                {
                    "Sid": "ManageOsMetricsLogGroup",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
                    "Resource": os_metrics,
                },
                {
                    "Sid": "WriteOsMetrics",
                    "Effect": "Allow",
                    "Action": [
                        "logs:CreateLogStream",
                        "logs:DescribeLogStreams",
                        "logs:GetLogEvents",
                        "logs:PutLogEvents",
                    ],
                    "Resource": f"{os_metrics}:log-stream:*",
                },
            ],
            policy_id="monitoring_policy",
        )
        # What the primary and its read replicas share.
        common: dict[str, Any] = {
            "instance_class": config.instance_class,
            "storage_encrypted": True,
            "kms_key_id": key.arn,
            "vpc_security_group_ids": [database_group_id],
            "parameter_group_name": parameters.name,
            "publicly_accessible": False,
            # The current default CA; pinned so that an instance created with an older one is moved.
            "ca_cert_identifier": CA_CERTIFICATE,
            "iam_database_authentication_enabled": True,
            "multi_az": config.multi_az,
            "maintenance_window": config.maintenance_window,
            "auto_minor_version_upgrade": True,
            "copy_tags_to_snapshot": True,
            "performance_insights_enabled": True,
            "performance_insights_kms_key_id": key.arn,
            "performance_insights_retention_period": config.performance_insights_retention_days,
            "monitoring_interval": config.monitoring_interval_seconds,
            "monitoring_role_arn": monitoring_role.arn,
            "enabled_cloudwatch_logs_exports": list(LOG_EXPORTS),
            "tags": context.tags,
        }
        instance = DbInstance(
            self,
            "instance",
            identifier=identifier,
            engine="postgres",
            engine_version=config.engine_version,
            allow_major_version_upgrade=True,
            allocated_storage=config.allocated_storage_gib,
            max_allocated_storage=config.max_allocated_storage_gib,
            storage_type=STORAGE_TYPE,
            db_name=config.database_name,
            username=config.master_username,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=key.arn,
            port=PORT,
            db_subnet_group_name=subnets.name,
            backup_retention_period=config.backup_retention_days,
            backup_window=config.backup_window,
            deletion_protection=config.deletion_protection,
            skip_final_snapshot=not config.final_snapshot,
            final_snapshot_identifier=context.id("db", "final") if config.final_snapshot else None,
            depends_on=[*logs, monitoring_policy],
            **common,
        )
        replicas = [
            DbInstance(
                self,
                f"replica_{number}",
                identifier=context.id("db", "replica", str(number)),
                replicate_source_db=instance.identifier,
                backup_retention_period=config.backup_retention_days,
                deletion_protection=config.deletion_protection,
                skip_final_snapshot=True,
                depends_on=[monitoring_policy],
                **common,
            )
            for number in range(1, config.read_replicas + 1)
        ]
        if config.running_hours is not None:
            self._run_only_in(config.running_hours, identifier, instance.arn, key, context, account)
        secret_arn = instance.master_user_secret.get(0).secret_arn
        self.proxy_security_group_id: str | None = proxy_group_id
        self.proxy_name: str | None = None
        self.proxy_endpoint: str | None = None
        if config.proxy is not None and proxy_group_id is not None:
            proxy = self._proxy(
                network,
                proxy_group_id,
                config.proxy,
                secret_arn=secret_arn,
                key_arn=key.arn,
                region=region,
                account_id=account_id,
            )
            DbProxyTarget(
                self,
                "proxy_target",
                db_proxy_name=proxy.name,
                target_group_name="default",
                db_instance_identifier=instance.identifier,
            )
            self.proxy_name = proxy.name
            self.proxy_endpoint = proxy.endpoint
            # `arn:…:db-proxy:prx-…`: IAM authorizes `rds-db:connect` on the proxy's resource id. A local
            # keeps the expression (and its quotes) out of the JSON policy documents that embed it.
            resource_id = TerraformLocal(self, "proxy_resource_id", Fn.element(Fn.split(":", proxy.arn), 6))
            # The proxy holds the secret of the master user only.
            host, user, iam_resource_id = proxy.endpoint, config.master_username, resource_id.as_string
        else:
            host, user, iam_resource_id = instance.address, config.direct_user, instance.resource_id
        self.connection = DatabaseConnection(
            host=host,
            port=PORT,
            database_name=config.database_name,
            user=user,
            iam_resource_id=iam_resource_id,
            through_proxy=self.proxy_endpoint is not None,
        )

        self.endpoint_address: str = instance.address
        self.port: int = PORT
        self.database_name: str = config.database_name
        self.master_username: str = config.master_username
        self.master_user_secret_arn: str = secret_arn
        self.kms_key_arn: str = key.arn
        self.security_group_id: str = database_group_id
        self.client_security_group_id: str = client_group_id
        self.replica_identifiers: list[str] = [context.id("db", "replica", str(n)) for n in range(1, len(replicas) + 1)]
        self.runbooks: dict[str, str] = {}
        self.alarm_names: dict[str, str] = {}
        self._alarms(identifier)

    def function_environment(self) -> dict[str, str]:
        """Where a function that uses the database connects, with an IAM auth token for `DATABASE_USER`."""
        connection = self.connection
        return {
            "DATABASE_HOST": connection.host,
            "DATABASE_PORT": str(connection.port),
            "DATABASE_NAME": connection.database_name,
            "DATABASE_USER": connection.user,
        }

    def _security_groups(self, network: PrivateNetwork, *, proxied: bool) -> tuple[str, str | None, str]:
        """The ids of the database, proxy and client groups: database ← proxy ← clients (database ←
        clients without a proxy); configured client groups may reach the database directly."""
        context = self._context
        admitted = "its proxy" if proxied else "its clients"
        groups = {
            role: SecurityGroup(
                self,
                f"{role}_security_group",
                name=context.id(name),
                description=description,
                vpc_id=network.vpc_id,
                tags=context.tags,
            ).id
            for role, name, description in (
                ("database", "db", f"The {context.environment} database: admits only {admitted} and named clients"),
                *(
                    [("proxy", "db-proxy", f"The {context.environment} database proxy: admits only its clients")]
                    if proxied
                    else []
                ),
                (
                    "client",
                    "db-clients",
                    f"Granted the {context.environment} database"
                    + (" proxy" if proxied else "")
                    + ": attach to each function that uses it",
                ),
            )
        }
        database, client = groups["database"], groups["client"]
        proxy = groups.get("proxy")

        def rule(kind: str, name: str, group_id: str, peer: str, description: str) -> None:
            rule_class = VpcSecurityGroupIngressRule if kind == "ingress" else VpcSecurityGroupEgressRule
            rule_class(
                self,
                name,
                security_group_id=group_id,
                referenced_security_group_id=peer,
                ip_protocol="tcp",
                from_port=PORT,
                to_port=PORT,
                description=description,
                tags=context.tags,
            )

        for name, group_id in sorted(self._config.client_security_group_ids.items()):
            rule("ingress", f"database_from_{name.replace('-', '_')}", database, group_id, f"From {name}")
        if proxy is None:
            rule("ingress", "database_from_clients", database, client, "From granted clients")
            rule("egress", "clients_to_database", client, database, "To the database")
            return database, None, client
        rule("ingress", "database_from_proxy", database, proxy, "From the proxy")
        rule("egress", "proxy_to_database", proxy, database, "To the database")
        rule("ingress", "proxy_from_clients", proxy, client, "From granted clients")
        rule("egress", "clients_to_proxy", client, proxy, "To the database proxy")
        return database, proxy, client

    def _run_only_in(
        self,
        hours: RunningHours,
        identifier: str,
        instance_arn: str,
        key: KeyReference,
        context: Context,
        account: AwsAccount,
    ) -> None:
        """Two EventBridge Scheduler schedules call RDS's StartDBInstance at `start` and StopDBInstance
        at `end`, from a role that may do only that, and only to this instance."""
        role, _ = service_role(
            self,
            "scheduler_role",
            context=context,
            name=context.id("db", "scheduler"),
            description=f"EventBridge Scheduler starts and stops {identifier} (rds.running_hours)",
            service="scheduler.amazonaws.com",
            account_id=account.account_id,
            policy_name="start-stop-instance",
            statements=[
                {
                    "Sid": "StartAndStopTheInstance",
                    "Effect": "Allow",
                    "Action": ["rds:StartDBInstance", "rds:StopDBInstance"],
                    "Resource": instance_arn,
                },
                {"Sid": "ReadScheduleInput", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key.arn},
            ],
        )
        for action, clock in (("start", hours.start), ("stop", hours.end)):
            SchedulerSchedule(
                self,
                f"{action}_schedule",
                name=context.id("db", action),
                description=f"{action.capitalize()}s the database at {clock} {hours.time_zone} on {hours.days}.",
                schedule_expression=hours.cron(clock),
                schedule_expression_timezone=hours.time_zone,
                flexible_time_window=SchedulerScheduleFlexibleTimeWindow(mode="OFF"),
                kms_key_arn=key.arn,
                target=SchedulerScheduleTarget(
                    # A universal target: the RDS API action itself (EventBridge Scheduler user guide,
                    # "Using universal targets"); its input names parameters as the SDK does.
                    arn=account.arn("scheduler", f"aws-sdk:rds:{action}DBInstance", region=False, account=False),
                    role_arn=role.arn,
                    input=json.dumps({"DbInstanceIdentifier": identifier}),
                    retry_policy=SchedulerScheduleTargetRetryPolicy(maximum_retry_attempts=3),
                ),
            )

    def _proxy(
        self,
        network: PrivateNetwork,
        security_group_id: str,
        settings: RdsProxySettings,
        *,
        secret_arn: str,
        key_arn: str,
        region: str,
        account_id: str,
    ) -> DbProxy:
        """Clients authenticate with IAM (TLS only); the proxy logs in with the managed secret,
        which its role alone may read and decrypt."""
        context = self._context
        role, policy = service_role(
            self,
            "proxy_role",
            context=context,
            name=context.id("db-proxy"),
            description=f"The {context.environment} database proxy reads the master user's secret",
            service="rds.amazonaws.com",
            account_id=account_id,
            policy_name="read-database-secret",
            statements=[
                {
                    "Sid": "ReadDatabaseSecret",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": secret_arn,
                },
                {
                    "Sid": "DecryptDatabaseSecret",
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": key_arn,
                    "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
                },
            ],
        )
        proxy = DbProxy(
            self,
            "proxy",
            name=context.id("db-proxy"),
            engine_family="POSTGRESQL",
            require_tls=True,
            debug_logging=False,
            idle_client_timeout=settings.idle_client_timeout_seconds,
            role_arn=role.arn,
            vpc_subnet_ids=network.private_subnet_ids,
            vpc_security_group_ids=[security_group_id],
            auth=[
                DbProxyAuth(
                    auth_scheme="SECRETS",
                    iam_auth="REQUIRED",
                    client_password_auth_type="POSTGRES_SCRAM_SHA_256",
                    secret_arn=secret_arn,
                    description="Clients use IAM auth; the proxy logs in with the RDS-managed master secret",
                )
            ],
            tags=context.tags,
            depends_on=[policy],
        )
        DbProxyDefaultTargetGroup(
            self,
            "proxy_pool",
            db_proxy_name=proxy.name,
            connection_pool_config=DbProxyDefaultTargetGroupConnectionPoolConfig(
                max_connections_percent=settings.max_connections_percent,
                max_idle_connections_percent=settings.max_idle_connections_percent,
                connection_borrow_timeout=settings.connection_borrow_timeout_seconds,
            ),
        )
        return proxy

    def _alarms(self, identifier: str) -> None:
        config, proxy = self._config, self._config.proxy
        instance = config.instance
        sustained = f"for {config.alarm_evaluation_periods} periods of {config.alarm_period_seconds} s"
        on_instance = {"DBInstanceIdentifier": identifier}
        max_connections = instance.max_connections
        connections = max_connections * config.connections_alarm_threshold_percent / 100
        memory = instance.memory_bytes * config.freeable_memory_alarm_threshold_percent / 100
        alarms = [
            _Alarm(
                "cpu",
                "CPUUtilization",
                "Average",
                "GreaterThanThreshold",
                config.cpu_alarm_threshold_percent,
                f"Average CPU above {config.cpu_alarm_threshold_percent:g} % {sustained}",
                "resize",
                (
                    "the top statements by load in Performance Insights: a missing index or a new query plan",
                    "a burst of traffic that has already passed (compare with the API's request count)",
                ),
                on_instance,
                "notBreaching",
            ),
            _Alarm(
                "connections",
                "DatabaseConnections",
                "Maximum",
                "GreaterThanThreshold",
                connections,
                f"More than {connections:g} connections ({config.connections_alarm_threshold_percent:g} % of "
                f"max_connections {max_connections} of {instance.name}) {sustained}",
                "resize",
                (
                    (
                        "clients that bypass the proxy (they connect to the instance directly, not to the proxy)",
                        "idle-in-transaction sessions holding connections (pg_stat_activity)",
                        "the proxy's pool share (rds.proxy.max_connections_percent)",
                    )
                    if proxy is not None
                    else (
                        "Lambda concurrency: without a proxy each execution environment holds its own connection",
                        "idle-in-transaction sessions holding connections (pg_stat_activity)",
                    )
                ),
                on_instance,
                "notBreaching",
            ),
            _Alarm(
                "freeable-memory",
                "FreeableMemory",
                "Average",
                "LessThanThreshold",
                memory,
                f"Freeable memory below {config.freeable_memory_alarm_threshold_percent:g} % of "
                f"{instance.memory_gib:g} GiB {sustained}",
                "investigate",
                (
                    "many connections or a large work_mem per connection (each connection costs memory)",
                    "swap usage in enhanced monitoring",
                ),
                on_instance,
                "missing",
            ),
            _Alarm(
                "free-storage",
                "FreeStorageSpace",
                "Minimum",
                "LessThanThreshold",
                config.free_storage_alarm_threshold_gib * GIB,
                f"Free storage below {config.free_storage_alarm_threshold_gib:g} GiB",
                "storage",
                (),
                on_instance,
                "missing",
            ),
            *(
                _Alarm(
                    f"{kind}-latency",
                    f"{kind.capitalize()}Latency",
                    "Average",
                    "GreaterThanThreshold",
                    threshold_ms / 1000,
                    f"Average {kind} latency above {threshold_ms:g} ms {sustained}",
                    "investigate",
                    (
                        "storage throughput and IOPS against gp3's baseline (EBS metrics of the instance)",
                        "queries reading many pages (Performance Insights, wait events IO:DataFileRead)",
                    ),
                    on_instance,
                    "notBreaching",
                )
                for kind, threshold_ms in (
                    ("read", config.read_latency_alarm_threshold_ms),
                    ("write", config.write_latency_alarm_threshold_ms),
                )
            ),
            *(
                _Alarm(
                    f"replica-{number}-lag",
                    "ReplicaLag",
                    "Maximum",
                    "GreaterThanThreshold",
                    config.replica_lag_alarm_threshold_seconds,
                    f"Replica {replica} lags the primary by more than {config.replica_lag_alarm_threshold_seconds:g} s "
                    f"{sustained}",
                    "investigate",
                    (
                        "long-running queries on the replica that conflict with replay",
                        "write bursts on the primary larger than the replica can replay",
                    ),
                    {"DBInstanceIdentifier": replica},
                    "breaching",
                )
                for number, replica in enumerate(self.replica_identifiers, start=1)
            ),
            *(
                [
                    _Alarm(
                        "proxy-client-connections",
                        "ClientConnections",
                        "Maximum",
                        "GreaterThanThreshold",
                        config.proxy_client_connections_alarm_threshold,
                        f"More than {config.proxy_client_connections_alarm_threshold} client connections to the "
                        f"proxy {sustained}",
                        "investigate",
                        (
                            "Lambda concurrency: each execution environment keeps its own client connection",
                            "clients that do not close connections (the proxy closes them after "
                            f"{proxy.idle_client_timeout_seconds} s idle)",
                        ),
                        {"ProxyName": self._context.id("db-proxy")},
                        "notBreaching",
                    )
                ]
                if proxy is not None
                else []
            ),
        ]
        for alarm in alarms:
            self._alarm(identifier, alarm)

    def _alarm(self, identifier: str, alarm: _Alarm) -> None:
        config, context = self._config, self._context
        name = context.id("db", alarm.key)
        facts = AlarmFacts(
            alarm_key=alarm.key,
            alarm_name=name,
            environment=context.environment,
            identifier=identifier,
            observed=alarm.observed,
            action=alarm.action,
            current=config.instance,
            next_class=next_class_up(config.instance_class),
            checks=alarm.checks,
            multi_az=config.multi_az,
            maintenance_window=config.maintenance_window,
            max_allocated_storage_gib=config.max_allocated_storage_gib,
        )
        self.runbooks[alarm.key] = render_runbook(facts)
        self.alarm_names[alarm.key] = name
        metric_alarm(
            self,
            f"alarm_{alarm.key.replace('-', '_')}",
            target=AlarmTarget(context=context, topic_arn=self._alert_topic_arn),
            name=name,
            description=render_summary(facts),
            rule=AlarmRule.sustained(
                alarm.comparison, alarm.threshold, config.alarm_evaluation_periods, alarm.treat_missing_data
            ),
            metrics={
                "m": Metric(
                    NAMESPACE, alarm.metric_name, alarm.dimensions, alarm.statistic, config.alarm_period_seconds
                )
            },
        )
