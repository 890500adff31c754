"""Where Terraform runs: AWS when credentials exist, otherwise the local emulator (and says so)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cli import emulator
from cli.errors import UserError
from cli.settings import Settings

_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


AWS = "aws"
"""The name of the real AWS target (every other target is the emulator, or offline)."""


@dataclass(frozen=True)
class Target:
    """`name` keys the working directory: plans made for one target never apply to another."""

    name: str
    description: str
    environment: dict[str, str] = field(default_factory=dict)
    is_emulator: bool = False


def client(run_target: Target, service: str, region: str, config: Any = None) -> Any:
    """A boto3 client of the target: the emulator's (its endpoint, certificate, test keys) or AWS's
    (the default credential chain)."""
    import boto3

    if not run_target.is_emulator:
        return boto3.client(service, region_name=region, config=config)
    settings = run_target.environment
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=settings["AWS_ENDPOINT_URL"],
        verify=settings["AWS_CA_BUNDLE"],
        aws_access_key_id=settings["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["AWS_SECRET_ACCESS_KEY"],
        config=config,
    )


def aws_credentials_configured() -> bool:
    if any(os.environ.get(variable) for variable in _CREDENTIAL_VARIABLES):
        return True
    aws_dir = Path(os.environ.get("HOME", "~")).expanduser() / ".aws"
    return (aws_dir / "credentials").exists() or (aws_dir / "config").exists()


def _emulator_target(settings: Settings, region: str, reason: str) -> Target:
    running, started = emulator.ensure(settings.emulator_dir)
    state = "started" if started else "reusing"
    return Target(
        name=f"emulator-{running.port}",
        description=f"the LOCAL AWS EMULATOR ({state} moto at {running.endpoint}; {reason}); nothing is created in AWS",
        environment=running.terraform_environment(region),
        is_emulator=True,
    )


def resolve(settings: Settings, region: str) -> Target:
    """Pick the target from `AUTOSCALE_TARGET`; in CI never fall back to the emulator silently."""
    if settings.target == "emulator":
        return _emulator_target(settings, region, "AUTOSCALE_TARGET=emulator")
    if settings.target == "aws" or (settings.target == "auto" and aws_credentials_configured()):
        return Target(name=AWS, description=f"AWS ({region}) with the configured credentials")
    if settings.target != "auto":
        raise UserError(f"AUTOSCALE_TARGET must be aws, emulator or auto (got {settings.target!r})", exit_code=2)
    if settings.in_ci:
        raise UserError(
            "no AWS credentials in CI: configure them, or set AUTOSCALE_TARGET=emulator to plan against "
            "the local emulator on purpose"
        )
    return _emulator_target(settings, region, "no AWS credentials are configured")
