"""Inputs of the Lambda functions: one model per function, keyed by a stable name.

Defaults are production's. `functions` given in YAML are merged over the default (critical)
functions key by key, so `functions: {auth: {memory_mb: 1024}}` changes one setting of `auth`
and `functions: {report: {...}}` adds a function; the critical functions cannot be removed.
"""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from modules.core.base import LogRetentionDays, StrictModel
from modules.core.scaling import ScalingRange

PLACEHOLDER_PACKAGE_FILE = "lambda-placeholder.zip"
"""Written beside each synthesized stack by the CLI; used by functions without `code`."""

UNRESERVED_CONCURRENCY_FLOOR = 100
"""AWS keeps at least this much of the account's concurrency unreserved."""

SNAP_START_RUNTIMES = frozenset({"java11", "java17", "java21", "python3.12", "python3.13", "dotnet8"})

Runtime = Literal["python3.12", "python3.13", "nodejs20.x", "nodejs22.x", "java17", "java21", "dotnet8"]

FunctionKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=24)]
"""Stable name of a function: part of its AWS name and its Terraform address."""

_DAY = r"(MON|TUE|WED|THU|FRI|SAT|SUN)"
_DAYS = rf"^{_DAY}(-{_DAY})?(,{_DAY}(-{_DAY})?)*$"
_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class DeploymentPackage(StrictModel):
    """Where the build pipeline put the function's zip; Terraform deploys exactly this object."""

    s3_bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description="Artifact bucket.")
    s3_key: str = Field(min_length=1, max_length=1024, description="Object key of the zip.")
    s3_object_version: str | None = Field(default=None, description="Pinned object version, if versioned.")


class ProvisionedConcurrency(StrictModel):
    """Target tracking of the alias's provisioned concurrency within the environment's range."""

    target_utilization: float = Field(
        default=0.70, ge=0.1, le=0.9, description="LambdaProvisionedConcurrencyUtilization to hold (0.1–0.9)."
    )
    scale_in_cooldown_seconds: int = Field(default=300, ge=0, le=3600, description="Wait after a scale-in.")
    scale_out_cooldown_seconds: int = Field(default=60, ge=0, le=3600, description="Wait after a scale-out.")


class Warmer(StrictModel):
    """An EventBridge Scheduler schedule that invokes the alias with a warm-up event."""

    rate_minutes: int = Field(default=5, ge=1, le=60, description="Minutes between warm-up invocations.")


class VpcPlacement(StrictModel):
    """Subnets and security groups that let the function reach RDS and the cache."""

    subnet_ids: tuple[Annotated[str, Field(pattern=r"^subnet-[0-9a-f]{8,17}$")], ...] = Field(
        min_length=1, description="Private subnets, ideally one per availability zone."
    )
    security_group_ids: tuple[Annotated[str, Field(pattern=r"^sg-[0-9a-f]{8,17}$")], ...] = Field(
        min_length=1, max_length=5, description="Security groups of the function's network interfaces."
    )


class RdsProxyGrant(StrictModel):
    """IAM authentication through the stack's own RDS Proxy as one database user."""

    db_user: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$",
        description="Database user to connect as; the proxy holds a secret for rds.master_username only.",
    )


class CacheGrant(StrictModel):
    """IAM authentication to an ElastiCache replication group as one user."""

    replication_group_id: str = Field(pattern=r"^[a-z][a-z0-9-]{0,39}$", description="Replication group id.")
    user_id: str = Field(pattern=r"^[a-zA-Z][a-zA-Z0-9-]{0,39}$", description="ElastiCache user id.")


class BucketGrant(StrictModel):
    """Objects under one prefix of one bucket."""

    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description="Bucket name.")
    prefix: str = Field(default="", pattern=r"^[A-Za-z0-9!_.'()/-]*$", description="Key prefix; empty = all.")
    access: Literal["read", "read-write"] = Field(default="read", description="Object access granted.")


class DataGrants(StrictModel):
    """The data stores a function may use; nothing else is granted."""

    rds_proxy: RdsProxyGrant | None = Field(default=None, description="Database access through the proxy.")
    cache: CacheGrant | None = Field(default=None, description="Cache access.")
    buckets: dict[FunctionKey, BucketGrant] = Field(default_factory=dict, description="Buckets, keyed by name.")
    secrets: tuple[Annotated[str, Field(pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$")], ...] = Field(
        default=(), description="Secrets Manager secret names the function may read."
    )


class LambdaFunctionSettings(StrictModel):
    """One function: a published version, a `live` alias, its own role, log group and DLQ."""

    description: str = Field(default="", max_length=256, description="What the function does.")
    critical: bool = Field(
        default=True, description="Serves users directly: gets SLO alarms (p95, error-rate and availability burn)."
    )
    runtime: Runtime = Field(default="python3.12", description="Lambda runtime identifier.")
    handler: str = Field(default="index.handler", min_length=1, max_length=128, description="Entry point.")
    architecture: Literal["arm64", "x86_64"] = Field(default="arm64", description="Instruction set.")
    memory_mb: int = Field(default=512, ge=128, le=10240, description="Memory (AWS allows 128–10240 MB).")
    timeout_seconds: int = Field(default=10, ge=1, le=900, description="Timeout (AWS allows 1–900 s).")
    reserved_concurrency: int = Field(
        default=50, ge=1, description="Concurrency reserved for, and capping, the function (the cost cap)."
    )
    alias_name: str | None = Field(
        default="live",
        pattern=r"^[a-zA-Z][a-zA-Z0-9_-]{0,127}$",
        description="Alias on the published version; None: no alias (then no provisioned concurrency).",
    )
    provisioned_concurrency: ProvisionedConcurrency | None = Field(
        default_factory=ProvisionedConcurrency,
        description="Provisioned-concurrency autoscaling on the alias, within `lambda.provisioned_concurrency`.",
    )
    snap_start: bool = Field(
        default=False, description="SnapStart on published versions (not together with provisioned concurrency)."
    )
    warmer: Warmer | None = Field(default=None, description="Scheduled warm-up invocations; off by default.")
    vpc: VpcPlacement | None = Field(default=None, description="VPC placement; None runs outside a VPC.")
    grants: DataGrants = Field(default_factory=DataGrants, description="Data stores the function may use.")
    environment_variables: dict[
        Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")], Annotated[str, Field(max_length=4096)]
    ] = Field(default_factory=dict, description="Environment variables (encrypted with the service's key).")
    log_retention_days: LogRetentionDays = Field(default=365, description="CloudWatch Logs retention.")
    code: DeploymentPackage | None = Field(
        default=None, description=f"The deployment package; None: the CLI's `{PLACEHOLDER_PACKAGE_FILE}`."
    )


def _critical(description: str, **settings: Any) -> LambdaFunctionSettings:
    return LambdaFunctionSettings(description=description, **settings)


DEFAULT_FUNCTIONS: dict[str, LambdaFunctionSettings] = {
    "persona": _critical("Builds and serves user personas."),
    "vc-start": _critical("Starts a visibility check.", timeout_seconds=30),
    "vc-result": _critical("Returns the result of a visibility check."),
    "auth": _critical("Authenticates users and issues sessions."),
    "upload": _critical("Accepts uploads and hands them to storage.", memory_mb=1024, timeout_seconds=30),
}


class ScheduleWindow(StrictModel):
    """Raise the provisioned-concurrency minimum from `start` to `end` on `days` (local time)."""

    days: str = Field(default="MON-FRI", pattern=_DAYS, description="Cron day-of-week, e.g. `MON-FRI`.")
    start: str = Field(default="07:00", pattern=_CLOCK, description="Local start time, `HH:MM`.")
    end: str = Field(default="20:00", pattern=_CLOCK, description="Local end time, `HH:MM`.")
    min: int = Field(default=5, ge=1, description="Provisioned-concurrency minimum inside the window.")

    @model_validator(mode="after")
    def _start_before_end(self) -> ScheduleWindow:
        if self.start >= self.end:
            raise ValueError(f"start ({self.start}) must be before end ({self.end}) on the same day")
        return self

    def cron(self, clock: str) -> str:
        """`cron(M H ? * DAYS *)`: Application Auto Scaling's six-field cron at `clock`."""
        hour, minute = (int(part) for part in clock.split(":"))
        return f"cron({minute} {hour} ? * {self.days} *)"


class ScalingSchedule(StrictModel):
    """Business-hours windows, in one time zone, that move the target's minimum."""

    time_zone: str = Field(default="Europe/Berlin", description="IANA time zone of the windows.")
    windows: dict[FunctionKey, ScheduleWindow] = Field(
        default_factory=lambda: {"business-hours": ScheduleWindow()},
        min_length=1,
        description="Windows keyed by a stable name.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown IANA time zone, e.g. Europe/Berlin or UTC") from None
        return value


def _error(location: tuple[str | int, ...], message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError("lambda_settings", message.replace("{", "{{").replace("}", "}}")),
        loc=location,
        input=value,
    )


class LambdaServiceConfig(StrictModel):
    """The API's functions and how their concurrency scales; defaults are production's."""

    provisioned_concurrency: ScalingRange = Field(
        default=ScalingRange(min=2, max=20),
        description="Provisioned-concurrency bounds of every function that asks for it; min 0: none outside windows.",
    )
    schedule: ScalingSchedule | None = Field(
        default_factory=ScalingSchedule, description="Scheduled minimum raises; None: target tracking only."
    )
    account_concurrency_quota: int = Field(
        default=1000, ge=1, description="The account's Lambda concurrent-executions quota in this region."
    )
    functions: dict[FunctionKey, LambdaFunctionSettings] = Field(
        default_factory=lambda: dict(DEFAULT_FUNCTIONS),
        description="Functions keyed by a stable name, merged over the critical ones.",
    )

    @field_validator("functions", mode="before")
    @classmethod
    def _merge_over_defaults(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        merged: dict[str, Any] = {
            key: settings.model_dump(exclude_unset=True) for key, settings in DEFAULT_FUNCTIONS.items()
        }
        for key, given in value.items():
            if isinstance(given, LambdaFunctionSettings):
                given = given.model_dump(exclude_unset=True)
            if isinstance(given, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **given}
            else:
                merged[key] = given
        return merged

    def has_provisioned_concurrency(self, key: str) -> bool:
        """Whether `key` gets an autoscaling target here: min 0 without windows means none at all."""
        settings = self.functions[key]
        if settings.provisioned_concurrency is None or settings.alias_name is None:
            return False
        return self.provisioned_concurrency.min > 0 or self.schedule is not None

    @model_validator(mode="after")
    def _concurrency_is_consistent(self) -> LambdaServiceConfig:
        errors: list[InitErrorDetails] = []
        pc = self.provisioned_concurrency
        if self.schedule is not None:
            for name, window in self.schedule.windows.items():
                if not pc.min <= window.min <= pc.max:
                    errors.append(
                        _error(
                            ("schedule", "windows", name, "min"),
                            f"must be within provisioned_concurrency {pc.min}–{pc.max}",
                            window.min,
                        )
                    )
        for key, settings in self.functions.items():
            where = ("functions", key)
            if settings.provisioned_concurrency is not None and settings.alias_name is None:
                errors.append(
                    _error(
                        (*where, "provisioned_concurrency"),
                        "needs an alias: set alias_name, or set provisioned_concurrency to null",
                        settings.provisioned_concurrency.model_dump(),
                    )
                )
            if self.has_provisioned_concurrency(key) and pc.max > settings.reserved_concurrency:
                errors.append(
                    _error(
                        (*where, "reserved_concurrency"),
                        f"must be ≥ the provisioned-concurrency max ({pc.max})",
                        settings.reserved_concurrency,
                    )
                )
            if settings.snap_start and settings.runtime not in SNAP_START_RUNTIMES:
                errors.append(
                    _error(
                        (*where, "snap_start"),
                        f"runtime {settings.runtime} has no SnapStart; "
                        f"allowed: {', '.join(sorted(SNAP_START_RUNTIMES))}",
                        settings.snap_start,
                    )
                )
            if settings.snap_start and self.has_provisioned_concurrency(key):
                errors.append(
                    _error(
                        (*where, "snap_start"),
                        "AWS does not allow SnapStart with provisioned concurrency; "
                        "set provisioned_concurrency to null, or snap_start to false",
                        settings.snap_start,
                    )
                )
            if settings.warmer is not None and self.has_provisioned_concurrency(key):
                errors.append(
                    _error(
                        (*where, "warmer"),
                        "is for functions without provisioned concurrency; set one of them to null",
                        settings.warmer.model_dump(),
                    )
                )
        reserved = sum(settings.reserved_concurrency for settings in self.functions.values())
        reservable = self.account_concurrency_quota - UNRESERVED_CONCURRENCY_FLOOR
        if reserved > reservable:
            errors.append(
                _error(
                    ("account_concurrency_quota",),
                    f"the functions reserve {reserved} in total, but a quota of {self.account_concurrency_quota} "
                    f"leaves only {max(reservable, 0)} (AWS keeps {UNRESERVED_CONCURRENCY_FLOOR} unreserved); "
                    "lower reserved_concurrency or ask AWS for a higher quota",
                    self.account_concurrency_quota,
                )
            )
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self
