"""Orphans of an interrupted apply: planned creates that already exist, found with read-only calls
(moto in this process), adopted only when unambiguous and this environment's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cli.discovery import orphans
from cli.discovery.aws import AwsReader

REGION = "eu-central-1"
DEV = [{"Key": "Environment", "Value": "dev"}, {"Key": "ManagedBy", "Value": "autoscale-infra"}]


def _create(address: str, after: dict[str, Any], unknown: tuple[str, ...] = ()) -> dict[str, Any]:
    kind, name = address.split(".")
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": name,
        "change": {"actions": ["create"], "after": after, "after_unknown": dict.fromkeys(unknown, True)},
    }


def _config(address: str, provider: str = "aws", **references: str) -> dict[str, Any]:
    return {
        "address": address,
        "provider_config_key": provider,
        "expressions": {
            argument: {"references": [target, target.rsplit(".", 1)[0]]} for argument, target in references.items()
        },
    }


def _plan(changes: list[dict[str, Any]], configs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {"expressions": {"region": {"constant_value": REGION}}},
                "aws.edge": {"alias": "edge", "expressions": {"region": {"constant_value": "us-east-1"}}},
            },
            "root_module": {"resources": configs},
        },
    }


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _client(service: str, region: str = REGION) -> Any:
    return boto3.client(service, region_name=region)


def _find(plan: dict[str, Any]) -> orphans.Found:
    return orphans.find(
        plan,
        env="dev",
        prefix="matbakh-dev-api",
        home_region=REGION,
        clients=lambda region: lambda service: _client(service, region),
    )


def test_existing_creates_are_found_and_only_this_environments_are_adoptable(aws: None) -> None:
    _client("rds").create_db_instance(
        DBInstanceIdentifier="matbakh-dev-api-db",
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20,
        MasterUsername="app",
        MasterUserPassword="password-123",
        Tags=DEV,
    )
    iam = _client("iam")
    iam.create_role(RoleName="matbakh-dev-api-persona-lambda", AssumeRolePolicyDocument="{}", Tags=DEV)
    staging = [{"Key": "Environment", "Value": "staging"}]
    iam.create_role(RoleName="matbakh-dev-api-auth-lambda", AssumeRolePolicyDocument="{}", Tags=staging)
    _client("logs").create_log_group(logGroupName="/aws/lambda/matbakh-dev-api-persona", tags={"Owner": "data"})
    untagged = _client("sqs").create_queue(QueueName="matbakh-dev-api-persona-dlq")["QueueUrl"]
    queue = _client("sqs", "us-east-1").create_queue(QueueName="matbakh-dev-api-edge-dlq", tags={"Environment": "dev"})[
        "QueueUrl"
    ]
    plan = _plan(
        [
            _create("aws_db_instance.database", {"identifier": "matbakh-dev-api-db"}),
            _create("aws_iam_role.persona", {"name": "matbakh-dev-api-persona-lambda"}),
            _create("aws_iam_role.auth", {"name": "matbakh-dev-api-auth-lambda"}),
            _create("aws_iam_role.absent", {"name": "matbakh-dev-api-upload-lambda"}),
            _create("aws_cloudwatch_log_group.persona", {"name": "/aws/lambda/matbakh-dev-api-persona"}),
            _create("aws_sqs_queue.edge", {"name": "matbakh-dev-api-edge-dlq"}),
            _create("aws_sqs_queue.home", {"name": "matbakh-dev-api-edge-dlq-home"}),
            _create("aws_sqs_queue.persona", {"name": "matbakh-dev-api-persona-dlq"}),
            {**_create("aws_lambda_function.imported", {"function_name": "x"}), "change": {"actions": ["no-op"]}},
        ],
        [_config("aws_sqs_queue.edge", "aws.edge")],
    )
    found = _find(plan)
    verdicts = {o.address: (o.import_id, o.adoptable, o.reason) for o in found.orphans}
    assert verdicts == {
        "aws_db_instance.database": ("matbakh-dev-api-db", True, "tagged Environment=dev"),
        "aws_iam_role.persona": ("matbakh-dev-api-persona-lambda", True, "tagged Environment=dev"),
        "aws_iam_role.auth": ("matbakh-dev-api-auth-lambda", False, "tagged Environment=staging, not dev"),
        "aws_cloudwatch_log_group.persona": (
            "/aws/lambda/matbakh-dev-api-persona",
            False,
            "tagged (Owner) but not Environment=dev",
        ),
        "aws_sqs_queue.edge": (queue, True, "tagged Environment=dev"),  # in the edge provider's region
        "aws_sqs_queue.persona": (
            untagged,
            True,
            "untagged (its create was interrupted before tagging), named with the stack's prefix matbakh-dev-api",
        ),
    }
    assert found.checked == 8 and found.gaps == ()
    blocks = json.loads(orphans.render_json(found.orphans, environment="dev"))
    assert blocks["import"] == [
        {"to": "aws_db_instance.database", "id": "matbakh-dev-api-db"},
        {"to": "aws_iam_role.persona", "id": "matbakh-dev-api-persona-lambda"},
        {"to": "aws_sqs_queue.edge", "id": queue},
        {"to": "aws_sqs_queue.persona", "id": untagged},
    ]
    message = orphans.describe(found, env="dev", where="AWS (eu-central-1)", adopt_file=".work/aws/dev/adopt.tf.json", adopting=False)  # fmt: skip
    lines = message.splitlines()
    assert lines[0].startswith("6 resource(s) this plan of dev would create already exist in AWS (eu-central-1)")
    assert "  aws_db_instance.database: matbakh-dev-api-db (tagged Environment=dev)" in lines
    assert "  make plan ENV=dev IMPORT=yes" in lines
    refused = lines.index(next(line for line in lines if line.startswith("Not adopted")))
    assert sorted(lines[refused + 1 :]) == [
        "  aws_cloudwatch_log_group.persona: /aws/lambda/matbakh-dev-api-persona (tagged (Owner) but not Environment=dev)",
        "  aws_iam_role.auth: matbakh-dev-api-auth-lambda (tagged Environment=staging, not dev)",
    ]


def test_a_subnet_of_an_orphan_vpc_and_the_key_of_an_orphan_alias_are_found_through_them(aws: None) -> None:
    ec2 = _client("ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.42.0.0/16",
        TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [*DEV, {"Key": "Name", "Value": "matbakh-dev-api-private"}]}
        ],
    )["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.42.0.0/20", TagSpecifications=[{"ResourceType": "subnet", "Tags": DEV}]
    )["Subnet"]["SubnetId"]
    kms = _client("kms")
    key = kms.create_key(Description="database of dev", Tags=[{"TagKey": "Environment", "TagValue": "dev"}])
    key_id = key["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/matbakh-dev-api-database", TargetKeyId=key_id)
    kms.create_key(Description="database of dev")  # a second key of the same description: never guessed
    plan = _plan(
        [
            _create("aws_vpc.network", {"tags": {"Name": "matbakh-dev-api-private", "Environment": "dev"}}),
            _create("aws_subnet.private_0", {"cidr_block": "10.42.0.0/20"}, unknown=("vpc_id", "id")),
            _create("aws_subnet.private_1", {"cidr_block": "10.42.16.0/20"}, unknown=("vpc_id", "id")),
            _create("aws_kms_key.database", {"description": "database of dev"}, unknown=("key_id", "arn")),
            _create("aws_kms_alias.database", {"name": "alias/matbakh-dev-api-database"}, unknown=("target_key_id",)),
        ],
        [
            _config("aws_subnet.private_0", vpc_id="aws_vpc.network.id"),
            _config("aws_subnet.private_1", vpc_id="aws_vpc.network.id"),
            _config("aws_kms_alias.database", target_key_id="aws_kms_key.database.key_id"),
        ],
    )
    found = _find(plan)
    assert {o.address: o.import_id for o in found.orphans if o.adoptable} == {
        "aws_vpc.network": vpc,
        "aws_subnet.private_0": subnet,
        "aws_kms_alias.database": "alias/matbakh-dev-api-database",
        "aws_kms_key.database": key_id,
    }
    assert len(found.orphans) == 4 and found.checked == 5


def test_a_denied_lookup_is_a_gap_not_an_orphan_and_makes_no_write() -> None:
    from botocore.stub import Stubber

    client = boto3.client("iam", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        stubber.add_client_error("get_role", service_error_code="AccessDenied", http_status_code=403)
        found = orphans.find(
            _plan([_create("aws_iam_role.persona", {"name": "matbakh-dev-api-persona-lambda"})], []),
            env="dev",
            prefix="matbakh-dev-api",
            home_region=REGION,
            clients=lambda region: lambda service: client,
        )
    assert found.orphans == ()
    (gap,) = found.gaps
    assert gap.action == "iam:GetRole" and gap.kind == "access-denied"
    with pytest.raises(AssertionError, match="read-only calls only"):
        AwsReader(lambda _: client, region=REGION).call("iam", "create_role", RoleName="x")


def test_an_answer_that_is_no_aws_error_is_a_failed_lookup() -> None:
    from botocore.parsers import ResponseParserError

    client = boto3.client("rds", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")

    def html_page(**_: Any) -> Any:
        raise ResponseParserError("invalid XML received: <!doctype html>… 500 Internal Server Error")

    client.describe_db_proxies = html_page
    reader = AwsReader(lambda _: client, region=REGION)
    assert reader.call("rds", "describe_db_proxies", DBProxyName="matbakh-dev-api-db-proxy") is None
    (gap,) = reader.gaps
    assert (gap.action, gap.kind) == ("rds:DescribeDBProxies", "failed")
    assert gap.message == "rds:DescribeDBProxies failed: the endpoint's answer could not be read"


def test_a_security_group_rule_is_found_by_what_it_allows_and_is_its_groups(aws: None) -> None:
    ec2 = _client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    tagged = [{"ResourceType": "security-group", "Tags": DEV}]
    database = ec2.create_security_group(GroupName="db", Description="d", VpcId=vpc, TagSpecifications=tagged)
    proxy = ec2.create_security_group(GroupName="proxy", Description="p", VpcId=vpc, TagSpecifications=tagged)
    ec2.authorize_security_group_ingress(
        GroupId=database["GroupId"],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": proxy["GroupId"]}]}
        ],
    )
    ec2.authorize_security_group_egress(
        GroupId=database["GroupId"],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-6ea54007"}]}
        ],
    )
    (rule,) = [
        r
        for r in ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [database["GroupId"]]}])[
            "SecurityGroupRules"
        ]
        if not r["IsEgress"]
    ]
    (to_s3,) = [
        r
        for r in ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [database["GroupId"]]}])[
            "SecurityGroupRules"
        ]
        if r.get("PrefixListId")
    ]
    allowed = {"security_group_id": database["GroupId"], "ip_protocol": "tcp", "from_port": 5432, "to_port": 5432}
    plan = _plan(
        [
            _create(
                "aws_vpc_security_group_ingress_rule.from_proxy",
                {**allowed, "referenced_security_group_id": proxy["GroupId"]},
            ),
            _create(
                "aws_vpc_security_group_ingress_rule.other_port",
                {**allowed, "from_port": 5433, "to_port": 5433, "referenced_security_group_id": proxy["GroupId"]},
            ),
            _create(
                "aws_vpc_security_group_egress_rule.same_as_egress",
                {**allowed, "referenced_security_group_id": proxy["GroupId"]},
            ),
            # Its prefix list is known once its (adopted) VPC endpoint is: any prefix list matches.
            _create(
                "aws_vpc_security_group_egress_rule.to_s3",
                {**allowed, "from_port": 443, "to_port": 443},
                unknown=("prefix_list_id", "id"),
            ),
        ],
        [],
    )
    found = {o.address: (o.import_id, o.adoptable, o.reason) for o in _find(plan).orphans}
    assert found == {
        "aws_vpc_security_group_ingress_rule.from_proxy": (rule["SecurityGroupRuleId"], True, "tagged Environment=dev"),
        "aws_vpc_security_group_egress_rule.to_s3": (to_s3["SecurityGroupRuleId"], True, "tagged Environment=dev"),
    }  # tagged as their group is


def test_a_lookup_that_cannot_read_an_answer_is_a_gap_not_a_failed_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    def unexpected(reader: AwsReader, after: dict[str, Any], ctx: object) -> list[orphans.Existing]:
        answer: dict[str, str] = {}  # an answer without the key the look-up reads
        return [orphans.Existing(answer["RoleName"], "", None)]

    monkeypatch.setitem(orphans.LOOKUPS, "aws_iam_role", unexpected)
    found = orphans.find(
        _plan([_create("aws_iam_role.persona", {"name": "matbakh-dev-api-persona-lambda"})], []),
        env="dev",
        prefix="matbakh-dev-api",
        home_region=REGION,
        clients=lambda region: lambda service: _client(service, region),
    )
    assert found.orphans == ()
    (gap,) = found.gaps
    assert (gap.action, gap.kind) == ("aws_iam_role", "failed")
    assert gap.message == "looking up aws_iam_role.persona failed: KeyError('RoleName')"


def test_an_orphan_security_group_that_still_allows_all_egress_says_how_to_remove_that_rule(aws: None) -> None:
    # A create cancelled between CreateSecurityGroup and the provider's removal of AWS's default rule.
    ec2 = _client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    tagged = [{"ResourceType": "security-group", "Tags": DEV}]
    fresh, finished = (
        ec2.create_security_group(GroupName=name, Description="d", VpcId=vpc, TagSpecifications=tagged)["GroupId"]
        for name in ("matbakh-dev-api-db-clients", "matbakh-dev-api-cache-clients")
    )
    ec2.revoke_security_group_egress(
        GroupId=finished, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    plan = _plan(
        [
            _create("aws_security_group.db_clients", {"vpc_id": vpc, "name": "matbakh-dev-api-db-clients"}),
            _create("aws_security_group.cache_clients", {"vpc_id": vpc, "name": "matbakh-dev-api-cache-clients"}),
        ],
        [],
    )
    found = {o.address: o for o in _find(plan).orphans}
    assert (found["aws_security_group.db_clients"].import_id, found["aws_security_group.db_clients"].adoptable) == (
        fresh,
        True,
    )
    assert found["aws_security_group.db_clients"].label.endswith(
        "; it still allows all egress, AWS's default rule: remove it with "
        f"`aws ec2 revoke-security-group-egress --group-id {fresh} "
        "--ip-permissions IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]`"
    )
    assert found["aws_security_group.cache_clients"].label == (
        f"security group {finished} (matbakh-dev-api-cache-clients, {vpc})"
    )


def test_an_orphan_schedule_is_found_by_its_name_and_imported_as_group_and_name(aws: None) -> None:
    """rds.running_hours' start and stop schedules: untaggable, so adopted only under the stack's prefix."""
    scheduler = _client("scheduler")
    for name in ("matbakh-dev-api-db-start", "matbakh-staging-api-db-start"):
        scheduler.create_schedule(
            Name=name,
            ScheduleExpression="cron(0 7 ? * MON-FRI *)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": "arn:aws:scheduler:::aws-sdk:rds:startDBInstance", "RoleArn": "arn:aws:iam::1:role/r"},
        )
    plan = _plan(
        [
            _create("aws_scheduler_schedule.start", {"name": "matbakh-dev-api-db-start"}),
            _create("aws_scheduler_schedule.other", {"name": "matbakh-staging-api-db-start"}),
            _create("aws_scheduler_schedule.stop", {"name": "matbakh-dev-api-db-stop"}),
        ],
        [],
    )
    found = _find(plan)
    verdicts = {o.address: (o.import_id, o.adoptable) for o in found.orphans}
    assert verdicts == {
        "aws_scheduler_schedule.start": ("default/matbakh-dev-api-db-start", True),
        "aws_scheduler_schedule.other": ("default/matbakh-staging-api-db-start", False),
    }
    assert found.checked == 3 and found.gaps == ()


def test_an_orphan_serverless_cache_is_found_by_its_name_with_its_tags(aws: None) -> None:
    """A serverless cache takes minutes to create: an apply killed meanwhile leaves it outside the state."""
    from cli.emulator.patches.elasticache_serverless_caches import _fill_serverless_caches

    _fill_serverless_caches()  # moto lacks serverless caches; the launcher's patch adds them
    cache = _client("elasticache")
    for name, tags in (
        ("matbakh-dev-api-cache", DEV),
        ("matbakh-dev-api-other", [{"Key": "Environment", "Value": "prod"}]),
    ):
        cache.create_serverless_cache(ServerlessCacheName=name, Engine="valkey", Tags=tags)
    plan = _plan(
        [
            _create("aws_elasticache_serverless_cache.cache", {"name": "matbakh-dev-api-cache"}),
            _create("aws_elasticache_serverless_cache.other", {"name": "matbakh-dev-api-other"}),
            _create("aws_elasticache_serverless_cache.fresh", {"name": "matbakh-dev-api-fresh"}),
        ],
        [],
    )
    found = _find(plan)
    verdicts = {o.address: (o.import_id, o.adoptable) for o in found.orphans}
    assert verdicts == {
        "aws_elasticache_serverless_cache.cache": ("matbakh-dev-api-cache", True),
        "aws_elasticache_serverless_cache.other": ("matbakh-dev-api-other", False),
    }
    assert found.checked == 3 and found.gaps == ()
