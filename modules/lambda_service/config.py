"""Inputs of the Lambda functions: one model per function, keyed by a stable name.

Defaults are production's. `functions` given in YAML are merged over the default (critical)
functions key by key, so `functions: {auth: {memory_mb: 1024}}` changes one setting of `auth`
and `functions: {report: {...}}` adds a function; the critical functions cannot be removed.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from modules.cdn.config import PATH_PATTERN, PATH_PATTERN_CHARACTERS
from modules.core.base import LogRetentionDays, StrictModel
from modules.core.scaling import ScalingRange
from modules.core.schedule import TimeZone, WeeklyWindow
from modules.lambda_service.package import PLACEHOLDER_PACKAGE_FILE

UNRESERVED_CONCURRENCY_FLOOR = 100
"""AWS keeps at least this much of the account's concurrency unreserved."""

SNAP_START_RUNTIMES = frozenset({"java11", "java17", "java21", "python3.12", "python3.13", "dotnet8"})

Runtime = Literal["python3.12", "python3.13", "nodejs20.x", "nodejs22.x", "java17", "java21", "dotnet8"]

FunctionKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=24)]
"""Stable name of a function: part of its AWS name and its Terraform address."""


class DeploymentPackage(StrictModel):
    """Where the build pipeline put the function's zip; Terraform deploys exactly this object."""

    s3_bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description="Artifact bucket.")
    s3_key: str = Field(min_length=1, max_length=1024, description="Object key of the zip.")
    s3_object_version: str | None = Field(default=None, description="Pinned object version, if versioned.")


class SourceDirectory(StrictModel):
    """A directory of this repository: the CLI zips it at synthesis (deterministically), and
    Terraform deploys it when its content hash changes."""

    path: str = Field(
        pattern=r"^[A-Za-z0-9_.\-/]{1,255}$",
        description="Directory relative to the repository root, e.g. `functions/api`.",
    )

    @field_validator("path")
    @classmethod
    def _inside_the_repository(cls, value: str) -> str:
        if value.startswith("/") or any(part in ("", ".", "..") for part in value.rstrip("/").split("/")):
            raise ValueError("must be a relative path inside the repository, without . or ..")
        return value


DEFAULT_SOURCE = SourceDirectory(path="functions/api")
"""The API's handler shipped in this repository (`functions/api/index.py`)."""


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


Store = Literal["database", "cache"]
"""A data store of the stack that a function can use: its proxy (`database`) or its cache."""

HTTP_METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
_ROUTE = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S+)$")


class Route(StrictModel):
    """`METHOD /path`: a request the front door sends to the function (the path is a CloudFront path pattern)."""

    WRITTEN_AS: ClassVar[str] = "`METHOD /path`"  # how YAML writes one (docs/configuration-reference.md)

    method: str = Field(description="HTTP method.")
    path: str = Field(description="CloudFront path pattern.")

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = _ROUTE.match(value)
        if match is None:
            raise ValueError("must be 'METHOD /path', e.g. 'POST /vc/start'")
        return {"method": match["method"], "path": match["path"]}

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        if value not in HTTP_METHODS:
            raise ValueError(f"unknown HTTP method; allowed: {', '.join(HTTP_METHODS)}")
        return value

    @field_validator("path")
    @classmethod
    def _path_pattern(cls, value: str) -> str:
        if not value.startswith("/") or not PATH_PATTERN.match(value):
            raise ValueError(
                f"must be a CloudFront path pattern starting with /: 1 to 255 of {PATH_PATTERN_CHARACTERS}"
            )
        if value in ("/", "/*", "*"):
            raise ValueError(f"{value!r} is the default behavior (static assets); name the API's own paths")
        return value

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    def overlaps(self, other: Route) -> bool:
        """Whether one path pattern matches the other: CloudFront routes by path only, not by method."""
        return (
            self.path == other.path
            or fnmatch.fnmatchcase(self.path, other.path)
            or fnmatch.fnmatchcase(other.path, self.path)
        )


class BucketGrant(StrictModel):
    """Objects under one prefix of one bucket."""

    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description="Bucket name.")
    prefix: str = Field(default="", pattern=r"^[A-Za-z0-9!_.'()/-]*$", description="Key prefix; empty = all.")
    access: Literal["read", "read-write"] = Field(default="read", description="Object access granted.")


class DataGrants(StrictModel):
    """Buckets and secrets outside the stack a function may use; nothing else is granted."""

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
    uses: tuple[Store, ...] = Field(
        default=(),
        description=(
            "The stack's data stores the function connects to (`database`, `cache`): it then runs in the stack's "
            "private subnets with their client security groups and is granted IAM authentication to each."
        ),
    )
    routes: tuple[Route, ...] = Field(
        default=(),
        description="Requests the CDN's front door sends to the function, each `METHOD /path`; none: not reachable.",
    )
    grants: DataGrants = Field(default_factory=DataGrants, description="Buckets and secrets the function may use.")
    environment_variables: dict[
        Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")], Annotated[str, Field(max_length=4096)]
    ] = Field(default_factory=dict, description="Environment variables (encrypted with the service's key).")
    log_retention_days: LogRetentionDays = Field(default=365, description="CloudWatch Logs retention.")
    code: DeploymentPackage | SourceDirectory | None = Field(
        default=DEFAULT_SOURCE,
        description=(
            "The deployment package: an object the build pipeline put in S3 (`s3_bucket`, `s3_key`, "
            f"`s3_object_version`) or a directory of this repository (`path`); null: the CLI's "
            f"`{PLACEHOLDER_PACKAGE_FILE}` (answers 503; the gate refuses it in staging and prod)."
        ),
    )


def _critical(description: str, routes: tuple[str, ...], **settings: Any) -> LambdaFunctionSettings:
    """A function users call: reachable on its routes, using the database and the cache."""
    return LambdaFunctionSettings(description=description, routes=routes, uses=("database", "cache"), **settings)


DEFAULT_FUNCTIONS: dict[str, LambdaFunctionSettings] = {
    "persona": _critical("Builds and serves user personas.", ("GET /persona/*", "PUT /persona/*")),
    "vc-start": _critical("Starts a visibility check.", ("POST /vc/start",), timeout_seconds=30),
    "vc-result": _critical("Returns the result of a visibility check.", ("GET /vc/result/*",)),
    "auth": _critical("Authenticates users and issues sessions.", ("POST /auth/*", "GET /auth/session")),
    "upload": _critical(
        "Accepts uploads and hands them to storage.", ("POST /upload",), memory_mb=1024, timeout_seconds=30
    ),
}


class ScheduleWindow(WeeklyWindow):
    """Raise the provisioned-concurrency minimum from `start` to `end` on `days` (local time)."""

    min: int = Field(default=5, ge=1, description="Provisioned-concurrency minimum inside the window.")


class ScalingSchedule(StrictModel):
    """Business-hours windows, in one time zone, that move the target's minimum."""

    time_zone: TimeZone = Field(default="Europe/Berlin", description="IANA time zone of the windows.")
    windows: dict[FunctionKey, ScheduleWindow] = Field(
        default_factory=lambda: {"business-hours": ScheduleWindow()},
        min_length=1,
        description="Windows keyed by a stable name.",
    )
    max_outside_windows: int | None = Field(
        default=None,
        ge=0,
        description="The provisioned-concurrency maximum between windows; 0: none at all outside them (a cost "
        "profile: the ceiling then counts the windows' hours only). null: provisioned_concurrency.max around "
        "the clock.",
    )


def _error(location: tuple[str | int, ...], message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError("lambda_settings", message.replace("{", "{{").replace("}", "}}")),
        loc=location,
        input=value,
    )


def _route_collisions(functions: dict[str, LambdaFunctionSettings]) -> list[InitErrorDetails]:
    """A path may lead to one function only (CloudFront routes by path, not by method), and a
    function may not list the same route twice."""
    errors: list[InitErrorDetails] = []
    owners: list[tuple[str, int, Route]] = []
    for key, settings in functions.items():
        for index, route in enumerate(settings.routes):
            for other_key, other_index, other in owners:
                where = ("functions", key, "routes", index)
                if other_key == key and route == other:
                    errors.append(_error(where, f"repeats route {other_index} ({other})", str(route)))
                elif other_key != key and route.overlaps(other):
                    errors.append(
                        _error(
                            where,
                            f"{route} overlaps {other} of function {other_key}: a path may lead to one function "
                            "only (the CDN routes by path, whatever the method)",
                            str(route),
                        )
                    )
            owners.append((key, index, route))
    return errors


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
            outside = self.schedule.max_outside_windows
            if outside is not None and not pc.min <= outside <= pc.max:
                errors.append(
                    _error(
                        ("schedule", "max_outside_windows"),
                        f"must be within provisioned_concurrency {pc.min}–{pc.max}",
                        outside,
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
        errors.extend(_route_collisions(self.functions))
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
