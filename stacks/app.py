"""One CDKTF app holding both stacks of every stack set asked for."""

from __future__ import annotations

from collections.abc import Mapping

from environments.schema import AccountConfig, EnvironmentConfig
from modules.core.cdk import App
from modules.core.label import Context
from modules.lambda_service.module import FunctionPackage
from stacks.account import AccountStack
from stacks.bootstrap import BootstrapStack
from stacks.environment import EnvironmentStack
from stacks.protection import protect_stateful_resources


def build_app(
    configs: list[EnvironmentConfig],
    outdir: str,
    *,
    account: AccountConfig | None = None,
    shared_account: Context | None = None,
    packages: Mapping[str, tuple[str, str]] | None = None,
) -> App:
    """One app with both stacks of every given environment (and the account's, with `account`), synthesized
    in one process. `shared_account`: the account stack set's context, whose bootstrap owns the CloudFront
    policies the environments sharing the account use (required when one of them does)."""
    app = App(outdir=outdir)
    for config in configs:
        protect_stateful_resources(BootstrapStack(app, config=config), config.name)
        owner = config.context if config.own_cdn_policies is not None else shared_account
        if owner is None:
            raise ValueError(f"{config.name} shares the account's CloudFront policies: build_app needs shared_account")
        environment = EnvironmentStack(
            app,
            config=config,
            policies_owner=owner,
            packages={
                source: FunctionPackage(filename=filename, sha256_base64=digest)
                for source, (filename, digest) in (packages or {}).items()
            },
        )
        protect_stateful_resources(environment, config.name)
    if account is not None:
        protect_stateful_resources(BootstrapStack(app, config=account), account.name)
        protect_stateful_resources(AccountStack(app, config=account), account.name)
    return app
