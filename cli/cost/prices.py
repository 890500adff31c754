"""The versioned price table of a region (`cli/cost/prices/<region>.yaml`), in USD, and the dated
USD/EUR rate (`cli/cost/exchange-rate.yaml`).

Every figure names its source (a URL) and the date it was read there, and records whether it was
checked against a copy of AWS's price list (`verified`); `PriceTable.unverified()` lists the
others so that reports can say so. `free_tiers` are what AWS gives each account a month: the
account total credits them once (cli/cost/account.py), an environment's estimate never does.
"""

from __future__ import annotations

import datetime
import functools
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cli.errors import UserError

PRICES_DIR = Path(__file__).resolve().parent / "prices"
EXCHANGE_RATE_FILE = Path(__file__).resolve().parent / "exchange-rate.yaml"
Architecture = Literal["arm64", "x86_64"]
_URL = r"^https://\S+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Sourced(_Strict):
    """Where a figure was read (`source`, a URL) and when (`date`); `verified` only if checked
    against a copy of AWS's price list, which `note` names (rate code or usage type)."""

    source: str = Field(pattern=_URL)
    date: datetime.date
    verified: bool = False
    note: str = ""


class Price(_Sourced):
    usd: float = Field(ge=0)


class PerArchitecture(_Strict):
    arm64: Price
    x86_64: Price

    def of(self, architecture: Architecture) -> Price:
        return self.arm64 if architecture == "arm64" else self.x86_64


class LambdaPrices(_Strict):
    requests_per_million: Price
    duration_gb_second: PerArchitecture
    provisioned_concurrency_gb_second: PerArchitecture
    duration_with_provisioned_concurrency_gb_second: PerArchitecture


class RdsInstancePrice(_Sourced):
    single_az: float = Field(ge=0)
    multi_az: float = Field(ge=0)
    vcpus: int = Field(ge=1)


class RdsStoragePrices(_Strict):
    single_az: Price
    multi_az: Price


class RdsPrices(_Strict):
    instance_hour: dict[str, RdsInstancePrice]
    gp3_gb_month: RdsStoragePrices
    proxy_vcpu_hour: Price
    proxy_min_vcpus: int = Field(ge=1)
    performance_insights_paid_vcpu_month: Price


class MeteredMinimum(_Sourced):
    """The least of a quantity AWS bills, however little is used."""

    quantity: float = Field(gt=0)
    unit: str


class ElastiCachePrices(_Strict):
    node_hour: dict[str, Price]
    serverless_storage_gb_hour: Price
    serverless_ecpu_per_million: Price
    serverless_minimum_storage: MeteredMinimum


class CloudFrontPrices(_Strict):
    https_requests_per_10k: Price
    data_transfer_out_gb: Price
    origin_shield_requests_per_10k: Price
    additional_metrics_distribution_month: Price


class WafPrices(_Strict):
    web_acl_month: Price
    rule_month: Price
    requests_per_million: Price


class AlarmPrices(_Strict):
    standard: Price
    high_resolution: Price


class CloudWatchPrices(_Strict):
    alarm_metric_month: AlarmPrices
    composite_alarm_month: Price
    dashboard_month: Price
    logs_ingestion_gb: Price
    logs_storage_gb_month: Price


class KmsPrices(_Strict):
    key_month: Price
    rotation_month: Price
    rotations_charged: int = Field(ge=0, description="Rotations that add `rotation_month` each; later ones are free.")


class SecretsPrices(_Strict):
    secret_month: Price
    api_calls_per_10k: Price


class SqsPrices(_Strict):
    requests_per_million: Price


class SnsPrices(_Strict):
    publishes_per_million: Price


class S3Prices(_Strict):
    storage_gb_month: Price


class VpcPrices(_Strict):
    nat_gateway_hour: Price
    nat_gateway_gb: Price
    interface_endpoint_hour_per_az: Price
    interface_endpoint_gb: Price


class BudgetPrices(_Strict):
    budget_day: Price
    action_enabled_budget_day: Price


class SchedulerPrices(_Strict):
    invocations_per_million: Price


class XRayPrices(_Strict):
    traces_recorded_per_million: Price


class FreeTier(_Sourced):
    """So much of a metered quantity a month is free, per account; `limit` bounds each item (a
    dashboard's metrics) where AWS says so."""

    quantity: float = Field(gt=0)
    unit: str
    limit: float | None = Field(default=None, gt=0)


class FreeTiers(_Strict):
    cloudwatch_alarm_metrics: FreeTier
    cloudwatch_dashboards: FreeTier
    cloudwatch_logs_gb: FreeTier
    cloudfront_data_transfer_gb: FreeTier
    cloudfront_requests: FreeTier
    lambda_requests: FreeTier
    lambda_gb_seconds: FreeTier
    xray_traces_recorded: FreeTier
    budgets_action_enabled: FreeTier
    scheduler_invocations: FreeTier

    def of(self, name: str) -> FreeTier:
        tier: FreeTier = getattr(self, name)
        return tier


class PriceTable(_Strict):
    """On-demand prices of one region; `free` names the resource types that cost nothing themselves."""

    region: str
    version: int = Field(ge=1)
    date: datetime.date
    hours_per_month: float = Field(gt=0)
    sources: tuple[str, ...] = Field(min_length=1)
    sources_: dict[str, str] = Field(default_factory=dict, alias="_sources")
    lambda_: LambdaPrices = Field(alias="lambda")
    rds: RdsPrices
    elasticache: ElastiCachePrices
    cloudfront: CloudFrontPrices
    wafv2: WafPrices
    cloudwatch: CloudWatchPrices
    kms: KmsPrices
    secretsmanager: SecretsPrices
    sqs: SqsPrices
    sns: SnsPrices
    s3: S3Prices
    vpc: VpcPrices
    budgets: BudgetPrices
    scheduler: SchedulerPrices
    xray: XRayPrices
    free_tiers: FreeTiers
    free: dict[str, str]

    def rds_instance(self, instance_class: str) -> RdsInstancePrice:
        try:
            return self.rds.instance_hour[instance_class]
        except KeyError:
            known = ", ".join(sorted(self.rds.instance_hour))
            message = f"no price for RDS instance class {instance_class} in {self.region}; known: {known}"
            raise KeyError(message) from None

    def monthly_instance_price_usd(self, instance_class: str, multi_az: bool) -> float:
        """What one PostgreSQL instance of `instance_class` costs a month, on demand."""
        price = self.rds_instance(instance_class)
        return (price.multi_az if multi_az else price.single_az) * self.hours_per_month

    def cache_node_monthly_usd(self, node_type: str) -> float:
        """What one Valkey node of `node_type` costs a month, on demand."""
        return self.elasticache.node_hour[node_type].usd * self.hours_per_month

    def figures(self) -> dict[str, _Sourced]:
        """Every sourced figure (prices and free tiers) by dotted name, e.g. `lambda.requests_per_million`."""
        found: dict[str, _Sourced] = {}

        def walk(value: object, where: str) -> None:
            if isinstance(value, _Sourced):
                found[where] = value
            elif isinstance(value, BaseModel):
                for name in type(value).model_fields:
                    walk(getattr(value, name), f"{where}.{name.removesuffix('_')}".strip("."))
            elif isinstance(value, dict):
                for key, item in value.items():
                    walk(item, f"{where}.{key}")

        walk(self, "")
        return found

    def unverified(self) -> list[str]:
        """Dotted names of the figures not checked against a copy of AWS's price list."""
        return [name for name, figure in self.figures().items() if not figure.verified]


@functools.cache
def load_price_table(region: str) -> PriceTable:
    path = PRICES_DIR / f"{region}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in PRICES_DIR.glob("*.yaml")))
        raise UserError(f"no price table for region {region} ({path}); tables exist for: {known}", exit_code=2)
    try:
        return PriceTable.model_validate(yaml.safe_load(path.read_text()))
    except ValidationError as error:
        raise UserError(f"{path}: invalid price table: {error}", exit_code=2) from None


class ExchangeRate(_Strict):
    """The ECB reference rate for the US dollar averaged over one month (`period`, YYYY-MM)."""

    usd_per_eur: float = Field(gt=0)
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    date: datetime.date
    source: str = Field(pattern=_URL)
    copy_: str = Field(alias="copy", pattern=_URL)
    note: str = ""

    def describe(self) -> str:
        return f"{self.usd_per_eur} USD/EUR (ECB reference rate, {self.period} average)"


@functools.cache
def load_exchange_rate(path: Path = EXCHANGE_RATE_FILE) -> ExchangeRate:
    """The dated, sourced USD/EUR rate every estimate converts at."""
    try:
        data = yaml.safe_load(path.read_text())
        if isinstance(data, dict) and "period" in data:
            data["period"] = str(data["period"])  # YAML reads 2026-07 as a string, 2026-7 not at all
        return ExchangeRate.model_validate(data)
    except OSError as error:
        raise UserError(f"{path}: cannot read the exchange rate ({error})", exit_code=2) from None
    except ValidationError as error:
        raise UserError(f"{path}: invalid exchange rate: {error}", exit_code=2) from None
