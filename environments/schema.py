"""`EnvironmentConfig`: everything that differs between dev, staging and prod.

Defaults live once, in the module models, and are production's; `environments/<env>.yaml`
holds only what differs from them.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from environments.usage import UsageAssumptions
from modules.budgets.config import AccountBudgetConfig, AnomalyDetectionConfig, BudgetConfig
from modules.cdn.config import CdnConfig, CdnPolicies
from modules.core.base import StrictModel
from modules.core.kms_config import EncryptionConfig
from modules.core.label import Context, NamePart
from modules.delivery.config import DeliveryConfig
from modules.elasticache.config import ElastiCacheConfig
from modules.lambda_service.config import LambdaServiceConfig
from modules.network.config import NetworkConfig
from modules.observability.config import AlertsConfig, MonitoringConfig, SloConfig
from modules.rds.config import RdsConfig
from modules.state.config import StateBucketConfig

# Commercial regions where every service the stacks use (Lambda, RDS Proxy, ElastiCache
# replica autoscaling, Budgets, CloudFront's us-east-1 metrics) is offered.
AwsRegion = Literal[
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
    "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1",
    "eu-south-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
    "ap-southeast-2", "sa-east-1",
]  # fmt: skip


class StackSetConfig(StrictModel):
    """What every set of stacks (bootstrap + main) shares: where it lives, its names and its state."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)

    name: str = Field(description="Taken from the file name, never from YAML.")
    region: AwsRegion = Field(default="eu-central-1", description="AWS region of the stacks.")
    namespace: NamePart = Field(default="matbakh", description="Prefix of every resource name.")
    service: NamePart = Field(default="api", description="Service tag and name part of every resource.")
    cost_center: str = Field(default="matbakh-platform", description="`CostCenter` tag for cost allocation.")
    state: StateBucketConfig = Field(default_factory=StateBucketConfig)
    account_id: str | None = Field(
        default=None,
        description="The AWS account the stacks deploy to (12 digits, quoted): every AWS provider gets "
        "`allowed_account_ids` with it, and the global names (buckets) carry it; null: not named yet.",
    )

    @field_validator("account_id", mode="before")
    @classmethod
    def _account_id_is_twelve_digits(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(
                "must be the account's 12 digits written as a quoted string (an unquoted number loses its "
                "leading zeros), or null"
            )
        if not re.fullmatch(r"\d{12}", value):
            raise ValueError("must be exactly 12 digits (the AWS account id), or null")
        return value

    @property
    def context(self) -> Context:
        return Context(
            namespace=self.namespace, environment=self.name, service=self.service, cost_center=self.cost_center
        )

    @property
    def state_key(self) -> str:
        """The stack set's own object key in its state bucket."""
        return f"{self.name}/{self.namespace}-{self.service}.tfstate"


class AccountConfig(StackSetConfig):
    """The account-level stack shared by every environment, from `environments/account.yaml`."""

    name: Literal["account"] = Field(description="Taken from the file name, never from YAML.")
    region: AwsRegion = Field(
        default="us-east-1", description="Cost Explorer (anomaly detection) is served from us-east-1 only."
    )
    service: NamePart = Field(default="shared", description="Service tag and name part of every resource.")
    budget: AccountBudgetConfig = Field(default_factory=AccountBudgetConfig)
    anomaly_detection: AnomalyDetectionConfig = Field(default_factory=AnomalyDetectionConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    cdn_policies: CdnPolicies = Field(
        default_factory=CdnPolicies,
        description="The CloudFront cache and response headers policies of every environment's distribution, "
        "owned by `account-bootstrap` (no environment's CI role may write them).",
    )


class EnvironmentConfig(StackSetConfig):
    """One environment, validated from `environments/<name>.yaml`."""

    name: Literal["dev", "staging", "prod"] = Field(description="Taken from the file name, never from YAML.")
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    lambda_service: LambdaServiceConfig = Field(default_factory=LambdaServiceConfig, alias="lambda")
    rds: RdsConfig = Field(default_factory=RdsConfig)
    elasticache: ElastiCacheConfig | None = Field(
        default_factory=ElastiCacheConfig, description="The cache; null: the environment has none."
    )
    budget: BudgetConfig = Field(default_factory=BudgetConfig)
    slo: SloConfig = Field(default_factory=SloConfig)
    cdn: CdnConfig = Field(default_factory=CdnConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    monitoring: MonitoringConfig = Field(default_factory=MonitoringConfig)
    usage: UsageAssumptions = Field(default_factory=UsageAssumptions)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    encryption: EncryptionConfig = Field(default_factory=EncryptionConfig)
    account_id: str | None = Field(
        default=None,
        description="The AWS account of this environment (12 digits, quoted); unset: `account_id` of "
        "environments/account.yaml (the loader fills it in).",
    )

    @field_validator("elasticache")
    @classmethod
    def _prod_cache_is_multi_az(cls, value: ElastiCacheConfig | None, info: ValidationInfo) -> ElastiCacheConfig | None:
        if info.data.get("name") == "prod" and value is not None and value.replicas.min < 1:
            raise ValueError(
                f"replicas.min must be ≥ 1 in prod: production always keeps a replica for Multi-AZ failover "
                f"(got replicas.min = {value.replicas.min})"
            )
        return value

    @field_validator("rds")
    @classmethod
    def _prod_database_is_safe(cls, value: RdsConfig, info: ValidationInfo) -> RdsConfig:
        if info.data.get("name") != "prod":
            return value
        problems = []
        if not value.multi_az:
            problems.append("multi_az must be true in prod: a standby in another zone takes over on failure")
        if value.backup_retention_days < 7:
            problems.append(
                f"backup_retention_days must be ≥ 7 in prod (got {value.backup_retention_days}): a week of "
                "point-in-time recovery"
            )
        if not value.deletion_protection:
            problems.append("deletion_protection must be true in prod")
        if not value.final_snapshot:
            problems.append("final_snapshot must be true in prod")
        if value.running_hours is not None:
            problems.append("running_hours must be null in prod: production's database runs around the clock")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("encryption")
    @classmethod
    def _prod_keys_per_service(cls, value: EncryptionConfig, info: ValidationInfo) -> EncryptionConfig:
        if info.data.get("name") == "prod" and value.keys != "per-service":
            raise ValueError(
                "keys must be per-service in prod: a grant on one service's key must not reveal another's data"
            )
        return value

    @field_validator("delivery")
    @classmethod
    def _pull_requests_plan_dev_only(cls, value: DeliveryConfig, info: ValidationInfo) -> DeliveryConfig:
        name = info.data.get("name")
        if value.plan_pull_requests and name in ("staging", "prod"):
            raise ValueError(
                f"plan_pull_requests must be false in {name}: a pull request's author could read {name}'s state "
                "and secrets through its plan role (allowed: dev; staging and prod are planned on the branch)"
            )
        return value

    @field_validator("network")
    @classmethod
    def _zones_in_region(cls, value: NetworkConfig, info: ValidationInfo) -> NetworkConfig:
        region = info.data.get("region")
        outside = [zone for zone in value.availability_zones if region and zone[:-1] != region]
        if outside:
            raise ValueError(
                f"availability_zones must be zones of the region {region} (e.g. {region}a, {region}b); "
                f"not {', '.join(outside)}"
            )
        return value

    @model_validator(mode="after")
    def _used_stores_exist(self) -> EnvironmentConfig:
        stores = {"database": self.rds, "cache": self.elasticache}
        missing = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "store_missing",
                    f"the function uses the {store}, but the environment has none "
                    f"({'elasticache' if store == 'cache' else 'rds'} is null); remove it from uses or configure one",
                ),
                loc=("lambda", "functions", key, "uses", index),
                input=store,
            )
            for key, settings in sorted(self.lambda_service.functions.items())
            for index, store in enumerate(settings.uses)
            if stores[store] is None
        ]
        if missing:
            raise ValidationError.from_exception_data(type(self).__name__, missing)
        return self

    @model_validator(mode="after")
    def _own_cdn_policies_only_alone(self) -> EnvironmentConfig:
        if self.cdn.policies is not None and not self.delivery.create_oidc_provider:
            error = PydanticCustomError(
                "shared_cdn_policies",
                "an environment sharing the account uses the account's CloudFront policies (cdn_policies in "
                "environments/account.yaml, owned by account-bootstrap); only an environment alone in an account "
                "of its own (delivery.create_oidc_provider: true) has its own: remove cdn.policies",
            )
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=error, loc=("cdn", "policies"), input=self.cdn.policies.model_dump(exclude_defaults=True)
                    )
                ],
            )
        return self

    @property
    def own_cdn_policies(self) -> CdnPolicies | None:
        """The CloudFront policies this environment's bootstrap owns: only alone in an account of its
        own (it creates its OIDC provider too); otherwise None, the account's are looked up by name."""
        if not self.delivery.create_oidc_provider:
            return None
        return self.cdn.policies or CdnPolicies()
