"""Discovery of a small estate built with boto3 in the local emulator (moto over TLS on 127.0.0.1)."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from cli import emulator
from cli.discovery.aws import iam_action, is_read_only
from cli.discovery.command import run
from cli.discovery.model import Finding, Inventory
from environments.loader import parse_environment
from tests.conftest import PYTHON, REPO
from tests.conftest import run as run_command

pytestmark = pytest.mark.integration
REGION = "eu-central-1"
POLICY = json.loads((REPO / "policies" / "discovery-readonly-policy.json").read_text())
ALARMS = 61  # more than one page of DescribeAlarms at page size 2 (and than the 50 of several APIs)


@dataclass
class Estate:
    running: emulator.Emulator
    directory: Path
    account_id: str

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.running.endpoint,
            verify=str(self.running.ca_bundle),
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return 1\n")
    return buffer.getvalue()


def _build(estate: Estate) -> None:
    role = estate.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = estate.client("lambda")
    common = {"Role": role, "Handler": "handler.handle", "Code": {"ZipFile": _zip()}, "Runtime": "python3.12"}
    web = lam.create_function(FunctionName="matbakh-dev-api-web", Tags={"Environment": "dev"}, Publish=True, **common)
    lam.create_alias(FunctionName="matbakh-dev-api-web", Name="live", FunctionVersion=web["Version"])
    lam.create_function(FunctionName="matbakh-dev-api-worker", Tags={"Environment": "dev"}, **common)  # no alias
    lam.create_function(FunctionName="legacy-thumbnailer", **common)  # no tag, no matching name
    lam.create_function(FunctionName="matbakh-prod-api-web", Tags={"Environment": "prod"}, **common)
    scaling = estate.client("application-autoscaling")
    for name in ("matbakh-dev-api-web", "matbakh-prod-api-web", "matbakh-dev-api-extra"):
        scaling.register_scalable_target(
            ServiceNamespace="lambda",
            ResourceId=f"function:{name}:live",
            ScalableDimension="lambda:function:ProvisionedConcurrency",
            MinCapacity=1,
            MaxCapacity=4,
        )
    estate.client("rds").create_db_instance(
        DBInstanceIdentifier="matbakh-dev-api-db",
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20,
        MasterUsername="app",
        MasterUserPassword="password-123",
        Tags=[{"Key": "Environment", "Value": "dev"}],
    )
    estate.client("elasticache").create_replication_group(
        ReplicationGroupId="matbakh-dev-api-cache",
        ReplicationGroupDescription="sessions",
        Engine="redis",
        CacheNodeType="cache.t4g.small",
        NumCacheClusters=2,
        Tags=[{"Key": "Environment", "Value": "dev"}],
    )
    cloudwatch = estate.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="matbakh-dev-api-db-cpu",
        Namespace="AWS/RDS",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "matbakh-dev-api-db"}],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=75,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=["arn:aws:sns:eu-central-1:123456789012:alerts"],
    )
    for number in range(ALARMS - 1):
        cloudwatch.put_metric_alarm(
            AlarmName=f"matbakh-staging-api-queue-{number:02d}",
            Namespace="AWS/SQS",
            MetricName="ApproximateAgeOfOldestMessage",
            Statistic="Maximum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=300,
            ComparisonOperator="GreaterThanThreshold",
        )
    estate.client("cloudfront").create_distribution_with_tags(
        DistributionConfigWithTags={
            "DistributionConfig": {
                "CallerReference": "dev-cdn",
                "Comment": "matbakh-dev-api-cdn",
                "Enabled": True,
                "HttpVersion": "http2",
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "api",
                            "DomainName": "api.example.com",
                            "CustomOriginConfig": {
                                "HTTPPort": 80,
                                "HTTPSPort": 443,
                                "OriginProtocolPolicy": "https-only",
                            },
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "api",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                },
            },
            "Tags": {"Items": [{"Key": "Environment", "Value": "dev"}]},
        }
    )
    estate.client("budgets").create_budget(
        AccountId=estate.account_id,
        Budget={
            "BudgetName": "matbakh-dev-api-monthly",
            "BudgetLimit": {"Amount": "20", "Unit": "EUR"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
    )


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    directory = tmp_path_factory.mktemp("emulator")
    running = emulator.start(directory)
    try:
        sts = boto3.client(
            "sts",
            endpoint_url=running.endpoint,
            verify=str(running.ca_bundle),
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        made = Estate(running=running, directory=directory, account_id=sts.get_caller_identity()["Account"])
        _build(made)
        yield made
    finally:
        emulator.stop(directory)


@dataclass
class Discovery:
    inventory: Inventory
    findings: tuple[Finding, ...]
    json_path: Path
    operations: Counter[tuple[str, str]]

    def finding(self, resource: str, message: str) -> Finding:
        hits = [f for f in self.findings if f.resource_id == resource and f.message == message]
        assert len(hits) == 1, [f"{f.resource_id}: {f.message}" for f in self.findings]
        return hits[0]


def _discover(estate: Estate, out: Path, *, page_size: int | None, stack: Path | None = None) -> Discovery:
    """Run discovery, recording every operation botocore sends (the truth, not what the code says)."""
    operations: Counter[tuple[str, str]] = Counter()

    def clients(service: str) -> Any:
        client = estate.client(service)

        def record(model: Any, **_: Any) -> None:
            operations[(model.service_model.service_name, model.name)] += 1

        client.meta.events.register("before-call", record)
        return client

    inventory, findings, outputs = run(
        "dev", clients=clients, json_path=out / "discovery.json", page_size=page_size, stack_path=stack
    )
    return Discovery(inventory, findings, outputs.json_path, operations)


@pytest.fixture(scope="module")
def paged(estate: Estate, tmp_path_factory: pytest.TempPathFactory) -> Discovery:
    return _discover(estate, tmp_path_factory.mktemp("paged"), page_size=2)


def test_the_inventory_lists_and_classifies_what_exists(paged: Discovery) -> None:
    inv = paged.inventory
    functions = {f.name: f for f in inv.lambda_functions}
    assert set(functions) == {
        "matbakh-dev-api-web",
        "matbakh-dev-api-worker",
        "legacy-thumbnailer",
        "matbakh-prod-api-web",
    }
    assert [a.name for a in functions["matbakh-dev-api-web"].aliases] == ["live"]
    assert functions["matbakh-dev-api-web"].versions == ("1",)
    assert functions["matbakh-dev-api-worker"].aliases == ()
    assert functions["matbakh-dev-api-web"].classification.source == "tag"
    assert functions["matbakh-prod-api-web"].classification.environment == "prod"
    assert functions["legacy-thumbnailer"].classification.environment is None
    [db] = inv.db_instances
    assert (db.identifier, db.max_allocated_storage_gib, db.instance_class) == (
        "matbakh-dev-api-db",
        None,
        "db.t4g.micro",
    )
    [group] = inv.replication_groups
    assert (group.replication_group_id, group.node_type, group.cluster_mode_enabled) == (
        "matbakh-dev-api-cache",
        "cache.t4g.small",
        False,
    )
    [dist] = inv.distributions
    assert (dist.comment, dist.http_version, dist.classification.environment) == ("matbakh-dev-api-cdn", "http2", "dev")
    [budget] = inv.budgets
    assert (budget.name, budget.limit_amount, budget.limit_unit) == ("matbakh-dev-api-monthly", 20.0, "EUR")
    assert inv.account_id == "123456789012"


def test_more_items_than_one_page_are_all_read(paged: Discovery) -> None:
    names = [a.name for a in paged.inventory.alarms]
    assert len(names) == ALARMS == len(set(names))
    targets = {t.resource_id: t for t in paged.inventory.scalable_targets}
    assert set(targets) == {
        f"function:{n}:live" for n in ("matbakh-dev-api-web", "matbakh-prod-api-web", "matbakh-dev-api-extra")
    }
    # three targets at two per page: the emulator really paginated
    assert paged.operations[("application-autoscaling", "DescribeScalableTargets")] >= 2
    assert paged.operations[("cloudwatch", "DescribeAlarms")] > 1
    assert targets["function:matbakh-dev-api-extra:live"].classification.source == "name"


def test_readiness_findings_name_the_problem_and_the_fix(paged: Discovery) -> None:
    no_alias = paged.finding("matbakh-dev-api-worker", "function has no alias: provisioned concurrency cannot attach")
    assert no_alias.severity == "high"
    assert "lambda.provisioned_concurrency" in no_alias.fix
    assert paged.finding("matbakh-dev-api-db", "storage autoscaling off").fix.startswith("max_allocated_storage_gib")
    paged.finding("matbakh-dev-api-db", "no alarms on connections")
    node = paged.finding("matbakh-dev-api-cache", "node type cache.t4g.small does not support replica autoscaling")
    assert node.severity == "high" and "cache.r7g.large" in node.fix
    paged.finding("matbakh-dev-api-cache", "cluster mode disabled: replica autoscaling needs cluster mode enabled")
    [dist] = paged.inventory.distributions
    assert paged.finding(dist.distribution_id, "HTTP/3 off").fix == "http_version: http2and3 (CloudFront module)"
    # the CPU alarm exists: no finding about it; prod's function is not assessed for dev
    assert not [f for f in paged.findings if f.message == "no CPU alarm"]
    assert not [f for f in paged.findings if f.resource_id == "matbakh-prod-api-web"]


def test_a_resource_without_environment_tag_is_reported_unclassified(paged: Discovery) -> None:
    finding = paged.finding(
        "legacy-thumbnailer",
        "unclassified: no Environment tag and the name does not match ^matbakh-dev-api(?:$|[-_.:])",
    )
    assert finding.fix == "tag it Environment=dev if it belongs to dev (or to its environment)"
    document = json.loads(paged.json_path.read_text())
    [legacy] = [f for f in document["inventory"]["lambda_functions"] if f["name"] == "legacy-thumbnailer"]
    assert legacy["classification"] == {"environment": None, "source": "none"}


def test_the_draft_yaml_validates_and_carries_what_was_found(paged: Discovery) -> None:
    draft = paged.json_path.parent / "dev.yaml"
    config = parse_environment("dev", draft.read_text(), draft)
    assert (config.lambda_service.provisioned_concurrency.min, config.lambda_service.provisioned_concurrency.max) == (
        1,
        4,
    )
    assert config.rds.cpu_alarm_threshold_percent == 75
    assert config.budget.soft_limit_eur == 20
    assert config.slo.latency_p95_ms == 500  # not discoverable: kept from environments/dev.yaml


def test_every_call_is_read_only_and_allowed_by_the_shipped_policy(paged: Discovery) -> None:
    allowed = {action for statement in POLICY["Statement"] for action in statement["Action"]}
    called = {iam_action(service, operation) for service, operation in paged.operations}
    assert all(is_read_only(operation) for _, operation in paged.operations)
    assert called - allowed == set()
    assert {"lambda:ListFunctions", "rds:DescribeDBInstances", "budgets:ViewBudget"} <= called
    assert all("*" not in action for action in allowed)


def test_import_blocks_adopt_what_the_synthesized_stack_manages(estate: Estate, tmp_path: Path) -> None:
    stack = {
        "resource": {
            "aws_lambda_function": {"web_fn_1A2B3C4D": {"function_name": "matbakh-dev-api-web"}},
            "aws_lambda_alias": {
                "web_alias_5E6F7A8B": {
                    "function_name": "${aws_lambda_function.web_fn_1A2B3C4D.function_name}",
                    "name": "live",
                }
            },
            "aws_db_instance": {"db_instance_0A1B2C3D": {"identifier": "matbakh-dev-api-db"}},
        }
    }
    stack_path = tmp_path / "cdk.tf.json"
    stack_path.write_text(json.dumps(stack))
    result = _discover(estate, tmp_path / "out", page_size=None, stack=stack_path)
    hcl = (result.json_path.parent / "imports.tf").read_text()
    assert 'import {\n  to = aws_lambda_function.web_fn_1A2B3C4D\n  id = "matbakh-dev-api-web"\n}' in hcl
    assert 'import {\n  to = aws_lambda_alias.web_alias_5E6F7A8B\n  id = "matbakh-dev-api-web/live"\n}' in hcl
    assert "to = aws_db_instance.db_instance_0A1B2C3D" in hcl
    assert '#   aws_elasticache_replication_group: id = "matbakh-dev-api-cache"' in hcl
    assert "legacy-thumbnailer" not in hcl and "matbakh-prod-api-web" not in hcl


def test_the_cli_discovers_the_emulator_and_leaves_environments_alone(estate: Estate, tmp_path: Path) -> None:
    """What `make discover ENV=dev` runs (not make itself: its `setup` prerequisite installs venvs)."""
    assert '\t@$(PY) -m cli discover --env="$$AUTOSCALE_ENV"\n' in (REPO / "Makefile").read_text()
    before = {p.name: p.read_text() for p in (REPO / "environments").glob("*.yaml")}
    out = tmp_path / "reports" / "discovery.json"
    # Its own emulator with an alarm only: with a Lambda function or an RDS instance, moto's
    # /moto-api/data.json (the probe of `emulator.running`) answers 500, so `ensure` would
    # restart the emulator and wipe it (a gap of cli/emulator/, reported to the lead).
    directory = tmp_path / "emulator"
    running = emulator.start(directory)
    try:
        small = Estate(running=running, directory=directory, account_id=estate.account_id)
        small.client("cloudwatch").put_metric_alarm(
            AlarmName="matbakh-dev-api-errors",
            Namespace="AWS/Lambda",
            MetricName="Errors",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanThreshold",
        )
        result = run_command(
            [PYTHON, "-m", "cli", "discover", "--env", "dev", "--json", str(out)],
            cwd=REPO,
            env={"AUTOSCALE_TARGET": "emulator", "AUTOSCALE_EMULATOR_DIR": str(directory)},
            timeout=300,
        )
        assert emulator.running(directory) == running  # reused, not restarted
    finally:
        emulator.stop(directory)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"discover: dev reads the LOCAL AWS EMULATOR at {running.endpoint} (read-only)" in result.stdout
    assert "alarm notifies nobody" in result.stdout
    assert "no budget for the environment" in result.stdout
    # Application Auto Scaling (the launcher fills its elasticache namespace): read, not a gap
    assert "warning:" not in result.stdout and "application-autoscaling" not in result.stdout
    assert sorted(p.name for p in out.parent.iterdir()) == ["dev.yaml", "discovery.json", "imports.tf"]
    assert {p.name: p.read_text() for p in (REPO / "environments").glob("*.yaml")} == before


def test_the_environments_folder_is_never_an_output(tmp_path: Path) -> None:
    result = run_command(
        [PYTHON, "-m", "cli", "discover", "--env", "dev", "--json", str(REPO / "environments" / "d.json")],
        cwd=REPO,
        env={"AUTOSCALE_TARGET": "aws"},
        timeout=120,
    )
    assert result.returncode == 1
    assert "is the environments folder: discovery never overwrites it" in result.stderr
