"""`<env>`: the environment's infrastructure, its modules wired by object, and its outputs."""

from __future__ import annotations

from collections.abc import Mapping

from environments.schema import EnvironmentConfig
from modules.budgets.module import EnvironmentBudgets
from modules.cdn.module import EDGE_REGION, CdnDistribution
from modules.cdn.policies import SharedCloudFrontPolicies
from modules.core.alarms import AlarmTarget
from modules.core.cdk import Construct, TerraformOutput, TerraformStack
from modules.core.kms import PER_SERVICE_KEYS, EnvironmentKey, KeySource
from modules.core.label import Context
from modules.elasticache.module import ElastiCacheCluster
from modules.front_door.module import FunctionUrlFrontDoor
from modules.lambda_service.module import DataStores, FunctionPackage, LambdaService
from modules.network.module import PrivateNetwork
from modules.observability.alarms import EdgeMetrics, EdgeSloAlarms, ServiceAlarms
from modules.observability.burn import TIERS
from modules.observability.dashboard import Dashboard, DatabaseMetrics, dashboard_body
from modules.observability.module import AlertTopic
from modules.rds.module import PostgresDatabase
from stacks.names import main_stack_name
from stacks.providers import aws_provider, remote_state


class EnvironmentStack(TerraformStack):
    """The environment's infrastructure, with remote, encrypted and locked state."""

    def __init__(
        self,
        scope: Construct,
        *,
        config: EnvironmentConfig,
        policies_owner: Context,
        packages: Mapping[str, FunctionPackage] | None = None,
    ) -> None:
        """`policies_owner`: whose bootstrap holds the CloudFront policies the distribution uses (the
        account stack set's, or this environment's alone in its account). `packages`: the function
        packages the CLI built, by source directory."""
        super().__init__(scope, main_stack_name(config.name))
        remote_state(self, config)
        aws_provider(self, config)
        # CloudFront's metrics and WAF web ACLs of scope CLOUDFRONT exist only in us-east-1.
        edge = aws_provider(self, config, id_="aws_edge", region=EDGE_REGION, alias="edge")
        keys: KeySource = (
            EnvironmentKey(self, "key", context=config.context)
            if config.encryption.keys == "per-environment"
            else PER_SERVICE_KEYS
        )
        alerts = AlertTopic(
            self,
            "alerts",
            context=config.context,
            emails=config.alerts.emails,
            # The edge alarms' state changes arrive from us-east-1 through EventBridge.
            accepts_eventbridge=config.cdn.alarms is not None,
            keys=keys,
        )
        # The SLO alarms' ticket tiers: the same subscribers, routable elsewhere; only CloudWatch publishes.
        tickets = AlertTopic(
            self,
            "tickets",
            context=config.context,
            emails=config.alerts.emails,
            publishers=("cloudwatch.amazonaws.com",),
            purpose="tickets",
            key=alerts.key,
        )
        budgets = EnvironmentBudgets(self, "budgets", config=config.budget, context=config.context, alerts=alerts)
        TerraformOutput(self, "alert_topic_arn", value=alerts.topic_arn)
        TerraformOutput(self, "ticket_topic_arn", value=tickets.topic_arn)
        TerraformOutput(self, "budget_names", value=budgets.budget_names)
        network = PrivateNetwork(self, "network", config=config.network, context=config.context)
        functions_config = config.lambda_service.functions
        cache = (
            ElastiCacheCluster(
                self,
                "cache",
                config=config.elasticache,
                context=config.context,
                network=network,
                alerts=alerts,
                users=[key for key, settings in functions_config.items() if "cache" in settings.uses],
                keys=keys,
            )
            if config.elasticache is not None
            else None
        )
        database = PostgresDatabase(
            self,
            "database",
            config=config.rds,
            context=config.context,
            network=network,
            alerts=alerts,
            keys=keys,
        )
        functions = LambdaService(
            self,
            "lambda",
            config=config.lambda_service,
            context=config.context,
            stores=DataStores(network=network, database=database, cache=cache),
            packages=packages,
            keys=keys,
        )
        front_door = FunctionUrlFrontDoor(self, "front_door", functions=functions)
        cdn = CdnDistribution(
            self,
            "cdn",
            config=config.cdn,
            context=config.context,
            alerts=alerts,
            edge_provider=edge,
            front_door=front_door,
            policies=SharedCloudFrontPolicies(self, "cdn_policies", owner=policies_owner).ids,
            account_id=config.account_id,
            keys=keys,
        )
        service_alarms = ServiceAlarms(
            self,
            "service_alarms",
            slo=config.slo,
            functions=functions.functions,
            target=AlarmTarget(context=config.context, topic_arn=alerts.topic_arn),
            tickets=AlarmTarget(context=config.context, topic_arn=tickets.topic_arn),
            tiers=[tier for tier in TIERS if tier.name in config.monitoring.burn_tiers],
            operational=config.monitoring.operational_alarms,
        )
        edge_slo_alarm_arns: list[str] = []
        if cdn.edge_alert_topic_arn is not None:
            edge_slo_alarms = EdgeSloAlarms(
                self,
                "edge_slo_alarms",
                slo=config.slo,
                context=config.context,
                edge=EdgeMetrics(
                    dimensions=cdn.metric_dimensions,
                    provider=cdn.edge_provider,
                    topic_arn=cdn.edge_alert_topic_arn,
                    additional_metrics=cdn.additional_metrics,
                ),
            )
            edge_slo_alarm_arns = list(edge_slo_alarms.alarm_arns.values())
        if config.monitoring.dashboard:
            dashboard = Dashboard(
                self,
                "dashboard",
                context=config.context,
                body=dashboard_body(
                    context=config.context,
                    region=config.region,
                    slo=config.slo,
                    functions=functions.functions,
                    cache=cache.metrics if cache is not None else None,
                    database=DatabaseMetrics(
                        instance_identifiers=[database.instance_identifier, *database.replica_identifiers],
                        proxy_name=database.proxy_name,
                    ),
                    edge_dimensions=cdn.metric_dimensions,
                    edge_additional_metrics=cdn.additional_metrics,
                    slo_alarm_arns=[
                        *service_alarms.slo_alarm_arns.values(),
                        *edge_slo_alarm_arns,
                        service_alarms.degraded_alarm_arn,
                    ],
                ),
            )
            TerraformOutput(self, "dashboard_name", value=dashboard.dashboard_name)
        TerraformOutput(self, "service_degraded_alarm_arn", value=service_alarms.degraded_alarm_arn)
        TerraformOutput(self, "lambda_function_names", value=functions.function_names())
        TerraformOutput(self, "lambda_alias_arns", value=functions.alias_arns())
        TerraformOutput(self, "lambda_role_arns", value=functions.role_arns())
        TerraformOutput(self, "vpc_id", value=network.vpc_id)
        TerraformOutput(self, "api_function_urls", value=front_door.function_urls)
        if cache is not None:
            TerraformOutput(self, "cache_primary_endpoint_address", value=cache.primary_endpoint_address)
            TerraformOutput(self, "cache_reader_endpoint_address", value=cache.reader_endpoint_address)
            TerraformOutput(self, "cache_port", value=cache.port)
            TerraformOutput(self, "cache_security_group_id", value=cache.security_group_id)
            TerraformOutput(self, "cache_client_security_group_id", value=cache.client_security_group_id)
            TerraformOutput(self, "cache_key_ttl_seconds", value=cache.key_ttl_seconds)
            TerraformOutput(self, "cache_user_ids", value={key: user.user_id for key, user in cache.users.items()})
        TerraformOutput(self, "database_endpoint_address", value=database.endpoint_address)
        TerraformOutput(self, "database_connect_host", value=database.connection.host)
        TerraformOutput(self, "database_port", value=database.port)
        TerraformOutput(self, "database_name", value=database.database_name)
        TerraformOutput(self, "database_master_user_secret_arn", value=database.master_user_secret_arn)
        TerraformOutput(self, "database_security_group_id", value=database.security_group_id)
        TerraformOutput(self, "database_client_security_group_id", value=database.client_security_group_id)
        if database.proxy_endpoint is not None:
            TerraformOutput(self, "database_proxy_endpoint", value=database.proxy_endpoint)
            TerraformOutput(self, "database_proxy_security_group_id", value=database.proxy_security_group_id)
        TerraformOutput(self, "database_iam_resource_id", value=database.connection.iam_resource_id)
        TerraformOutput(self, "rds_runbooks", value=database.runbooks)
        TerraformOutput(self, "cdn_distribution_id", value=cdn.distribution_id)
        TerraformOutput(self, "cdn_distribution_arn", value=cdn.distribution_arn)
        TerraformOutput(self, "cdn_domain_name", value=cdn.domain_name)
        TerraformOutput(self, "cdn_hosted_zone_id", value=cdn.hosted_zone_id)
        TerraformOutput(self, "cdn_assets_bucket_name", value=cdn.assets_bucket_name)
        TerraformOutput(self, "cdn_assets_bucket_arn", value=cdn.assets_bucket_arn)
        TerraformOutput(self, "cdn_log_bucket_name", value=cdn.log_bucket_name)
        if cdn.edge_alert_topic_arn is not None:
            TerraformOutput(self, "cdn_edge_alert_topic_arn", value=cdn.edge_alert_topic_arn)
        if cdn.web_acl_arn is not None:
            TerraformOutput(self, "cdn_web_acl_arn", value=cdn.web_acl_arn)
