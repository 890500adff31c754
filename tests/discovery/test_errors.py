"""Clear errors, retries and pagination, with real botocore clients whose responses are stubbed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from cli.discovery.aws import NO_CREDENTIALS, AwsReader
from cli.discovery.command import run
from cli.errors import UserError
from tests.conftest import PYTHON, REPO
from tests.conftest import run as run_command

REGION = "eu-central-1"
_NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def _client(service: str, **extra: Any) -> Any:
    return boto3.client(
        service,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=_NO_RETRIES,
        **extra,
    )


@pytest.fixture
def lam() -> Iterator[tuple[Any, Stubber]]:
    client = _client("lambda")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _function(name: str) -> dict[str, Any]:
    return {"FunctionName": name, "FunctionArn": f"arn:aws:lambda:{REGION}:123456789012:function:{name}"}


def test_access_denied_names_the_missing_action_and_the_policy(lam: tuple[Any, Stubber]) -> None:
    client, stubber = lam
    stubber.add_client_error(
        "list_functions", service_error_code="AccessDeniedException", service_message="no", http_status_code=403
    )
    reader = AwsReader(lambda _: client, region=REGION)
    assert reader.items("lambda", "list_functions", "Functions") is None
    [gap] = reader.gaps
    assert gap.kind == "access-denied"
    assert gap.action == "lambda:ListFunctions"
    assert gap.message == (
        "access denied: the credentials lack lambda:ListFunctions; attach policies/discovery-readonly-policy.json"
    )


def test_throttling_is_retried_with_exponential_backoff(lam: tuple[Any, Stubber]) -> None:
    client, stubber = lam
    for _ in range(3):
        stubber.add_client_error("list_functions", service_error_code="ThrottlingException", http_status_code=429)
    stubber.add_response("list_functions", {"Functions": [_function("a")]})
    sleeps: list[float] = []
    reader = AwsReader(lambda _: client, region=REGION, sleep=sleeps.append)
    items = reader.items("lambda", "list_functions", "Functions")
    assert [i["FunctionName"] for i in items or []] == ["a"]
    assert sleeps == [0.5, 1.0, 2.0]
    assert reader.gaps == ()


def test_throttling_gives_up_after_the_bounded_attempts(lam: tuple[Any, Stubber]) -> None:
    client, stubber = lam
    for _ in range(3):
        stubber.add_client_error("get_function_concurrency", service_error_code="Throttling", http_status_code=400)
    sleeps: list[float] = []
    reader = AwsReader(lambda _: client, region=REGION, max_attempts=3, sleep=sleeps.append)
    assert reader.call("lambda", "get_function_concurrency", FunctionName="a") is None
    assert sleeps == [0.5, 1.0]
    [gap] = reader.gaps
    assert (gap.kind, gap.action) == ("throttled", "lambda:GetFunctionConcurrency")
    assert "still throttled after 3 attempts" in gap.message


def test_pagination_follows_every_page_and_resumes_a_throttled_one(lam: tuple[Any, Stubber]) -> None:
    client, stubber = lam
    stubber.add_response(
        "list_functions", {"Functions": [_function("a"), _function("b")], "NextMarker": "m1"}, {"MaxItems": 2}
    )
    stubber.add_client_error("list_functions", service_error_code="ThrottlingException", http_status_code=429)
    # The retry starts from the second page, not from the beginning.
    page_two = {"Functions": [_function("c"), _function("d")], "NextMarker": "m2"}
    stubber.add_response("list_functions", page_two, {"MaxItems": 2, "Marker": "m1"})
    stubber.add_response("list_functions", {"Functions": [_function("e")]}, {"MaxItems": 2, "Marker": "m2"})
    reader = AwsReader(lambda _: client, region=REGION, page_size=2, sleep=lambda _: None)
    items = reader.items("lambda", "list_functions", "Functions")
    assert [i["FunctionName"] for i in items or []] == ["a", "b", "c", "d", "e"]


def test_rejected_credentials_stop_with_one_line(lam: tuple[Any, Stubber]) -> None:
    client, stubber = lam
    stubber.add_client_error("list_functions", service_error_code="ExpiredTokenException", http_status_code=403)
    reader = AwsReader(lambda _: client, region=REGION)
    with pytest.raises(
        UserError, match=r"AWS rejected the credentials \(ExpiredTokenException\) when calling lambda:ListFunctions"
    ):
        reader.items("lambda", "list_functions", "Functions")


def test_an_action_the_endpoint_does_not_offer_is_a_warning_not_a_failure(lam: tuple[Any, Stubber]) -> None:
    client, stubber = lam
    stubber.add_client_error("list_functions", service_error_code="InvalidAction", http_status_code=400)
    reader = AwsReader(lambda _: client, region=REGION)
    assert reader.items("lambda", "list_functions", "Functions") is None
    [gap] = reader.gaps
    assert (gap.service, gap.kind, gap.action) == ("lambda", "unavailable", "lambda:ListFunctions")
    assert gap.message == (
        f"lambda:ListFunctions is not available in {REGION} (or at this endpoint): InvalidAction; skipped"
    )


def test_a_service_the_endpoint_lacks_is_reported_and_the_rest_continues(tmp_path: Path) -> None:
    """Nothing listens on 127.0.0.1:9 (connection refused = EndpointConnectionError); stubs answer the rest."""
    stubs: list[Stubber] = []

    def clients(service: str) -> Any:
        if service == "cloudfront":
            return _client(service, endpoint_url="https://127.0.0.1:9")
        client = _client(service)
        stubber = Stubber(client)
        answers: dict[str, list[tuple[str, dict[str, Any]]]] = {
            "sts": [("get_caller_identity", {"Account": "123456789012"})],
            "lambda": [("list_functions", {"Functions": []})],
            "application-autoscaling": [("describe_scalable_targets", {"ScalableTargets": []})] * 3,
            "rds": [("describe_db_instances", {"DBInstances": []}), ("describe_db_proxies", {"DBProxies": []})],
            "elasticache": [("describe_replication_groups", {"ReplicationGroups": []})],
            "cloudwatch": [("describe_alarms", {"MetricAlarms": []})],
            "budgets": [("describe_budgets", {"Budgets": []})],
        }
        for method, response in answers[service]:
            stubber.add_response(method, response)
        stubber.activate()
        stubs.append(stubber)
        return client

    inventory, findings, outputs = run("dev", clients=clients, json_path=tmp_path / "d.json")
    [gap] = inventory.gaps
    assert (gap.service, gap.kind, gap.action) == ("cloudfront", "unavailable", "cloudfront:ListDistributions")
    assert f"cloudfront is not reachable in {REGION}" in gap.message
    assert not inventory.incomplete
    assert [f.message for f in findings] == ["no budget for the environment"]
    assert outputs.draft_path.exists()
    for stubber in stubs:
        stubber.assert_no_pending_responses()


def test_access_denied_makes_the_run_incomplete_and_says_which_action(tmp_path: Path) -> None:
    def clients(service: str) -> Any:
        return _Denied(_client(service))

    with pytest.raises(UserError) as raised:
        run("dev", clients=clients, json_path=tmp_path / "d.json")
    assert "discovery incomplete: could not read" in str(raised.value)
    assert "lambda:ListFunctions" in str(raised.value)
    assert "rds:DescribeDBInstances" in str(raised.value)
    assert "policies/discovery-readonly-policy.json" in str(raised.value)
    assert (tmp_path / "d.json").exists()


class _Denied:
    """A client whose every read is refused with AccessDenied (a botocore ClientError)."""

    def __init__(self, client: Any) -> None:
        self.meta = client.meta
        self._client = client

    def __getattr__(self, name: str) -> Any:
        from botocore.exceptions import ClientError

        def denied(**_: Any) -> Any:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, name)

        if name == "get_paginator":
            return lambda method: _DeniedPaginator(method)
        return denied


class _DeniedPaginator:
    def __init__(self, method: str) -> None:
        self.method = method

    def paginate(self, **_: Any) -> Any:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, self.method)


def test_missing_credentials_give_one_line_saying_how_to_configure(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AUTOSCALE_TARGET": "aws",
    }
    result = run_command(
        [PYTHON, "-m", "cli", "discover", "--env", "dev", "--json", str(tmp_path / "out" / "d.json")],
        cwd=REPO,
        env=env,
        inherit=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr == f"error: {NO_CREDENTIALS}\n"
