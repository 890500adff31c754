"""Rules across the environments that share one AWS account: checked at synthesis, reported with
the files and fields to change, like every other configuration error.

* Lambda reserves concurrency per account and region: the environments' reservations together
  must leave AWS's 100 unreserved.
* The environments' VPC ranges must not overlap (peering, a transit gateway or a VPN between them
  needs distinct ranges, and a shared account makes that likely).
* The account's total budget covers the environments' soft budgets, or says why it does not.
* An environment sharing the account needs the account set: its distribution uses the CloudFront
  policies `account-bootstrap` owns.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Callable
from itertools import combinations

from environments.names import ACCOUNT
from environments.schema import AccountConfig, EnvironmentConfig
from modules.lambda_service.config import UNRESERVED_CONCURRENCY_FLOOR

__all__ = ["shared_account_problems"]

_UNNAMED = "the account of environments/account.yaml"


FileName = Callable[[str], str]
"""How a stack set's file is named in messages (the loader's display of `<directory>/<name>.yaml`)."""


def _account_of(config: EnvironmentConfig, account: AccountConfig | None) -> str:
    """The environment's account: its own `account_id`, the account set's, or the unnamed shared one."""
    return config.account_id or (account.account_id if account is not None else None) or _UNNAMED


def _concurrency_problems(
    configs: list[EnvironmentConfig], account: AccountConfig | None, file_name: FileName
) -> list[str]:
    groups: dict[tuple[str, str], list[EnvironmentConfig]] = defaultdict(list)
    for config in configs:
        groups[(_account_of(config, account), config.region)].append(config)
    problems = []
    for (account_id, region), members in sorted(groups.items()):
        if len(members) < 2:
            continue  # one environment alone: its own model checks its reservations
        reserved = {c.name: sum(f.reserved_concurrency for f in c.lambda_service.functions.values()) for c in members}
        quota = min(c.lambda_service.account_concurrency_quota for c in members)
        reservable = quota - UNRESERVED_CONCURRENCY_FLOOR
        if sum(reserved.values()) <= reservable:
            continue
        shares = ", ".join(f"{name} {amount}" for name, amount in reserved.items())
        problems.append(
            f"{', '.join(file_name(c.name) for c in members)}: lambda.functions.*.reserved_concurrency: "
            f"{' and '.join(reserved)} share {account_id} in {region} and reserve {sum(reserved.values())} "
            f"together ({shares}), but a quota of {quota} (lambda.account_concurrency_quota) leaves only "
            f"{max(reservable, 0)} (AWS keeps {UNRESERVED_CONCURRENCY_FLOOR} unreserved); lower reserved_concurrency, "
            "or raise the quota with AWS and then account_concurrency_quota"
        )
    return problems


def _network_problems(configs: list[EnvironmentConfig], file_name: FileName) -> list[str]:
    created = [c for c in configs if c.network.existing is None]
    problems = []
    for first, second in combinations(created, 2):
        first_range = ipaddress.IPv4Network(first.network.cidr_block)
        second_range = ipaddress.IPv4Network(second.network.cidr_block)
        if first_range.overlaps(second_range):
            problems.append(
                f"{file_name(second.name)}: network.cidr_block: {second_range} overlaps {first.name}'s {first_range} "
                f"({file_name(first.name)}: network.cidr_block); give each environment a range of its own"
            )
    return problems


def _budget_problems(configs: list[EnvironmentConfig], account: AccountConfig, file_name: FileName) -> list[str]:
    members = [c for c in configs if _account_of(c, account) == _account_of_set(account)]
    soft = sum(c.budget.soft_limit_eur for c in members)
    total = account.budget.total_limit_eur
    if not members or total >= soft or account.budget.below_environments_reason:
        return []
    shares = ", ".join(f"{c.name} {c.budget.soft_limit_eur:g}" for c in members)
    return [
        f"{file_name(ACCOUNT)}: budget.total_limit_eur: {total:g} EUR is below the soft budgets of the environments "
        f"in the account added up ({soft:g} EUR: {shares}); raise it, or say why in budget.below_environments_reason"
    ]


def _account_of_set(account: AccountConfig) -> str:
    return account.account_id or _UNNAMED


def _cdn_policies_problems(
    configs: list[EnvironmentConfig], account: AccountConfig | None, file_name: FileName
) -> list[str]:
    if account is not None:
        return []
    return [
        f"{file_name(config.name)}: cdn: {config.name}'s distribution uses the account's CloudFront policies, which "
        f"account-bootstrap creates from {file_name(ACCOUNT)}, but that file is missing: add it, or make "
        f"{config.name} an environment alone in an account of its own (delivery.create_oidc_provider: true)"
        for config in configs
        if config.own_cdn_policies is None
    ]


def shared_account_problems(
    configs: list[EnvironmentConfig], account: AccountConfig | None, file_name: FileName
) -> list[str]:
    """Every cross-environment problem of these environments (and the account set, when given)."""
    problems = [
        *_concurrency_problems(configs, account, file_name),
        *_network_problems(configs, file_name),
        *_cdn_policies_problems(configs, account, file_name),
    ]
    if account is not None:
        problems.extend(_budget_problems(configs, account, file_name))
    return problems
