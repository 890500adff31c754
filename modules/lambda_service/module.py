"""The API's Lambda functions: each with a published version, an alias, its own least-privilege
role, an encrypted log group and dead-letter queue, a reserved-concurrency cap, and either
provisioned-concurrency autoscaling on the alias or an optional cold-start mitigation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from modules.core.account import AwsAccount
from modules.core.cdk import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
    AppautoscalingScheduledAction,
    AppautoscalingScheduledActionScalableTargetAction,
    AppautoscalingTarget,
    CloudwatchLogGroup,
    Construct,
    LambdaAlias,
    LambdaFunction,
    LambdaFunctionDeadLetterConfig,
    LambdaFunctionEnvironment,
    LambdaFunctionSnapStart,
    LambdaFunctionTracingConfig,
    LambdaFunctionVpcConfig,
    SchedulerSchedule,
    SchedulerScheduleFlexibleTimeWindow,
    SchedulerScheduleTarget,
    SchedulerScheduleTargetRetryPolicy,
    SqsQueue,
    TerraformResourceLifecycle,
)
from modules.core.iam import Statement
from modules.core.kms import LOGS_KEY_ACTIONS, PER_SERVICE_KEYS, KeyGrant, KeyReference, KeySource
from modules.core.label import Context
from modules.core.roles import service_role
from modules.elasticache.module import ElastiCacheCluster
from modules.lambda_service.config import (
    DeploymentPackage,
    LambdaFunctionSettings,
    LambdaServiceConfig,
    ProvisionedConcurrency,
    Route,
    ScalingSchedule,
    SourceDirectory,
)
from modules.lambda_service.package import PLACEHOLDER_PACKAGE_FILE
from modules.network.module import PrivateNetwork
from modules.rds.module import PostgresDatabase

WILDCARD_RESOURCE_ACTIONS: dict[str, str] = {
    "xray:PutTraceSegments": "X-Ray offers no resource-level permissions for sending traces.",
    "xray:PutTelemetryRecords": "X-Ray offers no resource-level permissions for sending telemetry.",
    "ec2:DescribeNetworkInterfaces": "EC2 Describe actions offer no resource-level permissions.",
}
"""The only actions our roles allow on `*`, each because AWS offers no narrower resource."""

WARM_UP_EVENT = '{"warmup": true}'
"""What the warmer sends; the handler returns at once when it sees it."""

PROVISIONED_CONCURRENCY_DIMENSION = "lambda:function:ProvisionedConcurrency"


@dataclass(frozen=True)
class _ScalableTarget:
    """An Application Auto Scaling target's references, which its policy and actions repeat."""

    namespace: str
    resource_id: str
    dimension: str


@dataclass(frozen=True)
class FunctionPackage:
    """A zip the CLI built from a `SourceDirectory` and wrote beside the stack."""

    filename: str
    sha256_base64: str


@dataclass(frozen=True)
class DataStores:
    """What the functions may connect to: the stack's network, database (or its proxy) and cache (by object)."""

    network: PrivateNetwork
    database: PostgresDatabase | None = None
    cache: ElastiCacheCluster | None = None

    def placement(self, settings: LambdaFunctionSettings) -> tuple[list[str], list[str]]:
        """The subnets and security groups of a function that uses stores; none for one that does not."""
        if not settings.uses:
            return [], []
        groups = [self._store(name).client_security_group_id for name in settings.uses]
        if self.network.endpoint_client_security_group_id is not None:
            groups.append(self.network.endpoint_client_security_group_id)
        return list(self.network.private_subnet_ids), groups

    def _store(self, name: str) -> PostgresDatabase | ElastiCacheCluster:
        store = self.database if name == "database" else self.cache
        if store is None:  # the configuration schema reports this first, naming the file
            raise ValueError(f"a function uses the {name}, but the stack has none")
        return store


@dataclass(frozen=True)
class DeployedFunction:
    """What other modules and the stack's outputs need of one function."""

    function_name: str
    function_arn: str
    alias_name: str | None
    alias_arn: str | None
    function_name_reference: str  # the same name, as a reference: what depends on it waits for it
    alias_name_reference: str | None
    role_arn: str
    log_group_name: str
    dead_letter_queue_arn: str
    autoscaling_resource_id: str | None
    target_utilization: float | None  # what its provisioned-concurrency autoscaling holds; None: none
    timeout_seconds: int
    critical: bool
    routes: tuple[Route, ...]
    uses: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    subnet_ids: tuple[str, ...]

    def metric_dimensions(self) -> dict[str, str]:
        """CloudWatch dimensions of the invoked alias (or the function without one)."""
        if self.alias_name is None:
            return {"FunctionName": self.function_name}
        return {"FunctionName": self.function_name, "Resource": f"{self.function_name}:{self.alias_name}"}


class LambdaService(Construct):
    """Every function of the configuration, one customer-managed key for their logs, queues and
    environment variables; `functions` holds the typed outputs by function key."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: LambdaServiceConfig,
        context: Context,
        stores: DataStores,
        packages: Mapping[str, FunctionPackage] | None = None,
        keys: KeySource = PER_SERVICE_KEYS,
    ) -> None:
        """`packages`: the built zip of each `SourceDirectory` path the functions deploy.

        A function that `uses` a store runs in the stack's private subnets with that store's
        client security group, may authenticate to it with IAM as its own user, and finds its
        endpoint in its environment; a function that uses none stays outside the VPC."""
        super().__init__(scope, id_)
        account = AwsAccount.of(self)
        log_group_prefix = f"/aws/lambda/{context.id()}-"
        key = keys.key(
            self,
            "key",
            context=context,
            grant=KeyGrant(
                "lambda",
                statements=[
                    {
                        "Sid": "CloudWatchLogsEncryptsFunctionLogs",
                        "Effect": "Allow",
                        "Principal": {"Service": f"logs.{account.region}.amazonaws.com"},
                        "Action": sorted(LOGS_KEY_ACTIONS),
                        "Resource": "*",
                        "Condition": {
                            "ArnLike": {
                                "kms:EncryptionContext:aws:logs:arn": account.arn(
                                    "logs", f"log-group:{log_group_prefix}*"
                                )
                            }
                        },
                    }
                ],
            ),
        )
        self.kms_key_arn: str = key.arn
        self.functions: dict[str, DeployedFunction] = {
            name: _Function(
                self,
                name,
                name=name,
                settings=settings,
                config=config,
                context=context,
                account=account,
                key=key,
                stores=stores,
                package=_package(settings, packages or {}),
            ).deployed
            for name, settings in config.functions.items()
        }

    def function_names(self) -> dict[str, str]:
        return {key: function.function_name for key, function in self.functions.items()}

    def alias_arns(self) -> dict[str, str]:
        return {key: f.alias_arn for key, f in self.functions.items() if f.alias_arn is not None}

    def role_arns(self) -> dict[str, str]:
        return {key: function.role_arn for key, function in self.functions.items()}


def _package(settings: LambdaFunctionSettings, packages: Mapping[str, FunctionPackage]) -> FunctionPackage | None:
    if not isinstance(settings.code, SourceDirectory):
        return None
    if settings.code.path not in packages:  # the CLI builds every path the configuration names
        raise ValueError(f"no package was built for {settings.code.path}")
    return packages[settings.code.path]


def execution_role_statements(
    *,
    settings: LambdaFunctionSettings,
    account: AwsAccount,
    log_group_arn: str,
    dead_letter_queue_arn: str,
    key_arn: str,
    function_key: str,
    stores: DataStores,
) -> list[Statement]:
    """Exactly what one function needs: its logs, X-Ray, its DLQ, the key, its stores and its grants."""
    statements: list[Statement] = [
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group_arn}:*",
        },
        {
            "Sid": "SendTraces",
            "Effect": "Allow",
            "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
            "Resource": "*",
        },
        {
            "Sid": "SendToOwnDeadLetterQueue",
            "Effect": "Allow",
            "Action": "sqs:SendMessage",
            "Resource": dead_letter_queue_arn,
        },
        {
            "Sid": "UseServiceKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key_arn,
        },
    ]
    subnet_ids, security_group_ids = stores.placement(settings)
    if subnet_ids:
        statements += [
            {
                "Sid": "DescribeNetworkInterfaces",
                "Effect": "Allow",
                "Action": "ec2:DescribeNetworkInterfaces",
                "Resource": "*",
            },
            {
                "Sid": "ManageNetworkInterfacesInOwnSubnets",
                "Effect": "Allow",
                "Action": [
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:CreateNetworkInterface",
                    "ec2:DeleteNetworkInterface",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                "Resource": [
                    account.arn("ec2", "network-interface/*"),
                    *(account.arn("ec2", f"subnet/{subnet}") for subnet in subnet_ids),
                    *(account.arn("ec2", f"security-group/{group}") for group in security_group_ids),
                ],
            },
        ]
    if "database" in settings.uses and stores.database is not None:
        connection = stores.database.connection
        statements.append(
            {
                "Sid": "ConnectThroughDatabaseProxy" if connection.through_proxy else "ConnectToDatabase",
                "Effect": "Allow",
                "Action": "rds-db:connect",
                "Resource": account.arn("rds-db", f"dbuser:{connection.iam_resource_id}/{connection.user}"),
            }
        )
    if "cache" in settings.uses and stores.cache is not None:
        cache = stores.cache
        statements.append(
            {
                "Sid": "ConnectToCache",
                "Effect": "Allow",
                "Action": "elasticache:Connect",
                "Resource": [cache.arn, cache.users[function_key].user_arn],
            }
        )
    grants = settings.grants
    for name, bucket in sorted(grants.buckets.items()):
        sid = "".join(part.capitalize() for part in name.split("-"))
        actions = ["s3:GetObject"] + (["s3:DeleteObject", "s3:PutObject"] if bucket.access == "read-write" else [])
        bucket_arn = account.arn("s3", bucket.bucket, region=False, account=False)
        statements += [
            {
                "Sid": f"Objects{sid}",
                "Effect": "Allow",
                "Action": actions,
                "Resource": f"{bucket_arn}/{bucket.prefix}*",
            },
            {
                "Sid": f"List{sid}",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": bucket_arn,
                "Condition": {"StringLike": {"s3:prefix": [f"{bucket.prefix}*"]}},
            },
        ]
    if grants.secrets:
        statements.append(
            {
                "Sid": "ReadGrantedSecrets",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                # AWS appends six random characters to a secret's name in its ARN.
                "Resource": [account.arn("secretsmanager", f"secret:{name}-??????") for name in grants.secrets],
            }
        )
    return statements


class _Function(Construct):
    """One function and everything that belongs to it only."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        settings: LambdaFunctionSettings,
        config: LambdaServiceConfig,
        context: Context,
        account: AwsAccount,
        key: KeyReference,
        stores: DataStores,
        package: FunctionPackage | None,
    ) -> None:
        super().__init__(scope, id_)
        function_name = context.id(name)
        store_environment: dict[str, str] = {}
        if "database" in settings.uses and stores.database is not None:
            store_environment.update(stores.database.function_environment())
        if "cache" in settings.uses and stores.cache is not None:
            store_environment.update(stores.cache.connection_environment(name))
        subnet_ids, security_group_ids = stores.placement(settings)
        log_group = CloudwatchLogGroup(
            self,
            "logs",
            name=f"/aws/lambda/{function_name}",
            retention_in_days=settings.log_retention_days,
            kms_key_id=key.arn,
            tags=context.tags,
        )
        dead_letter_queue = SqsQueue(
            self,
            "dlq",
            name=context.id(name, "dlq"),
            kms_master_key_id=key.arn,
            message_retention_seconds=14 * 24 * 3600,
            tags=context.tags,
        )
        dead_letter_queue_arn = dead_letter_queue.arn
        role, role_policy = service_role(
            self,
            "role",
            context=context,
            name=context.id(name, "lambda"),
            description=f"Execution role of {function_name}",
            service="lambda.amazonaws.com",
            policy_name="least-privilege",
            statements=execution_role_statements(
                settings=settings,
                account=account,
                log_group_arn=log_group.arn,
                dead_letter_queue_arn=dead_letter_queue_arn,
                key_arn=key.arn,
                function_key=name,
                stores=stores,
            ),
        )
        role_arn = role.arn
        code = settings.code if isinstance(settings.code, DeploymentPackage) else None
        filename = package.filename if package else (PLACEHOLDER_PACKAGE_FILE if code is None else None)
        function = LambdaFunction(
            self,
            "function",
            function_name=function_name,
            description=settings.description or None,
            role=role_arn,
            runtime=settings.runtime,
            handler=settings.handler,
            architectures=[settings.architecture],
            memory_size=settings.memory_mb,
            timeout=settings.timeout_seconds,
            publish=True,
            reserved_concurrent_executions=settings.reserved_concurrency,
            kms_key_arn=key.arn,
            tracing_config=LambdaFunctionTracingConfig(mode="Active"),
            dead_letter_config=LambdaFunctionDeadLetterConfig(target_arn=dead_letter_queue_arn),
            # Every function has variables, so the key always applies (checkov CKV_AWS_173: a key
            # without variables makes the state drift).
            environment=LambdaFunctionEnvironment(
                variables={
                    "APP_ENVIRONMENT": context.environment,
                    # The handler answers only these (405 for another method on a routed path).
                    **({"APP_ROUTES": ",".join(str(route) for route in settings.routes)} if settings.routes else {}),
                    **store_environment,
                    **settings.environment_variables,
                }
            ),
            vpc_config=LambdaFunctionVpcConfig(subnet_ids=subnet_ids, security_group_ids=security_group_ids)
            if subnet_ids
            else None,
            snap_start=LambdaFunctionSnapStart(apply_on="PublishedVersions") if settings.snap_start else None,
            filename=filename,
            source_code_hash=package.sha256_base64 if package else None,
            s3_bucket=code.s3_bucket if code else None,
            s3_key=code.s3_key if code else None,
            s3_object_version=code.s3_object_version if code else None,
            tags=context.tags,
            # The role must carry its permissions (ENIs, DLQ, key) before Lambda checks them.
            depends_on=[role_policy, log_group],
        )

        alias_arn: str | None = None
        alias_name_reference: str | None = None
        resource_id: str | None = None
        function_arn = invoke_arn = function.arn
        function_name_reference = function.function_name
        if settings.alias_name is not None:
            alias = LambdaAlias(
                self,
                "alias",
                name=settings.alias_name,
                function_name=function_name_reference,
                function_version=function.version,
                description="What clients invoke; provisioned concurrency and autoscaling attach here.",
            )
            alias_arn = invoke_arn = alias.arn
            alias_name_reference = alias.name
            if settings.provisioned_concurrency is not None and config.has_provisioned_concurrency(name):
                resource_id = f"function:{function_name_reference}:{alias_name_reference}"
                self._autoscale(resource_id, settings.provisioned_concurrency, config, context)
        if settings.warmer is not None:
            self._warm(name, settings.warmer.rate_minutes, invoke_arn, context, account, key)

        self.deployed = DeployedFunction(
            function_name=function_name,
            function_arn=function_arn,
            alias_name=settings.alias_name,
            alias_arn=alias_arn,
            function_name_reference=function_name_reference,
            alias_name_reference=alias_name_reference,
            role_arn=role_arn,
            log_group_name=log_group.name,
            dead_letter_queue_arn=dead_letter_queue_arn,
            autoscaling_resource_id=resource_id,
            target_utilization=settings.provisioned_concurrency.target_utilization
            if resource_id is not None and settings.provisioned_concurrency is not None
            else None,
            timeout_seconds=settings.timeout_seconds,
            critical=settings.critical,
            routes=settings.routes,
            uses=settings.uses,
            security_group_ids=tuple(security_group_ids),
            subnet_ids=tuple(subnet_ids),
        )

    def _autoscale(
        self, resource_id: str, scaling: ProvisionedConcurrency, config: LambdaServiceConfig, context: Context
    ) -> None:
        """Target tracking within the range; scheduled windows raise the minimum.

        With a schedule, the target's min/max belong to the scheduled actions once they run, so
        Terraform ignores them (otherwise every apply would undo the current window); the
        actions are chained so that no two calls on the target run concurrently.
        """
        bounds = config.provisioned_concurrency
        schedule = config.schedule
        target = AppautoscalingTarget(
            self,
            "scaling_target",
            service_namespace="lambda",
            resource_id=resource_id,
            scalable_dimension=PROVISIONED_CONCURRENCY_DIMENSION,
            min_capacity=bounds.min,
            max_capacity=bounds.max,
            tags=context.tags,
            lifecycle=TerraformResourceLifecycle(ignore_changes=["min_capacity", "max_capacity"])
            if schedule is not None
            else None,
        )
        # Read once: every attribute read is a round trip to the jsii kernel.
        scalable = _ScalableTarget(target.service_namespace, target.resource_id, target.scalable_dimension)
        policy = AppautoscalingPolicy(
            self,
            "scaling_policy",
            name=context.id(self.node.id, "utilization"),
            policy_type="TargetTrackingScaling",
            service_namespace=scalable.namespace,
            resource_id=scalable.resource_id,
            scalable_dimension=scalable.dimension,
            target_tracking_scaling_policy_configuration=AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
                target_value=scaling.target_utilization,
                scale_in_cooldown=scaling.scale_in_cooldown_seconds,
                scale_out_cooldown=scaling.scale_out_cooldown_seconds,
                predefined_metric_specification=AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification(
                    predefined_metric_type="LambdaProvisionedConcurrencyUtilization"
                ),
            ),
        )
        if schedule is not None:
            self._schedule(scalable, context, policy, schedule, config)

    def _schedule(
        self,
        scalable: _ScalableTarget,
        context: Context,
        policy: AppautoscalingPolicy,
        schedule: ScalingSchedule,
        config: LambdaServiceConfig,
    ) -> None:
        bounds = config.provisioned_concurrency
        outside = bounds.max if schedule.max_outside_windows is None else schedule.max_outside_windows
        previous: AppautoscalingPolicy | AppautoscalingScheduledAction = policy
        for window_name, window in sorted(schedule.windows.items()):
            edges = (("start", window.start, window.min, bounds.max), ("end", window.end, bounds.min, outside))
            for edge, clock, minimum, maximum in edges:
                action = AppautoscalingScheduledAction(
                    self,
                    f"{window_name}_{edge}",
                    name=context.id(self.node.id, window_name, edge),
                    service_namespace=scalable.namespace,
                    resource_id=scalable.resource_id,
                    scalable_dimension=scalable.dimension,
                    schedule=window.cron(clock),
                    timezone=schedule.time_zone,
                    scalable_target_action=AppautoscalingScheduledActionScalableTargetAction(
                        min_capacity=str(minimum), max_capacity=str(maximum)
                    ),
                    depends_on=[previous],
                )
                previous = action

    def _warm(
        self, name: str, rate_minutes: int, invoke_arn: str, context: Context, account: AwsAccount, key: KeyReference
    ) -> None:
        """Invoke the alias every few minutes with a warm-up event, from a role that may do only that."""
        role, _ = service_role(
            self,
            "warmer_role",
            context=context,
            name=context.id(name, "warmer"),
            description=f"EventBridge Scheduler invokes {context.id(name)} to keep it warm",
            service="scheduler.amazonaws.com",
            account_id=account.account_id,
            policy_name="invoke-alias",
            statements=[
                {"Sid": "InvokeAlias", "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": invoke_arn},
                {"Sid": "UseServiceKey", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key.arn},
            ],
        )
        SchedulerSchedule(
            self,
            "warmer",
            name=context.id(name, "warmer"),
            description="Keeps a function without provisioned concurrency warm.",
            schedule_expression=f"rate({rate_minutes} minute{'s' if rate_minutes > 1 else ''})",
            flexible_time_window=SchedulerScheduleFlexibleTimeWindow(mode="OFF"),
            kms_key_arn=key.arn,
            target=SchedulerScheduleTarget(
                arn=invoke_arn,
                role_arn=role.arn,
                input=WARM_UP_EVENT,
                retry_policy=SchedulerScheduleTargetRetryPolicy(maximum_retry_attempts=0),
            ),
        )
