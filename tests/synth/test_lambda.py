"""The Lambda module, asserted on the synthesized JSON: shipped environments and a configuration
that uses every option (VPC, grants, min-0 windows, warmer, SnapStart, S3 code, no alias)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from modules.lambda_service.module import WILDCARD_RESOURCE_ACTIONS
from tests.conftest import copy_repository, purpose_key, resources, synthesize

ENVIRONMENTS = ("dev", "staging", "prod")
CRITICAL = ["auth", "persona", "upload", "vc-result", "vc-start"]
TAGS = {"Environment", "Service", "ManagedBy", "CostCenter"}

# dev with every option: min 0 with two windows, a function with bucket and secret grants, one
# using the cache only and one using no store, three added functions (a warmed, routed SnapStart
# one with code in S3, one without alias on the placeholder package), and a domain of its own.
RICH_DEV = """\
network: {cidr_block: 10.42.0.0/16}  # dev's own range (prod has 10.40)
lambda:
  provisioned_concurrency: {min: 0, max: 2}
  schedule:
    time_zone: UTC
    windows:
      morning: {days: MON-FRI, start: "08:00", end: "12:30", min: 1}
      weekend: {days: "SAT,SUN", start: "18:00", end: "22:00", min: 2}
  functions:
    auth:
      memory_mb: 1024
      environment_variables: {TABLE: sessions}
      grants:
        buckets: {uploads: {bucket: matbakh-dev-uploads, prefix: incoming/, access: read-write}}
        secrets: [matbakh/dev/jwt]
    persona: {uses: [cache]}
    vc-result: {uses: []}
    report:
      description: Monthly reports.
      provisioned_concurrency: null
      snap_start: true
      warmer: {rate_minutes: 5}
      code: {s3_bucket: matbakh-artifacts, s3_key: report/1.2.3.zip}
      routes: ['GET /reports/*']
    legacy:
      runtime: nodejs20.x
      alias_name: null
      provisioned_concurrency: null
      warmer: {rate_minutes: 1}
      code: null
cdn:
  domain: {name: shop.dev.invalid, hosted_zone_id: Z0123456789ABCDEFGHIJ}
"""


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = copy_repository(tmp_path_factory.mktemp("rich") / "repo")
    (root / "environments" / "dev.yaml").write_text(RICH_DEV)
    return synthesize(root / "cdktf.out", "--env", "dev", "--force", cwd=root)["dev"]


def _by_path(stack: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """The Lambda module's resources of `kind`, keyed by construct path, e.g. `lambda/auth/function`."""
    by_path = {body["//"]["metadata"]["path"].split("/", 1)[1]: body for body in resources(stack, kind).values()}
    return {path: body for path, body in by_path.items() if path.startswith("lambda/")}


def _ref(stack: dict[str, Any], kind: str, path: str, attribute: str) -> str:
    name = next(n for n, b in resources(stack, kind).items() if b["//"]["metadata"]["path"].endswith(path))
    return f"${{{kind}.{name}.{attribute}}}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_critical_function_has_a_published_version_an_alias_and_its_own_everything(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    functions = _by_path(stack, "aws_lambda_function")
    assert sorted(functions) == [f"lambda/{key}/function" for key in CRITICAL]
    key = purpose_key(stack, "lambda/key/key").arn
    for name in CRITICAL:
        body = functions[f"lambda/{name}/function"]
        assert body["function_name"] == f"matbakh-{env}-api-{name}"
        assert body["publish"] is True
        assert body["reserved_concurrent_executions"] == 50
        assert body["tracing_config"] == {"mode": "Active"}
        assert body["kms_key_arn"] == key
        variables = body["environment"]["variables"]
        assert variables["APP_ENVIRONMENT"] == env and variables["APP_ROUTES"]  # the stores' are in test_estate
        assert set(variables) >= {"DATABASE_HOST", "CACHE_ENDPOINT", "CACHE_USER_ID"}
        assert body["dead_letter_config"] == {"target_arn": _ref(stack, "aws_sqs_queue", f"{name}/dlq", "arn")}
        assert body["role"] == _ref(stack, "aws_iam_role", f"{name}/role", "arn")
        # The repository's handler, zipped at synthesis and redeployed when its hash changes.
        assert re.fullmatch(r"package-functions-api-[0-9a-f]{12}\.zip", body["filename"]) and "s3_bucket" not in body
        assert body["source_code_hash"] and body["handler"] == "index.handler"
        assert "vpc_config" in body and "snap_start" not in body
        assert set(body["tags"]) == TAGS

        alias = _by_path(stack, "aws_lambda_alias")[f"lambda/{name}/alias"]
        assert alias["name"] == "live"
        assert alias["function_version"] == _ref(stack, "aws_lambda_function", f"{name}/function", "version")

        logs = _by_path(stack, "aws_cloudwatch_log_group")[f"lambda/{name}/logs"]
        assert logs == {
            **logs,
            "name": f"/aws/lambda/matbakh-{env}-api-{name}",
            "retention_in_days": 365,
            "kms_key_id": key,
        }
        queue = _by_path(stack, "aws_sqs_queue")[f"lambda/{name}/dlq"]
        assert queue["kms_master_key_id"] == key and queue["name"] == f"matbakh-{env}-api-{name}-dlq"
    assert functions["lambda/upload/function"]["memory_size"] == 1024
    assert functions["lambda/auth/function"]["timeout"] == 10


def test_dev_min_zero_without_windows_has_no_provisioned_concurrency(stacks: dict[str, dict[str, Any]]) -> None:
    for kind in ("aws_appautoscaling_target", "aws_appautoscaling_policy", "aws_appautoscaling_scheduled_action"):
        assert _by_path(stacks["dev"], kind) == {}


@pytest.mark.parametrize(("env", "bounds"), [("staging", (0, 1)), ("prod", (2, 20))])
def test_provisioned_concurrency_scales_the_alias_by_utilization(
    stacks: dict[str, dict[str, Any]], env: str, bounds: tuple[int, int]
) -> None:
    stack = stacks[env]
    targets = _by_path(stack, "aws_appautoscaling_target")
    policies = _by_path(stack, "aws_appautoscaling_policy")
    assert sorted(targets) == [f"lambda/{key}/scaling_target" for key in CRITICAL]
    for name in CRITICAL:
        target = targets[f"lambda/{name}/scaling_target"]
        function = _ref(stack, "aws_lambda_function", f"{name}/function", "function_name")
        alias = _ref(stack, "aws_lambda_alias", f"{name}/alias", "name")
        assert target["resource_id"] == f"function:{function}:{alias}"
        assert target["service_namespace"] == "lambda"
        assert target["scalable_dimension"] == "lambda:function:ProvisionedConcurrency"
        assert (target["min_capacity"], target["max_capacity"]) == bounds
        assert set(target["tags"]) == TAGS
        policy = policies[f"lambda/{name}/scaling_policy"]
        assert policy["policy_type"] == "TargetTrackingScaling"
        assert policy["resource_id"] == _ref(
            stack, "aws_appautoscaling_target", f"{name}/scaling_target", "resource_id"
        )
        assert policy["target_tracking_scaling_policy_configuration"] == {
            "target_value": 0.7,
            "scale_in_cooldown": 300,
            "scale_out_cooldown": 60,
            "predefined_metric_specification": {"predefined_metric_type": "LambdaProvisionedConcurrencyUtilization"},
        }


def _chain(stack: dict[str, Any], function: str) -> list[tuple[str, str, str, str]]:
    """The scheduled actions of one function in dependency order: (name, cron, min, max)."""
    actions = {
        n: b
        for n, b in resources(stack, "aws_appautoscaling_scheduled_action").items()
        if f"/{function}/" in b["//"]["metadata"]["path"]
    }
    policy = _ref(stack, "aws_appautoscaling_policy", f"{function}/scaling_policy", "x").split(".")[1]
    order: list[tuple[str, str, str, str]] = []
    previous = f"aws_appautoscaling_policy.{policy}"
    while actions:
        (name,) = [n for n, b in actions.items() if b["depends_on"] == [previous]]
        body = actions.pop(name)
        order.append(
            (
                body["name"],
                body["schedule"],
                body["scalable_target_action"]["min_capacity"],
                body["scalable_target_action"]["max_capacity"],
            )
        )
        previous = f"aws_appautoscaling_scheduled_action.{name}"
    return order


def test_prod_business_hours_raise_the_minimum_in_berlin_chained_and_not_fought(
    stacks: dict[str, dict[str, Any]],
) -> None:
    stack = stacks["prod"]
    for target in _by_path(stack, "aws_appautoscaling_target").values():
        assert target["lifecycle"] == {"ignore_changes": ["min_capacity", "max_capacity"]}
    actions = resources(stack, "aws_appautoscaling_scheduled_action")
    assert len(actions) == 2 * len(CRITICAL)
    assert {a["timezone"] for a in actions.values()} == {"Europe/Berlin"}
    assert _chain(stack, "auth") == [
        ("matbakh-prod-api-auth-business-hours-start", "cron(0 7 ? * MON-FRI *)", "5", "20"),
        ("matbakh-prod-api-auth-business-hours-end", "cron(0 20 ? * MON-FRI *)", "2", "20"),
    ]


def test_staging_keeps_one_instance_warm_only_in_business_hours(stacks: dict[str, dict[str, Any]]) -> None:
    # Issue 9: the seed budget pays provisioned concurrency on weekdays 08:00–18:00 only; between
    # the windows the maximum is 0 too (lambda.schedule.max_outside_windows), so none can scale in.
    stack = stacks["staging"]
    assert all(t["lifecycle"] for t in _by_path(stack, "aws_appautoscaling_target").values())
    assert _chain(stack, "auth") == [
        ("matbakh-staging-api-auth-business-hours-start", "cron(0 8 ? * MON-FRI *)", "1", "1"),
        ("matbakh-staging-api-auth-business-hours-end", "cron(0 18 ? * MON-FRI *)", "0", "0"),
    ]


def test_min_zero_with_windows_registers_a_zero_floor_raised_only_in_the_windows(rich: dict[str, Any]) -> None:
    target = _by_path(rich, "aws_appautoscaling_target")["lambda/auth/scaling_target"]
    assert (target["min_capacity"], target["max_capacity"]) == (0, 2)
    assert target["lifecycle"] == {"ignore_changes": ["min_capacity", "max_capacity"]}
    assert _chain(rich, "auth") == [
        ("matbakh-dev-api-auth-morning-start", "cron(0 8 ? * MON-FRI *)", "1", "2"),
        ("matbakh-dev-api-auth-morning-end", "cron(30 12 ? * MON-FRI *)", "0", "2"),
        ("matbakh-dev-api-auth-weekend-start", "cron(0 18 ? * SAT,SUN *)", "2", "2"),
        ("matbakh-dev-api-auth-weekend-end", "cron(0 22 ? * SAT,SUN *)", "0", "2"),
    ]
    assert {a["timezone"] for a in resources(rich, "aws_appautoscaling_scheduled_action").values()} == {"UTC"}
    # Functions that opted out get no target.
    assert sorted(_by_path(rich, "aws_appautoscaling_target")) == [f"lambda/{k}/scaling_target" for k in CRITICAL]


def test_placement_follows_what_each_function_uses(rich: dict[str, Any]) -> None:
    functions = _by_path(rich, "aws_lambda_function")
    subnets = sorted(_ref(rich, "aws_subnet", f"network/private_{i}", "id") for i in range(3))
    groups = {
        store: _ref(rich, "aws_security_group", path, "id")
        for store, path in (
            ("database", "database/client_security_group"),
            ("cache", "cache/client_security_group"),
            ("endpoints", "network/endpoint_clients"),
        )
    }
    auth, persona = functions["lambda/auth/function"], functions["lambda/persona/function"]
    assert sorted(auth["vpc_config"]["subnet_ids"]) == subnets
    assert auth["vpc_config"]["security_group_ids"] == [groups["database"], groups["cache"], groups["endpoints"]]
    assert persona["vpc_config"]["security_group_ids"] == [groups["cache"], groups["endpoints"]]
    for unplaced in ("vc-result", "report", "legacy"):
        assert "vpc_config" not in functions[f"lambda/{unplaced}/function"], unplaced
    assert auth["memory_size"] == 1024
    variables = auth["environment"]["variables"]
    assert (variables["APP_ENVIRONMENT"], variables["TABLE"]) == ("dev", "sessions")
    assert not any(
        name.startswith(("DATABASE_", "CACHE_"))
        for name in functions["lambda/vc-result/function"]["environment"]["variables"]
    )
    assert set(persona["environment"]["variables"]) >= {"CACHE_ENDPOINT", "CACHE_USER_ID"}
    assert not any(name.startswith("DATABASE_") for name in persona["environment"]["variables"])


def test_snap_start_warmer_and_s3_code(rich: dict[str, Any]) -> None:
    functions = _by_path(rich, "aws_lambda_function")
    report = functions["lambda/report/function"]
    assert report["snap_start"] == {"apply_on": "PublishedVersions"}
    assert (report["s3_bucket"], report["s3_key"]) == ("matbakh-artifacts", "report/1.2.3.zip")
    assert "filename" not in report

    schedules = _by_path(rich, "aws_scheduler_schedule")
    assert sorted(schedules) == ["lambda/legacy/warmer", "lambda/report/warmer"]
    warmer = schedules["lambda/report/warmer"]
    assert warmer["schedule_expression"] == "rate(5 minutes)"
    assert warmer["flexible_time_window"] == {"mode": "OFF"}
    assert warmer["kms_key_arn"] == _ref(rich, "aws_kms_key", "lambda/key/key", "arn")
    assert warmer["target"]["arn"] == _ref(rich, "aws_lambda_alias", "report/alias", "arn")
    assert warmer["target"]["input"] == '{"warmup": true}'
    assert warmer["target"]["role_arn"] == _ref(rich, "aws_iam_role", "report/warmer_role", "arn")
    assert schedules["lambda/legacy/warmer"]["schedule_expression"] == "rate(1 minute)"
    # Without an alias the warmer invokes the function itself.
    assert schedules["lambda/legacy/warmer"]["target"]["arn"] == _ref(
        rich, "aws_lambda_function", "legacy/function", "arn"
    )
    assert "lambda/legacy/alias" not in _by_path(rich, "aws_lambda_alias")

    role = _by_path(rich, "aws_iam_role")["lambda/report/warmer_role"]
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    (account,) = trust["Condition"]["StringEquals"].values()
    assert set(trust["Condition"]["StringEquals"]) == {"aws:SourceAccount"}
    assert account == "${data.aws_caller_identity.aws_caller_identity.account_id}"  # one per stack
    policy = json.loads(_by_path(rich, "aws_iam_role_policy")["lambda/report/warmer_role_policy"]["policy"])
    assert [(s["Action"], s["Resource"]) for s in policy["Statement"]] == [
        ("lambda:InvokeFunction", _ref(rich, "aws_lambda_alias", "report/alias", "arn")),
        ("kms:Decrypt", _ref(rich, "aws_kms_key", "lambda/key/key", "arn")),
    ]


def _statements(stack: dict[str, Any], function: str) -> dict[str, dict[str, Any]]:
    policy = json.loads(_by_path(stack, "aws_iam_role_policy")[f"lambda/{function}/role_policy"]["policy"])
    return {s["Sid"]: s for s in policy["Statement"]}


def test_the_default_execution_role_allows_exactly_logs_xray_dlq_and_key(stacks: dict[str, dict[str, Any]]) -> None:
    stack = stacks["prod"]
    statements = _statements(stack, "auth")
    stores = {"DescribeNetworkInterfaces", "ManageNetworkInterfacesInOwnSubnets", "ConnectThroughDatabaseProxy"}
    assert set(statements) - {"WriteOwnLogs", "SendTraces", "SendToOwnDeadLetterQueue", "UseServiceKey"} == {
        *stores,
        "ConnectToCache",
    }  # what it uses: the database and the cache (their statements are asserted with the rich dev)
    assert {
        sid: (s["Effect"], s["Action"], s["Resource"])
        for sid, s in statements.items()
        if sid not in stores and sid != "ConnectToCache"
    } == {
        "WriteOwnLogs": (
            "Allow",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            _ref(stack, "aws_cloudwatch_log_group", "auth/logs", "arn") + ":*",
        ),
        "SendTraces": ("Allow", ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "*"),
        "SendToOwnDeadLetterQueue": ("Allow", "sqs:SendMessage", _ref(stack, "aws_sqs_queue", "auth/dlq", "arn")),
        "UseServiceKey": (
            "Allow",
            ["kms:Decrypt", "kms:GenerateDataKey"],
            _ref(stack, "aws_kms_key", "lambda/key/key", "arn"),
        ),
    }
    role = _by_path(stack, "aws_iam_role")["lambda/auth/role"]
    assert json.loads(role["assume_role_policy"])["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    assert role["name"] == "matbakh-prod-api-auth-lambda"


def test_used_stores_and_grants_add_exactly_their_statements(rich: dict[str, Any]) -> None:
    statements = _statements(rich, "auth")
    # The stack's one lookup of each (modules/core/account.py).
    (partition,) = rich["data"]["aws_partition"]
    (region,) = rich["data"]["aws_region"]
    (caller,) = rich["data"]["aws_caller_identity"]
    proxy = next(n for n in rich["locals"] if n.startswith("database_proxy_resource_id"))
    p, r, a = (
        f"${{data.aws_partition.{partition}.partition}}",
        f"${{data.aws_region.{region}.name}}",
        f"${{data.aws_caller_identity.{caller}.account_id}}",
    )
    subnets = [_ref(rich, "aws_subnet", f"network/private_{i}", "id") for i in range(3)]
    groups = [
        _ref(rich, "aws_security_group", path, "id")
        for path in ("database/client_security_group", "cache/client_security_group", "network/endpoint_clients")
    ]
    added = {sid: (s["Action"], s["Resource"], s.get("Condition")) for sid, s in statements.items()}
    assert {
        sid: added[sid]
        for sid in set(added) - {"WriteOwnLogs", "SendTraces", "SendToOwnDeadLetterQueue", "UseServiceKey"}
    } == {
        "DescribeNetworkInterfaces": ("ec2:DescribeNetworkInterfaces", "*", None),
        "ManageNetworkInterfacesInOwnSubnets": (
            [
                "ec2:AssignPrivateIpAddresses",
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:UnassignPrivateIpAddresses",
            ],
            [
                f"arn:{p}:ec2:{r}:{a}:network-interface/*",
                *(f"arn:{p}:ec2:{r}:{a}:subnet/{subnet}" for subnet in subnets),
                *(f"arn:{p}:ec2:{r}:{a}:security-group/{group}" for group in groups),
            ],
            None,
        ),
        # the stack's own proxy: its resource id (`prx-…`) is cut from its ARN in a local
        "ConnectThroughDatabaseProxy": (
            "rds-db:connect",
            f"arn:{p}:rds-db:{r}:{a}:dbuser:${{local.{proxy}}}/app_admin",
            None,
        ),
        "ConnectToCache": (
            "elasticache:Connect",
            [
                _ref(rich, "aws_elasticache_replication_group", "cache/group", "arn"),
                _ref(rich, "aws_elasticache_user", "cache/user_auth", "arn"),
            ],
            None,
        ),
        "ObjectsUploads": (
            ["s3:GetObject", "s3:DeleteObject", "s3:PutObject"],
            f"arn:{p}:s3:::matbakh-dev-uploads/incoming/*",
            None,
        ),
        "ListUploads": (
            "s3:ListBucket",
            f"arn:{p}:s3:::matbakh-dev-uploads",
            {"StringLike": {"s3:prefix": ["incoming/*"]}},
        ),
        "ReadGrantedSecrets": (
            "secretsmanager:GetSecretValue",
            [f"arn:{p}:secretsmanager:{r}:{a}:secret:matbakh/dev/jwt-??????"],
            None,
        ),
    }
    assert set(_statements(rich, "vc-result")) == {
        "WriteOwnLogs",
        "SendTraces",
        "SendToOwnDeadLetterQueue",
        "UseServiceKey",
    }


def _allow_statements(stack: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, body in resources(stack, "aws_iam_role_policy").items():
        for statement in json.loads(body["policy"])["Statement"]:
            if statement["Effect"] == "Allow":
                found.append((name, statement))
    return found


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


@pytest.mark.parametrize("env", [*ENVIRONMENTS, "rich"])
def test_no_allow_has_a_star_action_or_a_star_resource_outside_the_written_exceptions(
    stacks: dict[str, dict[str, Any]], rich: dict[str, Any], env: str
) -> None:
    stack = rich if env == "rich" else stacks[env]
    statements = _allow_statements(stack)
    assert statements
    for name, statement in statements:
        actions = _as_list(statement["Action"])
        assert all(a != "*" and not a.endswith(":*") and "*" not in a for a in actions), (name, actions)
        if "*" in _as_list(statement["Resource"]):
            assert statement["Resource"] == "*", (name, "a `*` resource must stand alone")
            assert set(actions) <= set(WILDCARD_RESOURCE_ACTIONS), (name, actions)


def test_the_exceptions_are_written_down_with_reasons() -> None:
    assert sorted(WILDCARD_RESOURCE_ACTIONS) == [
        "ec2:DescribeNetworkInterfaces",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
    ]
    assert all(len(reason) > 20 for reason in WILDCARD_RESOURCE_ACTIONS.values())


def test_log_key_lets_cloudwatch_logs_use_it_only_for_this_services_log_groups(
    stacks: dict[str, dict[str, Any]],
) -> None:
    key = _by_path(stacks["prod"], "aws_kms_key")["lambda/key/key"]
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    logs = statements["CloudWatchLogsEncryptsFunctionLogs"]
    assert logs["Principal"]["Service"].startswith("logs.${data.aws_region.")
    (condition,) = logs["Condition"]["ArnLike"].values()
    assert condition.endswith(":log-group:/aws/lambda/matbakh-prod-api-*")
    assert key["enable_key_rotation"] is True


def test_outputs_name_every_function_alias_and_role(stacks: dict[str, dict[str, Any]]) -> None:
    outputs = stacks["prod"]["output"]
    assert outputs["lambda_function_names"]["value"] == {key: f"matbakh-prod-api-{key}" for key in CRITICAL}
    assert outputs["lambda_alias_arns"]["value"] == {
        key: _ref(stacks["prod"], "aws_lambda_alias", f"{key}/alias", "arn") for key in CRITICAL
    }
    assert outputs["lambda_role_arns"]["value"] == {
        key: _ref(stacks["prod"], "aws_iam_role", f"{key}/role", "arn") for key in CRITICAL
    }


def test_the_placeholder_package_is_written_beside_each_stack(tmp_path: Path) -> None:
    import zipfile

    from cli.synth import placeholder_package

    archive = tmp_path / "p.zip"
    archive.write_bytes(placeholder_package())
    assert placeholder_package() == archive.read_bytes()  # deterministic: no churn in plans
    with zipfile.ZipFile(archive) as opened:
        assert opened.namelist() == ["index.py"]
        assert "def handler(event, context):" in opened.read("index.py").decode()


def test_functions_using_the_cache_get_its_endpoint_their_user_and_the_ttls(rich: dict[str, Any]) -> None:
    functions = _by_path(rich, "aws_lambda_function")
    granted = functions["lambda/auth/function"]["environment"]["variables"]
    group = next(iter(resources(rich, "aws_elasticache_replication_group")))
    assert granted["CACHE_ENDPOINT"] == f"${{aws_elasticache_replication_group.{group}.configuration_endpoint_address}}"
    assert granted["CACHE_PORT"] == "6379"
    assert granted["CACHE_REPLICATION_GROUP_ID"] == "matbakh-dev-api-cache"
    assert granted["CACHE_USER_ID"] == "matbakh-dev-api-cache-auth"
    assert (granted["CACHE_TTL_SESSIONS_SECONDS"], granted["CACHE_TTL_PERSONA_RESULTS_SECONDS"]) == ("86400", "3600")
    assert not any("SECRET" in name for name in granted)
    not_granted = functions["lambda/vc-result/function"]["environment"]["variables"]
    assert not any(name.startswith("CACHE_") for name in not_granted)


def test_the_gate_fails_a_placeholder_package_in_prod(repo_copy: Path, tmp_path: Path) -> None:
    from cli import gate
    from cli.errors import UserError
    from cli.settings import Settings

    prod_yaml = repo_copy / "environments" / "prod.yaml"
    prod_yaml.write_text(prod_yaml.read_text() + "lambda: {functions: {auth: {code: null}}}\n")
    synthesize(repo_copy / "cdktf.out", "--env", "prod", "--force", cwd=repo_copy)
    with pytest.raises(UserError) as raised:
        gate.gate(
            Settings.from_environment().checkov,
            framework="terraform_json",
            targets=[repo_copy / "cdktf.out" / "stacks" / "prod"],
            report_dir=tmp_path / "reports",
            require_all_skips_used=False,
        )
    failures = [line.strip() for line in str(raised.value).splitlines() if line.strip().startswith("FAILED")]
    (failure,) = [line for line in failures if line.startswith("FAILED CKV_MBK_16 ")]
    assert failure.startswith("FAILED CKV_MBK_16 aws_lambda_function.lambda_auth_function_")
    assert "prod deploys real code only" in failure
