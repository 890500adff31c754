"""The emulator launcher: TLS on loopback, and the bucket-policy gap it fills."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cli import emulator
from cli.emulator import lifecycle
from tests.integration.conftest import emulator_client

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[emulator.Emulator]:
    directory = tmp_path_factory.mktemp("emulator")
    started = emulator.start(directory)
    yield started
    assert emulator.stop(directory)
    assert emulator.running(directory) is None


def _s3(running: emulator.Emulator) -> object:
    return emulator_client(running, "s3")


def test_it_listens_on_loopback_over_tls(running: emulator.Emulator) -> None:
    assert running.endpoint.startswith("https://127.0.0.1:")
    environment = running.terraform_environment("eu-central-1")
    assert environment["AWS_ENDPOINT_URL"] == running.endpoint
    assert environment["AWS_CA_BUNDLE"] == str(running.ca_bundle)
    assert environment["AWS_MAX_ATTEMPTS"] == "2"


def _bucket_with_policy(s3: object, name: str, statement: dict[str, object]) -> None:
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})  # type: ignore[attr-defined]
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))  # type: ignore[attr-defined]


def test_a_tls_only_bucket_policy_admits_tls_requests(running: emulator.Emulator) -> None:
    s3 = _s3(running)
    _bucket_with_policy(
        s3,
        "tls-only",
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )
    s3.put_object(Bucket="tls-only", Key="state", Body=b"{}")  # type: ignore[attr-defined]
    assert s3.get_object(Bucket="tls-only", Key="state")["Body"].read() == b"{}"  # type: ignore[attr-defined]


def test_other_denies_are_still_enforced(running: emulator.Emulator) -> None:
    s3 = _s3(running)
    _bucket_with_policy(
        s3,
        "deny-writes",
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::deny-writes/*"},
    )
    with pytest.raises(ClientError, match=r"Forbidden|AccessDenied"):
        s3.put_object(Bucket="deny-writes", Key="x", Body=b"1")  # type: ignore[attr-defined]


def test_start_replaces_a_previous_emulator(tmp_path: Path) -> None:
    first = emulator.start(tmp_path)
    second = emulator.start(tmp_path)
    try:
        assert second.port != first.port or second.pid != first.pid
        assert emulator.running(tmp_path) == second
        assert not emulator.is_emulator(first.pid, first.port, None), "the first emulator still runs"
    finally:
        emulator.stop(tmp_path)


def test_budgets_describe_subscribers_and_keep_tags(running: emulator.Emulator) -> None:
    budgets = emulator_client(running, "budgets", region="us-east-1")
    notification = {
        "NotificationType": "ACTUAL",
        "ComparisonOperator": "GREATER_THAN",
        "Threshold": 80.0,
        "ThresholdType": "PERCENTAGE",
    }
    subscribers = [{"SubscriptionType": "SNS", "Address": "arn:aws:sns:eu-central-1:123456789012:alerts"}]
    budgets.create_budget(
        AccountId="123456789012",
        Budget={
            "BudgetName": "tagged",
            "BudgetLimit": {"Amount": "10", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
        NotificationsWithSubscribers=[{"Notification": notification, "Subscribers": subscribers}],
        ResourceTags=[{"Key": "Environment", "Value": "dev"}],
    )
    described = budgets.describe_subscribers_for_notification(
        AccountId="123456789012", BudgetName="tagged", Notification=notification
    )
    assert described["Subscribers"] == subscribers
    arn = "arn:aws:budgets::123456789012:budget/tagged"
    assert budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [{"Key": "Environment", "Value": "dev"}]
    budgets.tag_resource(ResourceARN=arn, ResourceTags=[{"Key": "Service", "Value": "api"}])
    budgets.untag_resource(ResourceARN=arn, ResourceTagKeys=["Environment"])
    assert budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [{"Key": "Service", "Value": "api"}]
    # What the provider sends for an adopted budget whose settings differ: UpdateBudget.
    budgets.update_budget(
        AccountId="123456789012",
        NewBudget={
            "BudgetName": "tagged",
            "BudgetLimit": {"Amount": "25", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
    )
    updated = budgets.describe_budget(AccountId="123456789012", BudgetName="tagged")["Budget"]
    assert updated["BudgetLimit"] == {"Amount": "25", "Unit": "USD"} and "TimePeriod" in updated
    kept = budgets.describe_subscribers_for_notification(
        AccountId="123456789012", BudgetName="tagged", Notification=notification
    )
    assert kept["Subscribers"] == subscribers
    with pytest.raises(ClientError, match="NotFoundException"):
        budgets.update_budget(
            AccountId="123456789012",
            NewBudget={
                "BudgetName": "ghost",
                "BudgetLimit": {"Amount": "1", "Unit": "USD"},
                "TimeUnit": "MONTHLY",
                "BudgetType": "COST",
            },
        )


def test_composite_alarms_are_created_described_tagged_and_deleted(running: emulator.Emulator) -> None:
    cloudwatch = emulator_client(running, "cloudwatch")
    topic = "arn:aws:sns:eu-central-1:123456789012:alerts"
    cloudwatch.put_metric_alarm(
        AlarmName="slow",
        ComparisonOperator="GreaterThanThreshold",
        EvaluationPeriods=1,
        MetricName="Duration",
        Namespace="AWS/Lambda",
        Period=300,
        ExtendedStatistic="p95",
        Threshold=200,
    )
    cloudwatch.put_composite_alarm(
        AlarmName="degraded",
        AlarmRule='ALARM("slow")',
        AlarmActions=[topic],
        OKActions=[topic],
        Tags=[{"Key": "Environment", "Value": "dev"}],
    )
    described = cloudwatch.describe_alarms(AlarmNames=["degraded"], AlarmTypes=["CompositeAlarm"])
    (composite,) = described["CompositeAlarms"]
    assert (composite["AlarmRule"], composite["AlarmActions"], composite["OKActions"]) == (
        'ALARM("slow")',
        [topic],
        [topic],
    )
    assert cloudwatch.list_tags_for_resource(ResourceARN=composite["AlarmArn"])["Tags"] == [
        {"Key": "Environment", "Value": "dev"}
    ]
    cloudwatch.delete_alarms(AlarmNames=["degraded"])
    assert cloudwatch.describe_alarms(AlarmNames=["degraded"], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"] == []


def test_it_still_counts_as_running_once_a_lambda_function_exists(running: emulator.Emulator) -> None:
    """moto's data.json fails with Lambda functions (no Docker); the health probe must not use it."""
    from cli.synth import placeholder_package

    role = emulator_client(running, "iam").create_role(RoleName="probe", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    emulator_client(running, "lambda").create_function(
        FunctionName="probe",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": placeholder_package()},
    )
    assert lifecycle._responds(running)


def test_cache_parameter_groups_live_through_terraforms_lifecycle(running: emulator.Emulator) -> None:
    cache = emulator_client(running, "elasticache")
    created = cache.create_cache_parameter_group(
        CacheParameterGroupName="pg",
        CacheParameterGroupFamily="valkey8",
        Description="test",
        Tags=[{"Key": "Environment", "Value": "dev"}],
    )["CacheParameterGroup"]
    assert created["ARN"].endswith(":parametergroup:pg")
    cache.modify_cache_parameter_group(
        CacheParameterGroupName="pg",
        ParameterNameValues=[{"ParameterName": "maxmemory-policy", "ParameterValue": "volatile-lru"}],
    )
    (group,) = cache.describe_cache_parameter_groups(CacheParameterGroupName="pg")["CacheParameterGroups"]
    assert group["CacheParameterGroupFamily"] == "valkey8"
    parameters = cache.describe_cache_parameters(CacheParameterGroupName="pg", Source="user")["Parameters"]
    assert [(p["ParameterName"], p["ParameterValue"]) for p in parameters] == [("maxmemory-policy", "volatile-lru")]
    assert cache.list_tags_for_resource(ResourceName=created["ARN"])["TagList"] == [
        {"Key": "Environment", "Value": "dev"}
    ]
    cache.delete_cache_parameter_group(CacheParameterGroupName="pg")
    with pytest.raises(ClientError, match="CacheParameterGroupNotFound"):
        cache.describe_cache_parameter_groups(CacheParameterGroupName="pg")


def test_replication_group_members_exist_and_deletion_completes(running: emulator.Emulator) -> None:
    cache = emulator_client(running, "elasticache")
    cache.create_cache_subnet_group(CacheSubnetGroupName="sn", CacheSubnetGroupDescription="d", SubnetIds=["subnet-1"])
    cache.create_replication_group(
        ReplicationGroupId="rg",
        ReplicationGroupDescription="d",
        Engine="valkey",
        CacheNodeType="cache.t4g.micro",
        ClusterMode="enabled",
        NumNodeGroups=1,
        ReplicasPerNodeGroup=1,
        CacheSubnetGroupName="sn",
    )
    (member,) = cache.describe_cache_clusters(CacheClusterId="rg-0001-001")["CacheClusters"]
    assert member["ReplicationGroupId"] == "rg" and member["CacheNodeType"] == "cache.t4g.micro"
    cache.delete_replication_group(ReplicationGroupId="rg")
    assert cache.describe_replication_groups()["ReplicationGroups"] == []
    with pytest.raises(ClientError, match="CacheClusterNotFound"):
        cache.describe_cache_clusters(CacheClusterId="rg-0001-001")
    cache.delete_cache_subnet_group(CacheSubnetGroupName="sn")
    assert cache.describe_cache_subnet_groups()["CacheSubnetGroups"] == []


def _iam_user(cache: Any, user_id: str) -> dict[str, Any]:
    user: dict[str, Any] = cache.create_user(
        UserId=user_id,
        UserName=user_id,
        Engine="valkey",
        AccessString="on ~* +@all -@dangerous",
        NoPasswordRequired=False,  # what the provider always sends
        AuthenticationMode={"Type": "iam"},
        Tags=[{"Key": "Environment", "Value": "dev"}],
    )
    return user


def test_iam_users_round_trip_their_authentication_type_and_tags(running: emulator.Emulator) -> None:
    """No gap in moto 5.2.1 (no patch): this guards what the provider reads back of a user."""
    cache = emulator_client(running, "elasticache")
    created = _iam_user(cache, "emu-iam-user")
    (user,) = cache.describe_users(UserId="emu-iam-user")["Users"]
    assert (user["UserName"], user["Engine"], user["Status"]) == ("emu-iam-user", "valkey", "active")
    assert user["Authentication"]["Type"] == "iam" and user["AccessString"] == "on ~* +@all -@dangerous"
    assert cache.list_tags_for_resource(ResourceName=created["ARN"])["TagList"] == [
        {"Key": "Environment", "Value": "dev"}
    ]
    cache.delete_user(UserId="emu-iam-user")
    cache.describe_users(UserId="emu-iam-user")  # the last look at it while it is `deleting`
    with pytest.raises(ClientError, match="UserNotFound"):
        cache.describe_users(UserId="emu-iam-user")


def test_user_groups_live_through_terraforms_lifecycle(running: emulator.Emulator) -> None:
    cache = emulator_client(running, "elasticache")
    for user_id in ("emu-ug-a", "emu-ug-b"):
        _iam_user(cache, user_id)
    empty = cache.create_user_group(
        UserGroupId="emu-ug-empty", Engine="valkey", Tags=[{"Key": "Environment", "Value": "dev"}]
    )
    assert (empty["Status"], empty["UserIds"]) == ("active", [])
    created = cache.create_user_group(UserGroupId="emu-ug", Engine="valkey", UserIds=["emu-ug-a"])
    assert created["ARN"].endswith(":usergroup:emu-ug") and created["Engine"] == "valkey"
    with pytest.raises(ClientError, match="UserGroupAlreadyExists"):
        cache.create_user_group(UserGroupId="emu-ug", Engine="valkey", UserIds=["emu-ug-a"])
    with pytest.raises(ClientError, match="UserNotFound"):
        cache.create_user_group(UserGroupId="emu-ug-ghost", Engine="valkey", UserIds=["emu-nobody"])
    assert cache.list_tags_for_resource(ResourceName=empty["ARN"])["TagList"] == [
        {"Key": "Environment", "Value": "dev"}
    ]
    cache.add_tags_to_resource(ResourceName=created["ARN"], Tags=[{"Key": "Service", "Value": "api"}])
    assert cache.list_tags_for_resource(ResourceName=created["ARN"])["TagList"] == [{"Key": "Service", "Value": "api"}]

    modified = cache.modify_user_group(UserGroupId="emu-ug", UserIdsToAdd=["emu-ug-b"], UserIdsToRemove=["emu-ug-a"])
    assert modified["UserIds"] == ["emu-ug-b"]
    (group,) = cache.describe_user_groups(UserGroupId="emu-ug")["UserGroups"]
    assert (group["Status"], group["UserIds"], group["ReplicationGroups"]) == ("active", ["emu-ug-b"], [])
    users = {u["UserId"]: u for u in cache.describe_users()["Users"]}
    assert (users["emu-ug-a"]["UserGroupIds"], users["emu-ug-b"]["UserGroupIds"]) == ([], ["emu-ug"])

    # Attached to a replication group, which echoes it; then it cannot be deleted until the group is gone.
    cache.create_cache_subnet_group(CacheSubnetGroupName="emu-ug", CacheSubnetGroupDescription="d", SubnetIds=["s-1"])
    cache.create_replication_group(
        ReplicationGroupId="emu-ug",
        ReplicationGroupDescription="d",
        Engine="valkey",
        CacheNodeType="cache.t4g.micro",
        ClusterMode="enabled",
        NumNodeGroups=1,
        ReplicasPerNodeGroup=0,
        CacheSubnetGroupName="emu-ug",
        TransitEncryptionEnabled=True,
        UserGroupIds=["emu-ug"],
    )
    (replication,) = cache.describe_replication_groups(ReplicationGroupId="emu-ug")["ReplicationGroups"]
    assert replication["UserGroupIds"] == ["emu-ug"]
    assert cache.describe_user_groups(UserGroupId="emu-ug")["UserGroups"][0]["ReplicationGroups"] == ["emu-ug"]
    with pytest.raises(ClientError, match="InvalidUserGroupState"):
        cache.delete_user_group(UserGroupId="emu-ug")
    cache.delete_replication_group(ReplicationGroupId="emu-ug")
    cache.delete_cache_subnet_group(CacheSubnetGroupName="emu-ug")

    for group_id in ("emu-ug", "emu-ug-empty"):
        assert cache.delete_user_group(UserGroupId=group_id)["Status"] == "deleting"
        with pytest.raises(ClientError, match="UserGroupNotFound"):
            cache.describe_user_groups(UserGroupId=group_id)
    assert cache.describe_users(UserId="emu-ug-b")["Users"][0]["UserGroupIds"] == []
    assert cache.list_tags_for_resource(ResourceName=created["ARN"])["TagList"] == []
    for user_id in ("emu-ug-a", "emu-ug-b"):
        cache.delete_user(UserId=user_id)


def test_serverless_caches_live_through_terraforms_lifecycle(running: emulator.Emulator) -> None:
    cache = emulator_client(running, "elasticache")
    _iam_user(cache, "emu-sls-user")
    cache.create_user_group(UserGroupId="emu-sls", Engine="valkey", UserIds=["emu-sls-user"])
    key = "arn:aws:kms:eu-central-1:123456789012:key/emu-sls"
    limits = {"DataStorage": {"Maximum": 5, "Unit": "GB"}, "ECPUPerSecond": {"Maximum": 2000}}
    settings: dict[str, Any] = {
        "Description": "serverless",
        "Engine": "valkey",
        "MajorEngineVersion": "8",
        "CacheUsageLimits": limits,
        "KmsKeyId": key,
        "SecurityGroupIds": ["sg-emu-sls"],
        "SubnetIds": ["subnet-emu-a", "subnet-emu-b"],
        "UserGroupId": "emu-sls",
        "DailySnapshotTime": "01:00",
        "SnapshotRetentionLimit": 1,
        "Tags": [{"Key": "Environment", "Value": "dev"}],
    }
    created = cache.create_serverless_cache(ServerlessCacheName="Emu-Sls", **settings)["ServerlessCache"]
    assert created["ServerlessCacheName"] == "emu-sls"  # AWS stores the name in lower case
    assert created["ARN"] == "arn:aws:elasticache:eu-central-1:123456789012:serverlesscache:emu-sls"
    with pytest.raises(ClientError, match="ServerlessCacheAlreadyExistsFault"):
        cache.create_serverless_cache(ServerlessCacheName="emu-sls", **settings)
    with pytest.raises(ClientError, match="UserGroupNotFound"):
        cache.create_serverless_cache(ServerlessCacheName="emu-sls-ghost", **{**settings, "UserGroupId": "emu-nobody"})

    (described,) = cache.describe_serverless_caches(ServerlessCacheName="emu-sls")["ServerlessCaches"]
    echoed = {name: described[name] for name in settings if name not in ("Tags",)}
    assert echoed == {name: value for name, value in settings.items() if name != "Tags"}
    assert (described["Status"], described["FullEngineVersion"]) == ("available", "8.0")
    endpoint, reader = described["Endpoint"], described["ReaderEndpoint"]
    assert re.fullmatch(r"emu-sls-[0-9a-z]{6}\.serverless\.euc1\.cache\.amazonaws\.com", endpoint["Address"])
    assert (reader["Address"], endpoint["Port"], reader["Port"]) == (endpoint["Address"], 6379, 6380)
    assert [c["ServerlessCacheName"] for c in cache.describe_serverless_caches()["ServerlessCaches"]] == ["emu-sls"]
    assert cache.list_tags_for_resource(ResourceName=created["ARN"])["TagList"] == [
        {"Key": "Environment", "Value": "dev"}
    ]
    cache.add_tags_to_resource(ResourceName=created["ARN"], Tags=[{"Key": "Service", "Value": "api"}])
    cache.remove_tags_from_resource(ResourceName=created["ARN"], TagKeys=["Environment"])
    assert cache.list_tags_for_resource(ResourceName=created["ARN"])["TagList"] == [{"Key": "Service", "Value": "api"}]

    # Its user group lists it, and cannot be deleted while the cache uses it.
    (group,) = cache.describe_user_groups(UserGroupId="emu-sls")["UserGroups"]
    assert (group["ServerlessCaches"], group["ReplicationGroups"]) == (["emu-sls"], [])
    with pytest.raises(ClientError, match="InvalidUserGroupState"):
        cache.delete_user_group(UserGroupId="emu-sls")

    larger = {"DataStorage": {"Maximum": 10, "Minimum": 2, "Unit": "GB"}, "ECPUPerSecond": {"Maximum": 5000}}
    modified = cache.modify_serverless_cache(
        ServerlessCacheName="emu-sls", CacheUsageLimits=larger, Description="larger", SnapshotRetentionLimit=3
    )["ServerlessCache"]
    assert (modified["CacheUsageLimits"], modified["Description"], modified["SnapshotRetentionLimit"]) == (
        larger,
        "larger",
        3,
    )
    (described,) = cache.describe_serverless_caches(ServerlessCacheName="emu-sls")["ServerlessCaches"]
    assert (described["CacheUsageLimits"], described["DailySnapshotTime"]) == (larger, "01:00")
    detached = cache.modify_serverless_cache(ServerlessCacheName="emu-sls", RemoveUserGroup=True)["ServerlessCache"]
    assert "UserGroupId" not in detached
    assert cache.describe_user_groups(UserGroupId="emu-sls")["UserGroups"][0]["ServerlessCaches"] == []

    assert cache.delete_serverless_cache(ServerlessCacheName="emu-sls")["ServerlessCache"]["Status"] == "deleting"
    with pytest.raises(ClientError, match="ServerlessCacheNotFoundFault"):
        cache.describe_serverless_caches(ServerlessCacheName="emu-sls")
    with pytest.raises(ClientError, match="ServerlessCacheNotFoundFault"):
        cache.delete_serverless_cache(ServerlessCacheName="emu-sls")
    assert cache.list_tags_for_resource(ResourceName=created["ARN"])["TagList"] == []
    cache.delete_user_group(UserGroupId="emu-sls")
    cache.delete_user(UserId="emu-sls-user")


def test_the_liveness_probe_answers_once_resources_exist(running: emulator.Emulator) -> None:
    """The probe must not grow with what the emulator holds (`data.json` did): it creates its own
    resources, whichever of this module's tests ran before."""
    from cli.synth import placeholder_package

    _bucket_with_policy(
        _s3(running),
        "liveness",
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::liveness/*"},
    )
    role = emulator_client(running, "iam").create_role(RoleName="liveness", AssumeRolePolicyDocument="{}")
    emulator_client(running, "lambda").create_function(
        FunctionName="liveness",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="index.handler",
        Code={"ZipFile": placeholder_package()},
    )
    record = Path(str(running.ca_bundle)).parent
    assert emulator.running(record) == running


@pytest.mark.parametrize(
    ("kind", "config"),
    [
        ("CachePolicy", {"Name": "p", "MinTTL": 0, "DefaultTTL": 0, "MaxTTL": 60,
                         "ParametersInCacheKeyAndForwardedToOrigin": {
                             "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": True,
                             "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
                             "QueryStringsConfig": {"QueryStringBehavior": "all"}}}),
        ("OriginRequestPolicy", {"Name": "p", "HeadersConfig": {"HeaderBehavior": "allExcept",
                                                                "Headers": {"Quantity": 1, "Items": ["Host"]}},
                                 "CookiesConfig": {"CookieBehavior": "all"},
                                 "QueryStringsConfig": {"QueryStringBehavior": "all"}}),
        ("ResponseHeadersPolicy", {"Name": "p", "SecurityHeadersConfig": {
            "ContentTypeOptions": {"Override": True},
            "FrameOptions": {"FrameOption": "DENY", "Override": True}}}),
    ],
)  # fmt: skip
def test_cloudfront_policies_live_through_terraforms_lifecycle(
    running: emulator.Emulator, kind: str, config: dict[str, object]
) -> None:
    cloudfront = emulator_client(running, "cloudfront", "us-east-1")
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in kind).lstrip("_")
    created = getattr(cloudfront, f"create_{snake}")(**{f"{kind}Config": config})
    policy_id = created[kind]["Id"]
    assert created["ETag"] and created["Location"].endswith(policy_id)
    read = getattr(cloudfront, f"get_{snake}")(Id=policy_id)
    assert read[kind][f"{kind}Config"] == config and read["ETag"] == created["ETag"]
    assert getattr(cloudfront, f"get_{snake}_config")(Id=policy_id)[f"{kind}Config"] == config
    listing = getattr(cloudfront, f"list_{snake.removesuffix('policy')}policies")
    assert [item[kind]["Id"] for item in listing(Type="custom")[f"{kind}List"]["Items"]] == [policy_id]
    assert listing(Type="managed")[f"{kind}List"]["Quantity"] == 0
    updated = getattr(cloudfront, f"update_{snake}")(
        Id=policy_id, IfMatch=read["ETag"], **{f"{kind}Config": {**config, "Comment": "changed"}}
    )
    assert updated[kind][f"{kind}Config"]["Comment"] == "changed" and updated["ETag"] != read["ETag"]
    getattr(cloudfront, f"delete_{snake}")(Id=policy_id, IfMatch=updated["ETag"])
    with pytest.raises(ClientError) as missing:
        getattr(cloudfront, f"get_{snake}")(Id=policy_id)
    assert missing.value.response["Error"]["Code"] == f"NoSuch{kind}"


def test_a_permission_on_an_alias_is_removed_from_that_alias(running: emulator.Emulator) -> None:
    from cli.synth import placeholder_package

    client = emulator_client(running, "lambda")
    role = emulator_client(running, "iam").create_role(RoleName="qualified", AssumeRolePolicyDocument="{}")
    client.create_function(
        FunctionName="qualified",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="index.handler",
        Code={"ZipFile": placeholder_package()},
        Publish=True,
    )
    client.create_alias(FunctionName="qualified", Name="live", FunctionVersion="1")
    client.add_permission(
        FunctionName="qualified",
        Qualifier="live",
        StatementId="CloudFrontUrl",
        Action="lambda:InvokeFunctionUrl",
        Principal="cloudfront.amazonaws.com",
        FunctionUrlAuthType="AWS_IAM",
    )
    policy = json.loads(client.get_policy(FunctionName="qualified", Qualifier="live")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["CloudFrontUrl"]
    client.remove_permission(FunctionName="qualified", Qualifier="live", StatementId="CloudFrontUrl")
    with pytest.raises(ClientError) as gone:  # as AWS answers for a policy without statements
        client.get_policy(FunctionName="qualified", Qualifier="live")
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_distribution_arn_has_the_empty_region_of_cloudfront(running: emulator.Emulator) -> None:
    cloudfront = emulator_client(running, "cloudfront", "us-east-1")
    created = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "arn-shape",
            "Comment": "",
            "Enabled": False,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "o",
                        "DomainName": "origin.invalid",
                        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "o",
                "ViewerProtocolPolicy": "https-only",
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "MinTTL": 0,
            },
        }
    )
    arn = created["Distribution"]["ARN"]
    assert arn == f"arn:aws:cloudfront::123456789012:distribution/{created['Distribution']['Id']}"


def test_scalable_targets_keep_their_tags_until_deregistered(running: emulator.Emulator) -> None:
    scaling = emulator_client(running, "application-autoscaling")
    target = {
        "ServiceNamespace": "lambda",
        "ResourceId": "function:emu-tagged:live",
        "ScalableDimension": "lambda:function:ProvisionedConcurrency",
    }
    arn = scaling.register_scalable_target(**target, MinCapacity=2, MaxCapacity=20, Tags={"Environment": "prod"})[
        "ScalableTargetARN"
    ]
    assert scaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Environment": "prod"}
    scaling.tag_resource(ResourceARN=arn, Tags={"Service": "api"})
    scaling.untag_resource(ResourceARN=arn, TagKeys=["Environment"])
    # Re-registering (what a scheduled action does) keeps the target, its ARN and its tags.
    assert scaling.register_scalable_target(**target, MinCapacity=5)["ScalableTargetARN"] == arn
    assert scaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Service": "api"}
    scaling.deregister_scalable_target(**target)
    assert scaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {}


def test_cache_replicas_are_a_scalable_target_with_a_target_tracking_policy(running: emulator.Emulator) -> None:
    scaling = emulator_client(running, "application-autoscaling")
    target = {
        "ServiceNamespace": "elasticache",
        "ResourceId": "replication-group/emu-replicas",
        "ScalableDimension": "elasticache:replication-group:Replicas",
    }
    scaling.register_scalable_target(**target, MinCapacity=1, MaxCapacity=3)
    scaling.put_scaling_policy(
        **target,
        PolicyName="emu-replicas-cpu",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 60.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ElastiCacheReplicaEngineCPUUtilization"},
        },
    )
    (found,) = scaling.describe_scalable_targets(ServiceNamespace="elasticache")["ScalableTargets"]
    assert (found["ResourceId"], found["MinCapacity"], found["MaxCapacity"]) == ("replication-group/emu-replicas", 1, 3)
    (policy,) = scaling.describe_scaling_policies(ServiceNamespace="elasticache")["ScalingPolicies"]
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 60.0
    with pytest.raises(ClientError, match="ValidationException"):
        scaling.register_scalable_target(**{**target, "ScalableDimension": "elasticache:replication-group:Shards"})
    scaling.delete_scaling_policy(**target, PolicyName="emu-replicas-cpu")
    scaling.deregister_scalable_target(**target)


def test_cloudfront_monitoring_subscriptions_live_with_their_distribution(running: emulator.Emulator) -> None:
    cloudfront = emulator_client(running, "cloudfront", "us-east-1")
    origin = {"Id": "o", "DomainName": "origin.example.invalid", "CustomOriginConfig": {
        "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}  # fmt: skip
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "emu-monitoring",
            "Comment": "",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only", "MinTTL": 0},
        }
    )["Distribution"]["Id"]
    with pytest.raises(ClientError, match="NoSuchMonitoringSubscription"):
        cloudfront.get_monitoring_subscription(DistributionId=distribution)
    subscription = {"RealtimeMetricsSubscriptionConfig": {"RealtimeMetricsSubscriptionStatus": "Enabled"}}
    created = cloudfront.create_monitoring_subscription(
        DistributionId=distribution, MonitoringSubscription=subscription
    )
    assert created["MonitoringSubscription"] == subscription
    assert cloudfront.get_monitoring_subscription(DistributionId=distribution)["MonitoringSubscription"] == subscription
    with pytest.raises(ClientError, match="NoSuchDistribution"):
        cloudfront.create_monitoring_subscription(DistributionId="ENOSUCH", MonitoringSubscription=subscription)
    cloudfront.delete_monitoring_subscription(DistributionId=distribution)
    with pytest.raises(ClientError, match="NoSuchMonitoringSubscription"):
        cloudfront.get_monitoring_subscription(DistributionId=distribution)


def test_replication_group_members_echo_encryption_security_and_parameter_groups(running: emulator.Emulator) -> None:
    cache = emulator_client(running, "elasticache")
    cache.create_cache_subnet_group(CacheSubnetGroupName="emu-enc", CacheSubnetGroupDescription="d", SubnetIds=["s-1"])
    cache.create_cache_parameter_group(
        CacheParameterGroupName="emu-enc", CacheParameterGroupFamily="valkey8", Description="d"
    )
    cache.create_replication_group(
        ReplicationGroupId="emu-enc",
        ReplicationGroupDescription="d",
        Engine="valkey",
        CacheNodeType="cache.r7g.large",
        ClusterMode="enabled",
        NumNodeGroups=1,
        ReplicasPerNodeGroup=1,
        CacheSubnetGroupName="emu-enc",
        CacheParameterGroupName="emu-enc",
        AtRestEncryptionEnabled=True,
        TransitEncryptionEnabled=True,
        SecurityGroupIds=["sg-emu-enc"],
    )
    for member in ("emu-enc-0001-001", "emu-enc-0001-002"):
        (cluster,) = cache.describe_cache_clusters(CacheClusterId=member)["CacheClusters"]
        assert cluster["AtRestEncryptionEnabled"] is True and cluster["TransitEncryptionEnabled"] is True
        assert cluster["SecurityGroups"] == [{"SecurityGroupId": "sg-emu-enc", "Status": "active"}]
        assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "emu-enc"  # read by an import
    cache.delete_replication_group(ReplicationGroupId="emu-enc")
    cache.delete_cache_subnet_group(CacheSubnetGroupName="emu-enc")
    cache.delete_cache_parameter_group(CacheParameterGroupName="emu-enc")


def test_a_replication_group_can_be_modified_in_place(running: emulator.Emulator) -> None:
    cache = emulator_client(running, "elasticache")
    cache.create_cache_subnet_group(CacheSubnetGroupName="emu-mod", CacheSubnetGroupDescription="d", SubnetIds=["s-1"])
    cache.create_user_group(UserGroupId="emu-mod-old", Engine="valkey")
    cache.create_user_group(UserGroupId="emu-mod-new", Engine="valkey")
    cache.create_replication_group(
        ReplicationGroupId="emu-mod",
        ReplicationGroupDescription="before",
        Engine="valkey",
        CacheNodeType="cache.t4g.micro",
        ClusterMode="enabled",
        NumNodeGroups=1,
        ReplicasPerNodeGroup=1,
        CacheSubnetGroupName="emu-mod",
        SecurityGroupIds=["sg-emu-old"],
        UserGroupIds=["emu-mod-old"],
        SnapshotRetentionLimit=1,
    )
    # What the provider sends for an adopted group (`auth_token_update_strategy` only), then a real change.
    unchanged = cache.modify_replication_group(
        ReplicationGroupId="emu-mod", AuthTokenUpdateStrategy="ROTATE", ApplyImmediately=True
    )["ReplicationGroup"]
    assert (unchanged["Status"], unchanged["Description"], unchanged["AuthTokenEnabled"]) == (
        "available",
        "before",
        False,
    )
    modified = cache.modify_replication_group(
        ReplicationGroupId="emu-mod",
        ReplicationGroupDescription="after",
        SnapshotRetentionLimit=7,
        MultiAZEnabled=True,
        SecurityGroupIds=["sg-emu-new"],
        UserGroupIdsToAdd=["emu-mod-new"],
        UserGroupIdsToRemove=["emu-mod-old"],
        ApplyImmediately=True,
    )["ReplicationGroup"]
    assert (modified["Description"], modified["SnapshotRetentionLimit"], modified["MultiAZ"]) == ("after", 7, "enabled")
    (described,) = cache.describe_replication_groups(ReplicationGroupId="emu-mod")["ReplicationGroups"]
    assert described["UserGroupIds"] == ["emu-mod-new"] and described["Description"] == "after"
    (member,) = cache.describe_cache_clusters(CacheClusterId="emu-mod-0001-001")["CacheClusters"]
    assert member["SecurityGroups"] == [{"SecurityGroupId": "sg-emu-new", "Status": "active"}]
    with pytest.raises(ClientError, match="ReplicationGroupNotFound"):
        cache.modify_replication_group(ReplicationGroupId="emu-mod-ghost", ReplicationGroupDescription="x")
    cache.delete_replication_group(ReplicationGroupId="emu-mod")
    cache.delete_cache_subnet_group(CacheSubnetGroupName="emu-mod")
    for group_id in ("emu-mod-old", "emu-mod-new"):
        cache.delete_user_group(UserGroupId=group_id)


def test_security_group_rules_echo_their_descriptions(running: emulator.Emulator) -> None:
    ec2 = emulator_client(running, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    server, client = (
        ec2.create_security_group(GroupName=f"emu-rules-{name}", Description=name, VpcId=vpc)["GroupId"]
        for name in ("server", "client")
    )
    prefix_list = ec2.create_managed_prefix_list(PrefixListName="emu-rules", MaxEntries=1, AddressFamily="IPv4")
    prefix_list_id = prefix_list["PrefixList"]["PrefixListId"]
    permission = {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379}
    ingress = ec2.authorize_security_group_ingress(
        GroupId=server,
        IpPermissions=[{**permission, "UserIdGroupPairs": [{"GroupId": client, "Description": "From clients"}]}],
    )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    egress = ec2.authorize_security_group_egress(
        GroupId=client,
        IpPermissions=[{**permission, "PrefixListIds": [{"PrefixListId": prefix_list_id, "Description": "To S3"}]}],
    )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    cidr = ec2.authorize_security_group_egress(
        GroupId=client, IpPermissions=[{**permission, "IpRanges": [{"CidrIp": "10.99.0.0/24", "Description": "CIDR"}]}]
    )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    rules = ec2.describe_security_group_rules(SecurityGroupRuleIds=[ingress, egress, cidr])["SecurityGroupRules"]
    assert {r["SecurityGroupRuleId"]: r.get("Description") for r in rules} == {
        ingress: "From clients",
        egress: "To S3",
        cidr: "CIDR",
    }


def test_lambda_functions_echo_their_kms_key(running: emulator.Emulator) -> None:
    from cli.synth import placeholder_package

    lambda_client = emulator_client(running, "lambda")
    role = emulator_client(running, "iam").create_role(RoleName="emu-kms", AssumeRolePolicyDocument="{}")["Role"]
    key = "arn:aws:kms:eu-central-1:123456789012:key/emu-kms"
    created = lambda_client.create_function(
        FunctionName="emu-kms",
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="index.handler",
        Code={"ZipFile": placeholder_package()},
        KMSKeyArn=key,
    )
    assert created["KMSKeyArn"] == key
    assert lambda_client.get_function_configuration(FunctionName="emu-kms")["KMSKeyArn"] == key
    assert lambda_client.get_function(FunctionName="emu-kms")["Configuration"]["KMSKeyArn"] == key
    other = f"{key}-2"
    assert lambda_client.update_function_configuration(FunctionName="emu-kms", KMSKeyArn=other)["KMSKeyArn"] == other
    lambda_client.update_function_configuration(FunctionName="emu-kms", KMSKeyArn="")
    assert "KMSKeyArn" not in lambda_client.get_function_configuration(FunctionName="emu-kms")


def _create_db_instance(rds: Any, name: str, **settings: Any) -> None:
    """The smallest PostgreSQL instance, with a password unless `settings` let RDS manage one."""
    password = {} if settings.get("ManageMasterUserPassword") else {"MasterUserPassword": "not-a-secret-0"}
    rds.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t4g.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="app",
        **password,
        **settings,
    )


def test_db_instances_keep_performance_insights_and_monitoring(running: emulator.Emulator) -> None:
    rds = emulator_client(running, "rds")
    key = "arn:aws:kms:eu-central-1:123456789012:key/emu-insights"
    role = "arn:aws:iam::123456789012:role/emu-monitoring"
    _create_db_instance(
        rds,
        "emu-insights",
        EnablePerformanceInsights=True,
        PerformanceInsightsKMSKeyId=key,
        PerformanceInsightsRetentionPeriod=7,
        MonitoringInterval=60,
        MonitoringRoleArn=role,
    )
    (instance,) = rds.describe_db_instances(DBInstanceIdentifier="emu-insights")["DBInstances"]
    assert (instance["PerformanceInsightsEnabled"], instance["PerformanceInsightsKMSKeyId"]) == (True, key)
    assert instance["PerformanceInsightsRetentionPeriod"] == 7
    assert (instance["MonitoringInterval"], instance["MonitoringRoleArn"]) == (60, role)
    rds.modify_db_instance(DBInstanceIdentifier="emu-insights", MonitoringInterval=30, ApplyImmediately=True)
    assert rds.describe_db_instances(DBInstanceIdentifier="emu-insights")["DBInstances"][0]["MonitoringInterval"] == 30
    rds.delete_db_instance(DBInstanceIdentifier="emu-insights", SkipFinalSnapshot=True)


def test_each_db_instance_has_a_resource_id_of_its_own(running: emulator.Emulator) -> None:
    rds = emulator_client(running, "rds")
    names = ("emu-own-id-1", "emu-own-id-2")
    for name in names:
        _create_db_instance(rds, name)
    ids = [rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DbiResourceId"] for name in names]
    assert len(set(ids)) == 2 and all(re.fullmatch(r"db-[A-Z2-7]{26}", i) for i in ids), ids
    # what the provider waits with: exactly the one instance
    found = rds.describe_db_instances(Filters=[{"Name": "dbi-resource-id", "Values": [ids[0]]}])["DBInstances"]
    assert [i["DBInstanceIdentifier"] for i in found] == [names[0]]
    for name in names:
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)


def test_a_new_db_instance_gets_the_default_ca_of_aws_unless_it_names_one(running: emulator.Emulator) -> None:
    rds = emulator_client(running, "rds")
    for name, asked in (("emu-ca-default", None), ("emu-ca-named", "rds-ca-ecc384-g1")):
        _create_db_instance(rds, name, **({"CACertificateIdentifier": asked} if asked else {}))
    cas = {
        name: rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["CACertificateIdentifier"]
        for name in ("emu-ca-default", "emu-ca-named")
    }
    # what the provider compares with the configured CA after creating an instance without one
    assert cas == {"emu-ca-default": "rds-ca-rsa2048-g1", "emu-ca-named": "rds-ca-ecc384-g1"}
    for name in cas:
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)


def test_a_db_instance_keeps_its_managed_secret_when_asked_to_manage_it_again(running: emulator.Emulator) -> None:
    rds = emulator_client(running, "rds")
    _create_db_instance(rds, "emu-secret", ManageMasterUserPassword=True)

    def secret() -> str:
        (instance,) = rds.describe_db_instances(DBInstanceIdentifier="emu-secret")["DBInstances"]
        return str(instance["MasterUserSecret"]["SecretArn"])

    managed = secret()
    rds.modify_db_instance(DBInstanceIdentifier="emu-secret", ManageMasterUserPassword=True, ApplyImmediately=True)
    assert secret() == managed  # as AWS: already managed, the secret stays
    rds.modify_db_instance(
        DBInstanceIdentifier="emu-secret",
        ManageMasterUserPassword=False,
        MasterUserPassword="not-a-secret-1",
        ApplyImmediately=True,
    )
    (instance,) = rds.describe_db_instances(DBInstanceIdentifier="emu-secret")["DBInstances"]
    assert "MasterUserSecret" not in instance  # turning it off still removes it
    rds.delete_db_instance(DBInstanceIdentifier="emu-secret", SkipFinalSnapshot=True)


def test_db_parameters_set_by_the_user_have_the_source_user(running: emulator.Emulator) -> None:
    rds = emulator_client(running, "rds")
    rds.create_db_parameter_group(
        DBParameterGroupName="emu-params", DBParameterGroupFamily="postgres17", Description="d"
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName="emu-params",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}],
    )
    parameters = rds.describe_db_parameters(DBParameterGroupName="emu-params", Source="user")["Parameters"]
    assert [(p["ParameterName"], p["ParameterValue"], p["Source"]) for p in parameters] == [
        ("rds.force_ssl", "1", "user")
    ]
    rds.delete_db_parameter_group(DBParameterGroupName="emu-params")


def test_list_buckets_names_the_owner_of_bucket_acls(running: emulator.Emulator) -> None:
    s3 = emulator_client(running, "s3")
    s3.create_bucket(Bucket="emu-owner", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    owner = s3.list_buckets()["Owner"]["ID"]
    assert s3.get_bucket_acl(Bucket="emu-owner")["Owner"]["ID"] == owner
    assert owner != emulator.LIST_BUCKETS_OWNER


def test_cloudfront_distributions_echo_their_config(running: emulator.Emulator) -> None:
    cloudfront = emulator_client(running, "cloudfront", "us-east-1")
    control = cloudfront.create_origin_access_control(
        OriginAccessControlConfig={
            "Name": "emu-echo",
            "SigningProtocol": "sigv4",
            "SigningBehavior": "always",
            "OriginAccessControlOriginType": "s3",
        }
    )["OriginAccessControl"]["Id"]
    origin = {"Id": "o", "DomainName": "emu-echo.s3.eu-central-1.amazonaws.com", "OriginAccessControlId": control,
              "S3OriginConfig": {"OriginAccessIdentity": ""}}  # fmt: skip
    created = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "emu-echo",
            "Comment": "",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "o",
                "ViewerProtocolPolicy": "https-only",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
            "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
        }
    )["Distribution"]["Id"]
    config = cloudfront.get_distribution_config(Id=created)["DistributionConfig"]
    assert config["Origins"]["Items"][0]["OriginAccessControlId"] == control
    assert "ForwardedValues" not in config["DefaultCacheBehavior"]
    assert "SSLSupportMethod" not in config["ViewerCertificate"]


def test_lambda_functions_echo_their_dead_letter_target(running: emulator.Emulator) -> None:
    from cli.synth import placeholder_package

    lambda_client = emulator_client(running, "lambda")
    role = emulator_client(running, "iam").create_role(RoleName="emu-dlq", AssumeRolePolicyDocument="{}")["Role"]
    queue = "arn:aws:sqs:eu-central-1:123456789012:emu-dlq"
    created = lambda_client.create_function(
        FunctionName="emu-dlq",
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="index.handler",
        Code={"ZipFile": placeholder_package()},
        DeadLetterConfig={"TargetArn": queue},
    )
    assert created["DeadLetterConfig"] == {"TargetArn": queue}
    assert lambda_client.get_function(FunctionName="emu-dlq")["Configuration"]["DeadLetterConfig"] == {
        "TargetArn": queue
    }
    lambda_client.update_function_configuration(FunctionName="emu-dlq", DeadLetterConfig={"TargetArn": ""})
    assert "DeadLetterConfig" not in lambda_client.get_function_configuration(FunctionName="emu-dlq")


def _error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    code: str = error.value.response["Error"]["Code"]
    return code


def test_anomaly_monitors_live_through_terraforms_lifecycle(running: emulator.Emulator) -> None:
    ce = emulator_client(running, "ce", "us-east-1")
    services = ce.create_anomaly_monitor(
        AnomalyMonitor={"MonitorName": "emu-services", "MonitorType": "DIMENSIONAL", "MonitorDimension": "SERVICE"},
        ResourceTags=[{"Key": "Environment", "Value": "account"}],
    )["MonitorArn"]
    assert re.fullmatch(r"arn:aws:ce::\d{12}:anomalymonitor/[0-9a-f-]{36}", services)
    # An account holds one DIMENSIONAL SERVICE monitor, as on AWS.
    with pytest.raises(ClientError, match="Limit exceeded on dimensional spend monitor creation") as second:
        ce.create_anomaly_monitor(
            AnomalyMonitor={"MonitorName": "emu-again", "MonitorType": "DIMENSIONAL", "MonitorDimension": "SERVICE"}
        )
    assert _error_code(second) == "ValidationException"
    with pytest.raises(ClientError, match="ValidationException"):
        ce.create_anomaly_monitor(AnomalyMonitor={"MonitorName": "emu-bare", "MonitorType": "CUSTOM"})
    specification = {"Tags": {"Key": "Environment", "Values": ["dev"], "MatchOptions": ["EQUALS"]}}
    custom = ce.create_anomaly_monitor(
        AnomalyMonitor={"MonitorName": "emu-dev", "MonitorType": "CUSTOM", "MonitorSpecification": specification}
    )["MonitorArn"]

    # What the provider reads: one monitor by ARN, its specification as sent.
    (found,) = ce.get_anomaly_monitors(MonitorArnList=[custom], MaxResults=1)["AnomalyMonitors"]
    assert (found["MonitorArn"], found["MonitorName"], found["MonitorType"]) == (custom, "emu-dev", "CUSTOM")
    assert found["MonitorSpecification"] == specification and "MonitorDimension" not in found
    (first,) = ce.get_anomaly_monitors(MaxResults=1)["AnomalyMonitors"][:1]
    assert first["MonitorDimension"] == "SERVICE"
    assert [m["MonitorArn"] for m in ce.get_anomaly_monitors()["AnomalyMonitors"]] == [services, custom]
    page = ce.get_anomaly_monitors(MaxResults=1)
    assert (
        ce.get_anomaly_monitors(MaxResults=1, NextPageToken=page["NextPageToken"])["AnomalyMonitors"][0]["MonitorArn"]
        == custom
    )

    ce.update_anomaly_monitor(MonitorArn=services, MonitorName="emu-renamed")
    (renamed,) = ce.get_anomaly_monitors(MonitorArnList=[services])["AnomalyMonitors"]
    assert renamed["MonitorName"] == "emu-renamed"
    ce.tag_resource(ResourceArn=services, ResourceTags=[{"Key": "Service", "Value": "api"}])
    ce.untag_resource(ResourceArn=services, ResourceTagKeys=["Environment"])
    assert ce.list_tags_for_resource(ResourceArn=services)["ResourceTags"] == [{"Key": "Service", "Value": "api"}]

    for arn in (services, custom):
        ce.delete_anomaly_monitor(MonitorArn=arn)
        with pytest.raises(ClientError) as gone:
            ce.get_anomaly_monitors(MonitorArnList=[arn], MaxResults=1)
        assert _error_code(gone) == "UnknownMonitorException"  # the provider's "not found"
        with pytest.raises(ClientError, match="UnknownMonitorException"):
            ce.delete_anomaly_monitor(MonitorArn=arn)
    assert ce.list_tags_for_resource(ResourceArn=services)["ResourceTags"] == []
    # With the services monitor gone, the account may hold a new one.
    again = ce.create_anomaly_monitor(
        AnomalyMonitor={"MonitorName": "emu-again", "MonitorType": "DIMENSIONAL", "MonitorDimension": "SERVICE"}
    )["MonitorArn"]
    ce.delete_anomaly_monitor(MonitorArn=again)


def test_anomaly_subscriptions_live_through_terraforms_lifecycle(running: emulator.Emulator) -> None:
    ce = emulator_client(running, "ce", "us-east-1")
    monitors = [
        ce.create_anomaly_monitor(
            AnomalyMonitor={
                "MonitorName": f"emu-sub-{env}",
                "MonitorType": "CUSTOM",
                "MonitorSpecification": {"Tags": {"Key": "Environment", "Values": [env], "MatchOptions": ["EQUALS"]}},
            }
        )["MonitorArn"]
        for env in ("dev", "prod")
    ]
    topic = "arn:aws:sns:us-east-1:123456789012:emu-alerts"
    threshold = {
        "Dimensions": {
            "Key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
            "Values": ["10"],
            "MatchOptions": ["GREATER_THAN_OR_EQUAL"],
        }
    }
    given = {
        "SubscriptionName": "emu-anomalies",
        "Frequency": "IMMEDIATE",
        "MonitorArnList": monitors[:1],
        "Subscribers": [{"Type": "SNS", "Address": topic}],
        "ThresholdExpression": threshold,
    }
    with pytest.raises(ClientError) as unknown:
        ce.create_anomaly_subscription(AnomalySubscription={**given, "MonitorArnList": [monitors[0] + "0"]})
    assert _error_code(unknown) == "UnknownMonitorException"
    with pytest.raises(ClientError, match="ValidationException"):  # SNS subscribers take IMMEDIATE only
        ce.create_anomaly_subscription(AnomalySubscription={**given, "Frequency": "DAILY"})

    arn = ce.create_anomaly_subscription(
        AnomalySubscription=given, ResourceTags=[{"Key": "Environment", "Value": "account"}]
    )["SubscriptionArn"]
    assert re.fullmatch(r"arn:aws:ce::\d{12}:anomalysubscription/[0-9a-f-]{36}", arn)
    (found,) = ce.get_anomaly_subscriptions(SubscriptionArnList=[arn], MaxResults=1)["AnomalySubscriptions"]
    assert found == {**given, "SubscriptionArn": arn, "AccountId": "123456789012"}
    assert ce.list_tags_for_resource(ResourceArn=arn)["ResourceTags"] == [{"Key": "Environment", "Value": "account"}]
    assert ce.get_anomaly_subscriptions(MonitorArn=monitors[1])["AnomalySubscriptions"] == []

    raised = {"Dimensions": {**threshold["Dimensions"], "Values": ["25"]}}
    ce.update_anomaly_subscription(SubscriptionArn=arn, MonitorArnList=monitors, ThresholdExpression=raised)
    (updated,) = ce.get_anomaly_subscriptions(MonitorArn=monitors[1])["AnomalySubscriptions"]
    assert (updated["MonitorArnList"], updated["ThresholdExpression"]) == (monitors, raised)
    assert updated["Frequency"] == "IMMEDIATE" and updated["Subscribers"] == given["Subscribers"]
    with pytest.raises(ClientError, match="UnknownMonitorException"):
        ce.update_anomaly_subscription(SubscriptionArn=arn, MonitorArnList=[monitors[0] + "0"])

    ce.delete_anomaly_subscription(SubscriptionArn=arn)
    with pytest.raises(ClientError) as gone:
        ce.get_anomaly_subscriptions(SubscriptionArnList=[arn], MaxResults=1)
    assert _error_code(gone) == "UnknownSubscriptionException"
    with pytest.raises(ClientError, match="UnknownSubscriptionException"):
        ce.delete_anomaly_subscription(SubscriptionArn=arn)
    for monitor in monitors:
        ce.delete_anomaly_monitor(MonitorArn=monitor)


def test_cost_allocation_tags_are_activated_listed_and_deactivated(running: emulator.Emulator) -> None:
    ce = emulator_client(running, "ce", "us-east-1")
    assert ce.list_cost_allocation_tags(TagKeys=["EmuEnvironment"])["CostAllocationTags"] == []
    answer = ce.update_cost_allocation_tags_status(
        CostAllocationTagsStatus=[
            {"TagKey": "EmuEnvironment", "Status": "Active"},
            {"TagKey": "EmuCostCenter", "Status": "Active"},
        ]
    )
    assert answer["Errors"] == []
    # What the provider reads: one key, at most one result.
    (found,) = ce.list_cost_allocation_tags(TagKeys=["EmuCostCenter"], MaxResults=1)["CostAllocationTags"]
    assert (found["TagKey"], found["Status"], found["Type"]) == ("EmuCostCenter", "Active", "UserDefined")
    # The provider's delete deactivates the key: it stays listed, inactive.
    ce.update_cost_allocation_tags_status(CostAllocationTagsStatus=[{"TagKey": "EmuCostCenter", "Status": "Inactive"}])
    both = ce.list_cost_allocation_tags(TagKeys=["EmuEnvironment", "EmuCostCenter"])["CostAllocationTags"]
    assert {(t["TagKey"], t["Status"]) for t in both} == {("EmuEnvironment", "Active"), ("EmuCostCenter", "Inactive")}
    active = ce.list_cost_allocation_tags(TagKeys=["EmuEnvironment", "EmuCostCenter"], Status="Active")
    assert [t["TagKey"] for t in active["CostAllocationTags"]] == ["EmuEnvironment"]
    page = ce.list_cost_allocation_tags(TagKeys=["EmuEnvironment", "EmuCostCenter"], MaxResults=1)
    rest = ce.list_cost_allocation_tags(TagKeys=["EmuEnvironment", "EmuCostCenter"], NextToken=page["NextToken"])
    assert len(page["CostAllocationTags"]) == len(rest["CostAllocationTags"]) == 1 and "NextToken" not in rest
    assert ce.list_cost_allocation_tags(Type="AWSGenerated", TagKeys=["EmuEnvironment"])["CostAllocationTags"] == []
    with pytest.raises(ClientError, match="ValidationException"):
        ce.update_cost_allocation_tags_status(
            CostAllocationTagsStatus=[{"TagKey": f"EmuKey{n}", "Status": "Active"} for n in range(21)]
        )
