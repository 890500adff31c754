"""The cache with IAM-authenticated clients, applied and destroyed with real terraform against a
fresh emulator (local state): its users, their user group and the replication group (or the
serverless cache) that uses it.

Nothing connects (no engine runs), so IAM authentication itself is asserted as configuration: the
users' authentication type and the replication group's user group, as AWS would return them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from cli import emulator
from modules.elasticache.config import ElastiCacheConfig, ServerlessCache
from tests.integration.conftest import emulator_client, local_state_terraform
from tests.synth.test_elasticache import synthesize_cache_stack

pytestmark = pytest.mark.integration

# A context environment no other test uses, so the names cannot meet another test's resources.
ENVIRONMENT = "cacheiam"
GROUP = f"matbakh-{ENVIRONMENT}-api-cache"
SERVERLESS_ENVIRONMENT = "cachesls"
SERVERLESS = f"matbakh-{SERVERLESS_ENVIRONMENT}-api-cache"


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[emulator.Emulator]:
    directory = tmp_path_factory.mktemp("emulator")
    yield emulator.start(directory)
    emulator.stop(directory)


def test_a_cache_with_clients_applies_and_destroys_on_the_emulator(running: emulator.Emulator, tmp_path: Path) -> None:
    cache, stack_dir = synthesize_cache_stack(tmp_path / "out", ("auth", "vc-start"), environment=ENVIRONMENT)
    terraform = local_state_terraform(running, stack_dir, tmp_path)
    assert terraform("validate").returncode == 0
    applied = terraform("apply", "-auto-approve", "-input=false")
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr

    client = emulator_client(running, "elasticache")
    (group,) = client.describe_replication_groups(ReplicationGroupId=GROUP)["ReplicationGroups"]
    assert group["UserGroupIds"] == [GROUP]
    (user_group,) = client.describe_user_groups(UserGroupId=GROUP)["UserGroups"]
    expected = sorted(f"{GROUP}-{name}" for name in ("auth", "vc-start"))
    assert (user_group["Engine"], sorted(user_group["UserIds"])) == ("valkey", expected)
    assert user_group["ReplicationGroups"] == [GROUP]
    tags = {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceName=user_group["ARN"])["TagList"]}
    assert tags["Environment"] == ENVIRONMENT
    for name in ("auth", "vc-start"):
        (user,) = client.describe_users(UserId=f"{GROUP}-{name}")["Users"]
        assert user["UserName"] == user["UserId"] == cache.users[name].user_id
        assert user["Authentication"]["Type"] == "iam"
        assert (user["Engine"], user["AccessString"]) == ("valkey", "on ~* +@all -@dangerous")
        assert user["UserGroupIds"] == [GROUP]

    destroyed = terraform("destroy", "-auto-approve", "-input=false")
    assert destroyed.returncode == 0, destroyed.stdout[-3000:] + destroyed.stderr
    assert client.describe_replication_groups()["ReplicationGroups"] == []
    with pytest.raises(ClientError, match="UserGroupNotFound"):
        client.describe_user_groups(UserGroupId=GROUP)
    assert [u["UserId"] for u in client.describe_users()["Users"] if u["UserId"].startswith(GROUP)] == []


def test_a_serverless_cache_with_clients_applies_and_destroys_on_the_emulator(
    running: emulator.Emulator, tmp_path: Path
) -> None:
    config = ElastiCacheConfig(
        serverless=ServerlessCache(max_data_storage_gb=1, max_ecpu_per_second=1000), snapshot_retention_days=1
    )
    cache, stack_dir = synthesize_cache_stack(
        tmp_path / "out", ("auth", "vc-start"), environment=SERVERLESS_ENVIRONMENT, config=config
    )
    terraform = local_state_terraform(running, stack_dir, tmp_path)
    applied = terraform("apply", "-auto-approve", "-input=false")
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr

    client = emulator_client(running, "elasticache")
    (serverless,) = client.describe_serverless_caches(ServerlessCacheName=SERVERLESS)["ServerlessCaches"]
    assert (serverless["Status"], serverless["Engine"], serverless["MajorEngineVersion"]) == (
        "available",
        "valkey",
        "8",
    )
    assert serverless["CacheUsageLimits"] == {
        "DataStorage": {"Maximum": 1, "Unit": "GB"},
        "ECPUPerSecond": {"Maximum": 1000},
    }
    assert serverless["UserGroupId"] == SERVERLESS
    ec2 = emulator_client(running, "ec2")
    security_groups = ec2.describe_security_groups(GroupIds=serverless["SecurityGroupIds"])["SecurityGroups"]
    assert [group["GroupName"] for group in security_groups] == [SERVERLESS]  # the cache's own, not its clients'
    subnets = ec2.describe_subnets(SubnetIds=serverless["SubnetIds"])["Subnets"]
    names = sorted(tag["Value"] for subnet in subnets for tag in subnet["Tags"] if tag["Key"] == "Name")
    assert names == [f"matbakh-{SERVERLESS_ENVIRONMENT}-api-private-{index}" for index in range(3)]
    assert len({subnet["AvailabilityZone"] for subnet in subnets}) == 3
    (alias,) = emulator_client(running, "kms").list_aliases(KeyId=serverless["KmsKeyId"])["Aliases"]
    assert serverless["KmsKeyId"].startswith("arn:aws:kms:") and alias["AliasName"] == f"alias/{SERVERLESS}"
    assert (serverless["DailySnapshotTime"], serverless["SnapshotRetentionLimit"]) == ("01:00", 1)
    tags = {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceName=serverless["ARN"])["TagList"]}
    assert tags["Environment"] == SERVERLESS_ENVIRONMENT
    assert (serverless["Endpoint"]["Port"], serverless["ReaderEndpoint"]["Port"]) == (6379, 6380)
    assert serverless["ReaderEndpoint"]["Address"] == serverless["Endpoint"]["Address"]
    (user_group,) = client.describe_user_groups(UserGroupId=SERVERLESS)["UserGroups"]
    expected = sorted(cache.users[name].user_id for name in ("auth", "vc-start"))
    assert (sorted(user_group["UserIds"]), user_group["ServerlessCaches"]) == (expected, [SERVERLESS])

    # The provider reads back exactly what it wrote: a second plan has nothing to do.
    replanned = terraform("plan", "-detailed-exitcode", "-input=false")
    assert replanned.returncode == 0, replanned.stdout[-3000:] + replanned.stderr

    destroyed = terraform("destroy", "-auto-approve", "-input=false")
    assert destroyed.returncode == 0, destroyed.stdout[-3000:] + destroyed.stderr
    assert client.describe_serverless_caches()["ServerlessCaches"] == []
    with pytest.raises(ClientError, match="UserGroupNotFound"):
        client.describe_user_groups(UserGroupId=SERVERLESS)
