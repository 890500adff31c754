"""Lambda configuration: the critical functions, merging YAML over them, and every validation."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cli.config_files import load_environment
from environments.loader import ConfigError, parse_environment
from modules.lambda_service.config import LambdaServiceConfig
from modules.lambda_service.package import PLACEHOLDER_PACKAGE_FILE
from tests.conftest import REPO

CRITICAL = ["auth", "persona", "upload", "vc-result", "vc-start"]


def _errors(text: str, env: str = "prod") -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_environment(env, text, Path(f"environments/{env}.yaml"))
    return raised.value.messages


def _lambda(text: str, env: str = "prod") -> LambdaServiceConfig:
    return parse_environment(env, text, Path(f"environments/{env}.yaml")).lambda_service


def test_the_default_configuration_declares_the_critical_functions() -> None:
    config = LambdaServiceConfig()
    assert sorted(config.functions) == CRITICAL
    assert all(f.alias_name == "live" and f.provisioned_concurrency is not None for f in config.functions.values())
    assert config.schedule is not None and config.schedule.time_zone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("env", "pc", "scheduled"), [("dev", (0, 2), False), ("staging", (0, 1), True), ("prod", (2, 20), True)]
)
def test_shipped_environments(env: str, pc: tuple[int, int], scheduled: bool) -> None:
    config = load_environment(env).lambda_service
    assert (config.provisioned_concurrency.min, config.provisioned_concurrency.max) == pc
    assert (config.schedule is not None) is scheduled
    # dev: min 0 and no windows means no provisioned concurrency at all, not a target stuck at 0.
    assert all(config.has_provisioned_concurrency(key) for key in config.functions) is (env != "dev")


def test_yaml_functions_merge_over_the_critical_ones_key_by_key() -> None:
    config = _lambda("lambda: {functions: {auth: {memory_mb: 1024}, report: {provisioned_concurrency: null}}}\n")
    assert sorted(config.functions) == sorted([*CRITICAL, "report"])
    assert config.functions["auth"].memory_mb == 1024
    assert config.functions["auth"].description == "Authenticates users and issues sessions."
    assert config.functions["upload"].memory_mb == 1024 and config.functions["persona"].memory_mb == 512


def test_the_placeholder_package_name_is_the_same_in_the_policy_and_the_module() -> None:
    """Policies never import the modules (and run in checkov's own environment), so the check that
    refuses the placeholder keeps its own copy: read here from its source."""
    source = (REPO / "policies" / "checks" / "lambda_package_is_real.py").read_text()
    copies = [
        node.value.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == "PLACEHOLDER_PACKAGE_FILE" for target in node.targets)
        and isinstance(node.value, ast.Constant)
    ]
    assert copies == [PLACEHOLDER_PACKAGE_FILE]


FAILS_WHEN = {
    "memory below the AWS minimum": (
        "lambda: {functions: {auth: {memory_mb: 64}}}",
        "environments/prod.yaml: lambda.functions.auth.memory_mb: Input should be greater than or equal to 128 (got 64)",
    ),
    "memory above the AWS maximum": (
        "lambda: {functions: {auth: {memory_mb: 20000}}}",
        "environments/prod.yaml: lambda.functions.auth.memory_mb: Input should be less than or equal to 10240 (got 20000)",
    ),
    "timeout above the AWS maximum": (
        "lambda: {functions: {upload: {timeout_seconds: 901}}}",
        "environments/prod.yaml: lambda.functions.upload.timeout_seconds: Input should be less than or equal to 900 (got 901)",
    ),
    "provisioned max above reserved concurrency": (
        "lambda: {functions: {auth: {reserved_concurrency: 10}}}",
        "environments/prod.yaml: lambda.functions.auth.reserved_concurrency: must be ≥ the provisioned-concurrency max (20) (got 10)",
    ),
    "provisioned concurrency without an alias": (
        "lambda: {functions: {auth: {alias_name: null}}}",
        "environments/prod.yaml: lambda.functions.auth.provisioned_concurrency: needs an alias: set alias_name, or set provisioned_concurrency to null",
    ),
    "reserved concurrency above the account quota": (
        "lambda: {account_concurrency_quota: 300}",
        "environments/prod.yaml: lambda.account_concurrency_quota: the functions reserve 250 in total, but a quota of 300 leaves only 200 (AWS keeps 100 unreserved); lower reserved_concurrency or ask AWS for a higher quota (got 300)",
    ),
    "a window time that does not parse": (
        "lambda: {schedule: {windows: {office: {start: 7am}}}}",
        "environments/prod.yaml: lambda.schedule.windows.office.start: String should match pattern",
    ),
    "a window that ends before it starts": (
        "lambda: {schedule: {windows: {office: {start: '18:00', end: '08:00'}}}}",
        "environments/prod.yaml: lambda.schedule.windows.office: start (18:00) must be before end (08:00) on the same day",
    ),
    "window days that do not parse": (
        "lambda: {schedule: {windows: {office: {days: WEEKDAYS}}}}",
        "environments/prod.yaml: lambda.schedule.windows.office.days: String should match pattern",
    ),
    "an unknown time zone": (
        "lambda: {schedule: {time_zone: Mars/Olympus}}",
        "environments/prod.yaml: lambda.schedule.time_zone: unknown IANA time zone, e.g. Europe/Berlin or UTC (got 'Mars/Olympus')",
    ),
    "a window minimum outside the range": (
        "lambda: {schedule: {windows: {office: {min: 50}}}}",
        "environments/prod.yaml: lambda.schedule.windows.office.min: must be within provisioned_concurrency 2–20 (got 50)",
    ),
    "a maximum between windows outside the range": (
        "lambda: {schedule: {max_outside_windows: 0}}",
        "environments/prod.yaml: lambda.schedule.max_outside_windows: must be within provisioned_concurrency 2–20 (got 0)",
    ),
    "SnapStart on a runtime without it": (
        "lambda: {functions: {report: {runtime: nodejs20.x, snap_start: true, provisioned_concurrency: null}}}",
        "environments/prod.yaml: lambda.functions.report.snap_start: runtime nodejs20.x has no SnapStart; allowed: dotnet8, java11, java17, java21, python3.12, python3.13 (got True)",
    ),
    "SnapStart together with provisioned concurrency": (
        "lambda: {functions: {auth: {snap_start: true}}}",
        "environments/prod.yaml: lambda.functions.auth.snap_start: AWS does not allow SnapStart with provisioned concurrency; set provisioned_concurrency to null, or snap_start to false (got True)",
    ),
    "a warmer on a function with provisioned concurrency": (
        "lambda: {functions: {auth: {warmer: {rate_minutes: 5}}}}",
        "environments/prod.yaml: lambda.functions.auth.warmer: is for functions without provisioned concurrency; set one of them to null (got {'rate_minutes': 5})",
    ),
    "a target utilization AWS does not accept": (
        "lambda: {functions: {auth: {provisioned_concurrency: {target_utilization: 0.95}}}}",
        "environments/prod.yaml: lambda.functions.auth.provisioned_concurrency.target_utilization: Input should be less than or equal to 0.9 (got 0.95)",
    ),
    "an unknown function setting": (
        "lambda: {functions: {auth: {memory: 1024}}}",
        "environments/prod.yaml: lambda.functions.auth.memory: unknown setting",
    ),
    "a bad function key": (
        "lambda: {functions: {Auth_V2: {}}}",
        "environments/prod.yaml: lambda.functions.Auth_V2.[key]: String should match pattern",
    ),
    "literal subnets, now placement follows `uses`": (
        "lambda: {functions: {auth: {vpc: {subnet_ids: [subnet-0123456789abcdef0]}}}}",
        "environments/prod.yaml: lambda.functions.auth.vpc: unknown setting",
    ),
    "a route another function has": (
        "lambda: {functions: {report: {routes: ['GET /vc/start']}}}",
        "environments/prod.yaml: lambda.functions.report.routes.0: GET /vc/start overlaps POST /vc/start of function vc-start: a path may lead to one function only (the CDN routes by path, whatever the method) (got 'GET /vc/start')",
    ),
    "a wildcard route over another function's path": (
        "lambda: {functions: {report: {routes: ['GET /vc/*']}}}",
        "environments/prod.yaml: lambda.functions.report.routes.0: GET /vc/* overlaps POST /vc/start of function vc-start",
    ),
    "a route written twice": (
        "lambda: {functions: {upload: {routes: ['POST /upload', 'POST /upload']}}}",
        "environments/prod.yaml: lambda.functions.upload.routes.1: repeats route 0 (POST /upload) (got 'POST /upload')",
    ),
    "a route that is not METHOD /path": (
        "lambda: {functions: {report: {routes: ['/report']}}}",
        "environments/prod.yaml: lambda.functions.report.routes.0: must be 'METHOD /path', e.g. 'POST /vc/start' (got '/report')",
    ),
    "an unknown HTTP method": (
        "lambda: {functions: {report: {routes: ['FETCH /report']}}}",
        "environments/prod.yaml: lambda.functions.report.routes.0.method: unknown HTTP method; allowed: GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE (got 'FETCH')",
    ),
    "a store the stack does not have": (
        "lambda: {functions: {report: {uses: [queue]}}}",
        "environments/prod.yaml: lambda.functions.report.uses.0: Input should be 'database' or 'cache' (got 'queue')",
    ),
    "the cache used where there is none": (
        "elasticache: null\nlambda: {functions: {report: {uses: [cache]}}}",
        "environments/prod.yaml: lambda.functions.auth.uses.1: the function uses the cache, but the environment has none (elasticache is null); remove it from uses or configure one (got 'cache')",
    ),
    "a package path outside the repository": (
        "lambda: {functions: {report: {code: {path: ../secrets}}}}",
        "environments/prod.yaml: lambda.functions.report.code",
    ),
}


@pytest.mark.parametrize("case", FAILS_WHEN, ids=list(FAILS_WHEN))
def test_fails_when(case: str) -> None:
    text, expected = FAILS_WHEN[case]
    messages = _errors(text + "\n")
    assert any(message.startswith(expected) for message in messages), messages


def test_the_critical_functions_use_the_stores_and_answer_their_routes() -> None:
    config = LambdaServiceConfig()
    for key in CRITICAL:
        function = config.functions[key]
        assert function.uses == ("database", "cache") and function.routes, key
    assert [str(route) for route in config.functions["vc-start"].routes] == ["POST /vc/start"]
    assert _lambda("lambda: {functions: {report: {}}}\n").functions["report"].uses == ()


def test_a_function_without_stores_or_routes_is_valid_where_there_is_no_cache() -> None:
    config = parse_environment(
        "dev",
        "elasticache: null\nlambda: {functions: {" + ", ".join(f"{k}: {{uses: [database]}}" for k in CRITICAL) + "}}\n",
        Path("environments/dev.yaml"),
    )
    assert config.elasticache is None
    assert all(f.uses == ("database",) for f in config.lambda_service.functions.values())


def test_every_lambda_problem_is_reported_at_once() -> None:
    messages = _errors("lambda: {functions: {auth: {reserved_concurrency: 10, snap_start: true}}}\n")
    assert [m.split(":")[1].strip() for m in messages] == [
        "lambda.functions.auth.reserved_concurrency",
        "lambda.functions.auth.snap_start",
    ]


def test_without_provisioned_concurrency_in_an_environment_cold_start_mitigation_is_allowed() -> None:
    config = _lambda(
        "lambda: {provisioned_concurrency: {min: 0, max: 2}, schedule: null, functions: {auth: {warmer: {}, snap_start: true}}}",
        "dev",
    )
    assert config.functions["auth"].warmer is not None and config.functions["auth"].snap_start
    assert not config.has_provisioned_concurrency("auth")


def test_min_zero_with_windows_keeps_the_target() -> None:
    config = _lambda(
        "lambda: {provisioned_concurrency: {min: 0, max: 2}, schedule: {windows: {office: {min: 1}}}}", "dev"
    )
    assert config.has_provisioned_concurrency("auth")
