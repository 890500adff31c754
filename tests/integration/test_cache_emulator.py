"""The cache with IAM-authenticated clients, applied and destroyed with real terraform against a
fresh emulator (local state): its users, their user group and the replication group that uses it.

Nothing connects (no engine runs), so IAM authentication itself is asserted as configuration: the
users' authentication type and the replication group's user group, as AWS would return them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from cli import emulator
from tests.integration.conftest import emulator_client, local_state_terraform
from tests.synth.test_elasticache import synthesize_cache_stack

pytestmark = pytest.mark.integration

# A context environment no other test uses, so the names cannot meet another test's resources.
ENVIRONMENT = "cacheiam"
GROUP = f"matbakh-{ENVIRONMENT}-api-cache"


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
