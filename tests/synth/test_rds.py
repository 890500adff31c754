"""The database of each shipped environment, asserted on the synthesized JSON; and a dev with
read replicas and a function granted the database."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cli.config_files import load_environment
from tests.conftest import copy_repository, only, purpose_key, resources, synthesize

ENVIRONMENTS = ("dev", "staging", "prod")
PROXIED = tuple(env for env in ENVIRONMENTS if load_environment(env).rds.proxy is not None)
"""prod; dev's and staging's cost profile has no proxy (rds.proxy: null)."""
TAGS = {"Environment", "Service", "ManagedBy", "CostCenter"}
GIB = 1024**3
# environment: class, allocated/max storage, Multi-AZ, backup days, deletion protection, final snapshot
EXPECTED = {
    "dev": ("db.t4g.micro", 20, 26, False, 1, False, False),
    "staging": ("db.t4g.micro", 20, 26, False, 3, True, True),
    "prod": ("db.m7g.large", 100, 500, True, 14, True, True),
}
# Thresholds by hand: CPU %, connections (= max_connections x % / 100, with max_connections =
# LEAST(memory / 9531392, 5000)), freeable memory bytes, free storage bytes, latency seconds,
# proxy client connections.
THRESHOLDS = {
    "dev": {
        "cpu": 80,
        "connections": 112 * 90 / 100,  # t4g.micro: 1 GiB / 9531392 = 112
        "freeable-memory": 1 * GIB * 5 / 100,
        "free-storage": 2 * GIB,
        "read-latency": 0.05,
        "write-latency": 0.05,
    },
    "staging": {
        "cpu": 70,
        "connections": 112 * 85 / 100,  # t4g.micro: 1 GiB / 9531392 = 112
        "freeable-memory": 1 * GIB * 10 / 100,
        "free-storage": 2 * GIB,
        "read-latency": 0.03,
        "write-latency": 0.03,
    },
    "prod": {
        "cpu": 60,
        "connections": 901 * 80 / 100,  # m7g.large: 8 GiB / 9531392 = 901
        "freeable-memory": 8 * GIB * 10 / 100,
        "free-storage": 5 * GIB,
        "read-latency": 0.02,
        "write-latency": 0.02,
        "proxy-client-connections": 1000,
    },
}
NEXT_CLASS = {"dev": "db.t4g.small", "staging": "db.t4g.small", "prod": "db.m7g.xlarge"}


def _by_path(stack: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """The database module's resources of `kind`, keyed by construct path below `database/`."""
    found = {body["//"]["metadata"]["path"].split("/", 1)[1]: body for body in resources(stack, kind).values()}
    return {path.removeprefix("database/"): body for path, body in found.items() if path.startswith("database/")}


def _ref(stack: dict[str, Any], kind: str, path: str, attribute: str) -> str:
    (name,) = [n for n, b in resources(stack, kind).items() if b["//"]["metadata"]["path"].endswith(f"/{path}")]
    return f"${{{kind}.{name}.{attribute}}}"


def _instance(stack: dict[str, Any]) -> dict[str, Any]:
    return _by_path(stack, "aws_db_instance")["instance"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_instance_is_postgres_sized_protected_and_backed_up_per_environment(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    instance = _instance(stack)
    class_, allocated, ceiling, multi_az, backup_days, protected, final_snapshot = EXPECTED[env]
    assert instance["identifier"] == f"matbakh-{env}-api-db"
    assert (instance["engine"], instance["engine_version"], instance["instance_class"]) == ("postgres", "17", class_)
    assert (instance["storage_type"], instance["allocated_storage"], instance["max_allocated_storage"]) == (
        "gp3",
        allocated,
        ceiling,
    )
    assert instance["multi_az"] is multi_az
    assert (instance["backup_retention_period"], instance["backup_window"]) == (backup_days, "02:00-03:00")
    assert instance["maintenance_window"] == "sun:04:00-sun:05:00"
    assert instance["deletion_protection"] is protected
    assert instance["skip_final_snapshot"] is (not final_snapshot)
    assert instance.get("final_snapshot_identifier") == (f"matbakh-{env}-api-db-final" if final_snapshot else None)
    assert instance["copy_tags_to_snapshot"] is True and instance["auto_minor_version_upgrade"] is True
    assert set(instance["tags"]) == TAGS and instance["tags"]["Environment"] == env
    assert (instance["db_name"], instance["username"], instance["port"]) == ("app", "app_admin", 5432)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_instance_is_encrypted_private_iam_authenticated_and_has_no_password_in_configuration(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    instance = _instance(stack)
    key = purpose_key(stack, "database/key/key").arn
    assert instance["storage_encrypted"] is True and instance["kms_key_id"] == key
    assert instance["manage_master_user_password"] is True
    assert instance["master_user_secret_kms_key_id"] == key
    assert not {"password", "password_wo"} & set(instance)
    assert instance["publicly_accessible"] is False
    assert instance["ca_cert_identifier"] == "rds-ca-rsa2048-g1"
    assert instance["iam_database_authentication_enabled"] is True
    assert instance["vpc_security_group_ids"] == [
        _ref(stack, "aws_security_group", "database/database_security_group", "id")
    ]
    assert instance["db_subnet_group_name"] == _ref(stack, "aws_db_subnet_group", "database/subnets", "name")
    subnets = only(stack, "aws_db_subnet_group")["subnet_ids"]
    assert len(subnets) == 3 and all(s.startswith("${aws_subnet.network_private_") for s in subnets)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_performance_insights_enhanced_monitoring_and_logs(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[env]
    instance = _instance(stack)
    key = purpose_key(stack, "database/key/key").arn
    assert instance["performance_insights_enabled"] is True
    assert instance["performance_insights_kms_key_id"] == key
    assert instance["performance_insights_retention_period"] == 7
    assert instance["monitoring_interval"] == 60
    assert instance["monitoring_role_arn"] == _ref(stack, "aws_iam_role", "database/monitoring_role", "arn")
    role = _by_path(stack, "aws_iam_role")["monitoring_role"]
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    policy = json.loads(_by_path(stack, "aws_iam_role_policy")["monitoring_policy"]["policy"])
    resources_ = {s["Sid"]: s["Resource"] for s in policy["Statement"]}
    assert all(":log-group:RDSOSMetrics" in r for r in resources_.values())
    assert instance["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
    logs = _by_path(stack, "aws_cloudwatch_log_group")
    for kind in ("postgresql", "upgrade"):
        group = logs[f"{kind}_logs"]
        assert group["name"] == f"/aws/rds/instance/matbakh-{env}-api-db/{kind}"
        assert (group["kms_key_id"], group["retention_in_days"]) == (key, 365)
        # RDS would create the group itself (unencrypted, kept forever) if the instance came first.
        assert _ref(stack, "aws_cloudwatch_log_group", f"database/{kind}_logs", "")[2:-2] in instance["depends_on"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_parameter_group_forces_tls_and_logs_slow_queries(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[env]
    group = only(stack, "aws_db_parameter_group")
    assert group["family"] == "postgres17"
    assert {p["name"]: p["value"] for p in group["parameter"]} == {
        "rds.force_ssl": "1",
        "log_min_duration_statement": "500",
    }
    assert _instance(stack)["parameter_group_name"] == _ref(
        stack, "aws_db_parameter_group", "database/parameters", "name"
    )


@pytest.mark.parametrize("env", PROXIED)
def test_database_admits_only_its_proxy_and_the_proxy_only_its_clients(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    group = {role: _ref(stack, "aws_security_group", f"database/{role}_security_group", "id") for role in
             ("database", "proxy", "client")}  # fmt: skip
    rules = {
        (kind, body["security_group_id"], body["referenced_security_group_id"], body["from_port"], body["to_port"])
        for kind in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule")
        for body in _by_path(stack, kind).values()
    }
    ingress, egress = "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"
    assert rules == {
        (ingress, group["database"], group["proxy"], 5432, 5432),
        (egress, group["proxy"], group["database"], 5432, 5432),
        (ingress, group["proxy"], group["client"], 5432, 5432),
        (egress, group["client"], group["proxy"], 5432, 5432),
    }
    for kind in (ingress, egress):
        assert not any("cidr_ipv4" in body for body in _by_path(stack, kind).values())


def test_without_a_proxy_the_database_admits_its_clients_directly_and_they_log_in_with_iam(
    stacks: dict[str, dict[str, Any]],
) -> None:
    stack = stacks["dev"]
    assert not any(resources(stack, kind) for kind in ("aws_db_proxy", "aws_db_proxy_target"))
    group = {role: _ref(stack, "aws_security_group", f"database/{role}_security_group", "id") for role in
             ("database", "client")}  # fmt: skip
    assert "proxy_security_group" not in _by_path(stack, "aws_security_group")
    rules = {
        (kind, body["security_group_id"], body["referenced_security_group_id"], body["from_port"], body["to_port"])
        for kind in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule")
        for body in _by_path(stack, kind).values()
    }
    assert rules == {
        ("aws_vpc_security_group_ingress_rule", group["database"], group["client"], 5432, 5432),
        ("aws_vpc_security_group_egress_rule", group["client"], group["database"], 5432, 5432),
    }
    assert _instance(stack)["iam_database_authentication_enabled"] is True
    instance = _ref(stack, "aws_db_instance", "database/instance", "")[:-2]
    outputs = {name: body["value"] for name, body in stack["output"].items()}
    assert outputs["database_connect_host"] == f"{instance}.address}}"
    assert outputs["database_iam_resource_id"] == f"{instance}.resource_id}}"
    assert "database_proxy_endpoint" not in outputs and "database_proxy_security_group_id" not in outputs
    policies = {b["//"]["metadata"]["path"]: b for b in resources(stack, "aws_iam_role_policy").values()}
    role_policy = policies["dev/lambda/auth/role_policy"]
    statements = {s["Sid"]: s for s in json.loads(role_policy["policy"])["Statement"]}
    assert "ConnectThroughDatabaseProxy" not in statements
    assert statements["ConnectToDatabase"]["Resource"].endswith(f":dbuser:{instance}.resource_id}}/app_iam")


@pytest.mark.parametrize("env", PROXIED)
def test_proxy_requires_tls_and_iam_and_logs_in_with_the_managed_secret(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    proxy = only(stack, "aws_db_proxy")
    secret = f"{_ref(stack, 'aws_db_instance', 'database/instance', 'master_user_secret')[:-1]}[0].secret_arn}}"
    assert proxy["name"] == f"matbakh-{env}-api-db-proxy"
    assert (proxy["engine_family"], proxy["require_tls"], proxy["debug_logging"]) == ("POSTGRESQL", True, False)
    assert proxy["auth"] == [
        {
            "auth_scheme": "SECRETS",
            "iam_auth": "REQUIRED",
            "client_password_auth_type": "POSTGRES_SCRAM_SHA_256",
            "secret_arn": secret,
            "description": "Clients use IAM auth; the proxy logs in with the RDS-managed master secret",
        }
    ]
    assert proxy["idle_client_timeout"] == 1800
    assert proxy["role_arn"] == _ref(stack, "aws_iam_role", "database/proxy_role", "arn")
    assert proxy["vpc_security_group_ids"] == [_ref(stack, "aws_security_group", "database/proxy_security_group", "id")]
    assert len(proxy["vpc_subnet_ids"]) == 3
    pool = only(stack, "aws_db_proxy_default_target_group")
    assert pool["db_proxy_name"] == _ref(stack, "aws_db_proxy", "database/proxy", "name")
    assert pool["connection_pool_config"] == {
        "max_connections_percent": 90,
        "max_idle_connections_percent": 50,
        "connection_borrow_timeout": 120,
    }
    target = only(stack, "aws_db_proxy_target")
    assert target["db_instance_identifier"] == _ref(stack, "aws_db_instance", "database/instance", "identifier")
    assert target["target_group_name"] == "default"


@pytest.mark.parametrize("env", PROXIED)
def test_proxy_role_may_read_only_the_secret_and_decrypt_only_through_secrets_manager(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    role = _by_path(stack, "aws_iam_role")["proxy_role"]
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert (trust["Principal"], trust["Action"]) == ({"Service": "rds.amazonaws.com"}, "sts:AssumeRole")
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
    statements = json.loads(_by_path(stack, "aws_iam_role_policy")["proxy_role_policy"]["policy"])["Statement"]
    secret = f"{_ref(stack, 'aws_db_instance', 'database/instance', 'master_user_secret')[:-1]}[0].secret_arn}}"
    (region,) = stack["data"]["aws_region"]  # the stack's one lookup (modules/core/account.py)
    assert statements == [
        {"Sid": "ReadDatabaseSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret},
        {
            "Sid": "DecryptDatabaseSecret",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": purpose_key(stack, "database/key/key").arn,
            "Condition": {
                "StringEquals": {"kms:ViaService": f"secretsmanager.${{data.aws_region.{region}.name}}.amazonaws.com"}
            },
        },
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_capacity_alarms_have_per_environment_thresholds_and_notify_the_alert_topic(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    alarms = {
        path.removeprefix("alarm_").replace("_", "-"): a
        for path, a in _by_path(stack, "aws_cloudwatch_metric_alarm").items()
    }
    assert set(alarms) == set(THRESHOLDS[env])  # no replica-lag alarm: no replicas shipped
    topic = _ref(stack, "aws_sns_topic", "alerts/topic", "arn")
    for key, alarm in alarms.items():
        assert alarm["alarm_name"] == f"matbakh-{env}-api-db-{key}"
        assert alarm["threshold"] == pytest.approx(THRESHOLDS[env][key]), key
        assert alarm["alarm_actions"] == [topic] and alarm["ok_actions"] == [topic]
        assert alarm["treat_missing_data"] in {"notBreaching", "missing", "breaching"}
        assert (alarm["namespace"], alarm["period"], alarm["evaluation_periods"]) == ("AWS/RDS", 300, 3)
        assert len(alarm["alarm_description"]) <= 1024
        assert set(alarm["tags"]) == TAGS
    for key in set(alarms) - {"proxy-client-connections"}:
        assert alarms[key]["dimensions"] == {"DBInstanceIdentifier": f"matbakh-{env}-api-db"}
    assert alarms["connections"]["metric_name"] == "DatabaseConnections"
    if env in PROXIED:
        assert alarms["proxy-client-connections"]["dimensions"] == {"ProxyName": f"matbakh-{env}-api-db-proxy"}
        assert alarms["proxy-client-connections"]["metric_name"] == "ClientConnections"
    for key in ("cpu", "connections"):
        assert alarms[key]["comparison_operator"] == "GreaterThanThreshold"
    for key in ("freeable-memory", "free-storage"):
        assert alarms[key]["comparison_operator"] == "LessThanThreshold"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_class_too_small_alarms_carry_the_next_class_and_the_yaml_change(
    stacks: dict[str, dict[str, Any]], env: str
) -> None:
    stack = stacks[env]
    alarms = _by_path(stack, "aws_cloudwatch_metric_alarm")
    runbooks = stack["output"]["rds_runbooks"]["value"]
    assert set(runbooks) == {path.removeprefix("alarm_").replace("_", "-") for path in alarms}
    for key in ("cpu", "connections"):
        description = alarms[f"alarm_{key}"]["alarm_description"]
        assert (
            f"Next up: {NEXT_CLASS[env]}: set rds.instance_class: {NEXT_CLASS[env]} in environments/{env}.yaml"
        ) in description
        assert f"\nrds:\n  instance_class: {NEXT_CLASS[env]}\n" in runbooks[key]
    assert "max_connections 112" in runbooks["connections"] if env == "dev" else True


@pytest.mark.parametrize("env", PROXIED)
def test_outputs_other_stacks_need(stacks: dict[str, dict[str, Any]], env: str) -> None:
    stack = stacks[env]
    outputs = {name: body["value"] for name, body in stack["output"].items()}
    instance = _ref(stack, "aws_db_instance", "database/instance", "")[:-2]
    proxy = _ref(stack, "aws_db_proxy", "database/proxy", "")[:-2]
    assert outputs["database_endpoint_address"] == f"{instance}.address}}"
    assert outputs["database_proxy_endpoint"] == outputs["database_connect_host"] == f"{proxy}.endpoint}}"
    assert (outputs["database_port"], outputs["database_name"]) == (5432, "app")
    assert outputs["database_master_user_secret_arn"] == f"{instance}.master_user_secret[0].secret_arn}}"
    (local,) = [name for name in stack["locals"] if name.startswith("database_proxy_resource_id")]
    # The proxy's ARN ends in `:db-proxy:prx-…`; its seventh field is the resource id.
    assert stack["locals"][local] == f'${{element(split(":", {proxy[2:]}.arn), 6)}}'
    assert outputs["database_iam_resource_id"] == f"${{local.{local}}}"
    for name, role in (("database", "database"), ("database_proxy", "proxy"), ("database_client", "client")):
        assert outputs[f"{name}_security_group_id"] == _ref(
            stack, "aws_security_group", f"database/{role}_security_group", "id"
        )


# dev with two read replicas, a named client admitted directly, and a function granted the database.
WITH_REPLICAS_AND_A_GRANTED_FUNCTION = """\
network: {cidr_block: 10.42.0.0/16}  # dev's own range (prod has 10.40)
rds:
  instance_class: db.t4g.micro
  allocated_storage_gib: 20
  max_allocated_storage_gib: 50
  multi_az: false
  backup_retention_days: 1
  deletion_protection: false
  final_snapshot: false
  read_replicas: 2
  client_security_group_ids: {migrations: sg-0123456789abcdef0}
lambda:
  provisioned_concurrency: {min: 0, max: 2}
  schedule: null
  functions:
    persona: {uses: [cache]}
    upload: {uses: []}
"""


@pytest.fixture(scope="module")
def with_replicas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = copy_repository(tmp_path_factory.mktemp("replicas") / "repo")
    (root / "environments" / "dev.yaml").write_text(WITH_REPLICAS_AND_A_GRANTED_FUNCTION)
    return synthesize(root / "cdktf.out", "--env", "dev", "--force", cwd=root)["dev"]


def test_read_replicas_follow_the_primary_and_get_a_lag_alarm_each(with_replicas: dict[str, Any]) -> None:
    stack = with_replicas
    instances = _by_path(stack, "aws_db_instance")
    assert sorted(instances) == ["instance", "replica_1", "replica_2"]
    primary = _ref(stack, "aws_db_instance", "database/instance", "identifier")
    for number in (1, 2):
        replica = instances[f"replica_{number}"]
        assert replica["identifier"] == f"matbakh-dev-api-db-replica-{number}"
        assert replica["replicate_source_db"] == primary
        assert replica["instance_class"] == "db.t4g.micro" and replica["storage_encrypted"] is True
        assert replica["iam_database_authentication_enabled"] is True
        assert replica["performance_insights_enabled"] is True
        alarm = _by_path(stack, "aws_cloudwatch_metric_alarm")[f"alarm_replica_{number}_lag"]
        assert (alarm["metric_name"], alarm["threshold"]) == ("ReplicaLag", 30)
        assert alarm["dimensions"] == {"DBInstanceIdentifier": f"matbakh-dev-api-db-replica-{number}"}
        assert f"replica-{number}-lag" in stack["output"]["rds_runbooks"]["value"]


def test_named_clients_are_admitted_to_the_database_directly(with_replicas: dict[str, Any]) -> None:
    rule = _by_path(with_replicas, "aws_vpc_security_group_ingress_rule")["database_from_migrations"]
    assert rule["referenced_security_group_id"] == "sg-0123456789abcdef0"
    assert rule["security_group_id"] == _ref(
        with_replicas, "aws_security_group", "database/database_security_group", "id"
    )
    assert (rule["from_port"], rule["to_port"]) == (5432, 5432)


def test_a_function_using_the_database_connects_through_the_stacks_own_proxy_only(
    with_replicas: dict[str, Any],
) -> None:
    stack = with_replicas
    functions = {b["//"]["metadata"]["path"]: b for b in resources(stack, "aws_lambda_function").values()}
    policies = {b["//"]["metadata"]["path"]: b for b in resources(stack, "aws_iam_role_policy").values()}
    proxy = _ref(stack, "aws_db_proxy", "database/proxy", "")[2:-2]
    (partition,) = stack["data"]["aws_partition"]
    (region,) = stack["data"]["aws_region"]
    (caller,) = stack["data"]["aws_caller_identity"]
    (local,) = [name for name in stack["locals"] if name.startswith("database_proxy_resource_id")]
    statements = {s["Sid"]: s for s in json.loads(policies["dev/lambda/auth/role_policy"]["policy"])["Statement"]}
    assert statements["ConnectThroughDatabaseProxy"] == {
        "Sid": "ConnectThroughDatabaseProxy",
        "Effect": "Allow",
        "Action": "rds-db:connect",
        "Resource": (
            f"arn:${{data.aws_partition.{partition}.partition}}:rds-db:${{data.aws_region.{region}.name}}:"
            f"${{data.aws_caller_identity.{caller}.account_id}}:dbuser:"
            f"${{local.{local}}}/app_admin"
        ),
    }
    variables = functions["dev/lambda/auth/function"]["environment"]["variables"]
    assert {k: v for k, v in variables.items() if k.startswith("DATABASE_")} == {
        "DATABASE_HOST": f"${{{proxy}.endpoint}}",
        "DATABASE_PORT": "5432",
        "DATABASE_NAME": "app",
        "DATABASE_USER": "app_admin",
    }
    for name in ("persona", "upload"):
        others = json.loads(policies[f"dev/lambda/{name}/role_policy"]["policy"])["Statement"]
        assert not any(s["Sid"] == "ConnectThroughDatabaseProxy" for s in others)
        assert not any(
            k.startswith("DATABASE_") for k in functions[f"dev/lambda/{name}/function"]["environment"]["variables"]
        )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_plan_quotes_no_price_the_cost_report_does(stacks: dict[str, dict[str, Any]], env: str) -> None:
    runbooks = stacks[env]["output"]["rds_runbooks"]["value"]
    for key in ("cpu", "connections"):
        assert f"Monthly price difference: `make cost ENV={env}` shows it (database resize)." in runbooks[key]
    descriptions = [
        alarm["alarm_description"] for alarm in _by_path(stacks[env], "aws_cloudwatch_metric_alarm").values()
    ]
    assert not [text for text in [*runbooks.values(), *descriptions] if "EUR" in text]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_instance_runs_only_in_its_running_hours(stacks: dict[str, dict[str, Any]], env: str) -> None:
    """`rds.running_hours` (dev, staging): EventBridge Scheduler starts the instance and stops it, from a
    role that may start and stop this instance and nothing else; prod's runs around the clock."""
    stack = stacks[env]
    hours = load_environment(env).rds.running_hours
    schedules = _by_path(stack, "aws_scheduler_schedule")
    if hours is None:
        assert not schedules and "scheduler_role" not in _by_path(stack, "aws_iam_role")
        return
    assert (hours.days, hours.start, hours.end, hours.time_zone) == ("MON-FRI", "07:00", "19:00", "Europe/Berlin")
    role = _ref(stack, "aws_iam_role", "database/scheduler_role", "arn")
    key = purpose_key(stack, "database/key/key").arn
    (partition,) = stack["data"]["aws_partition"]
    for action, cron in (("start", "cron(0 7 ? * MON-FRI *)"), ("stop", "cron(0 19 ? * MON-FRI *)")):
        schedule = schedules[f"{action}_schedule"]
        assert schedule["name"] == f"matbakh-{env}-api-db-{action}"
        assert (schedule["schedule_expression"], schedule["schedule_expression_timezone"]) == (cron, "Europe/Berlin")
        assert schedule["flexible_time_window"] == {"mode": "OFF"} and schedule["kms_key_arn"] == key
        target = schedule["target"]
        assert target["arn"] == (
            f"arn:${{data.aws_partition.{partition}.partition}}:scheduler:::aws-sdk:rds:{action}DBInstance"
        )
        assert json.loads(target["input"]) == {"DbInstanceIdentifier": f"matbakh-{env}-api-db"}
        assert target["role_arn"] == role
    trust = json.loads(_by_path(stack, "aws_iam_role")["scheduler_role"]["assume_role_policy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "scheduler.amazonaws.com"}]
    assert "aws:SourceAccount" in trust[0]["Condition"]["StringEquals"]
    policy = json.loads(_by_path(stack, "aws_iam_role_policy")["scheduler_role_policy"]["policy"])["Statement"]
    assert policy == [
        {
            "Sid": "StartAndStopTheInstance",
            "Effect": "Allow",
            "Action": ["rds:StartDBInstance", "rds:StopDBInstance"],
            "Resource": _ref(stack, "aws_db_instance", "database/instance", "arn"),
        },
        {"Sid": "ReadScheduleInput", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key},
    ]
