"""Every AWS call discovery makes: read-only, paginated, retried when throttled, errors made clear.

* Missing or rejected credentials stop the run with one line that says how to configure them.
* A denied call is recorded as a gap naming the IAM action (`lambda:ListFunctions`); the rest
  of the inventory continues, and the run ends incomplete.
* Throttling is retried with exponential backoff, a bounded number of times.
* A service or operation the region (or endpoint) does not offer is recorded per service.
* An answer that cannot be parsed (an endpoint's HTML error page) is recorded as a failed call.
* A lookup of one resource by name (`absent_codes`) answers "no such resource" as empty, not as a gap.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.parsers import ResponseParserError

from cli.discovery.model import Gap, GapKind
from cli.errors import UserError

ClientFactory = Callable[[str], Any]
"""Service name (`lambda`, `rds`, …) → a boto3 client (or a stubbed one in tests)."""

POLICY_PATH = "policies/discovery-readonly-policy.json"

# The IAM prefix of each client's service, where it differs from the client name.
_IAM_PREFIX = {"application-autoscaling": "application-autoscaling", "cloudwatch": "cloudwatch"}
# Operations whose IAM action is not `<prefix>:<OperationName>`.
_IAM_ACTION_OVERRIDES = {("budgets", "DescribeBudgets"): "budgets:ViewBudget"}

_THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "SlowDown",
        "PriorRequestNotComplete",
    }
)
_ACCESS_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "UnauthorizedException"}
)
_BAD_CREDENTIALS = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "AuthFailure",
    }
)
# "404" without a code is what an endpoint answers for an operation it does not know.
_UNAVAILABLE = frozenset(
    {"UnknownOperationException", "InvalidAction", "UnsupportedOperation", "NotImplemented", "OptInRequired", "404"}
)

NO_CREDENTIALS = (
    "no AWS credentials found: run `aws configure` (or `aws sso login --profile NAME` and set AWS_PROFILE), "
    "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; discovery needs only the read-only policy "
    f"{POLICY_PATH} (AUTOSCALE_TARGET=emulator discovers the local emulator instead)"
)


def client_config() -> Any:
    """botocore settings of discovery's clients: one attempt (AwsReader retries throttling, bounded,
    with backoff), and timeouts that fail an unreachable endpoint in seconds."""
    from botocore.config import Config

    return Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=30)


def iam_action(service: str, operation: str) -> str:
    """The IAM action that authorizes `operation` (API name, e.g. `ListFunctions`) of `service`."""
    return _IAM_ACTION_OVERRIDES.get((service, operation), f"{_IAM_PREFIX.get(service, service)}:{operation}")


def is_read_only(operation: str) -> bool:
    return operation.startswith(("List", "Describe", "Get"))


class AwsReader:
    """Makes the calls and remembers what could not be read (`gaps`, each action once)."""

    def __init__(
        self,
        clients: ClientFactory,
        *,
        region: str,
        page_size: int | None = None,
        max_attempts: int = 5,
        base_delay_seconds: float = 0.5,
        max_delay_seconds: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be ≥ 1")
        self._factory = clients
        self._clients: dict[str, Any] = {}
        self.region = region
        self.page_size = page_size
        self.max_attempts = max_attempts
        self.base_delay_seconds = base_delay_seconds
        self.max_delay_seconds = max_delay_seconds
        self._sleep = sleep
        self._gaps: dict[tuple[str, GapKind], Gap] = {}

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return tuple(self._gaps.values())

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._factory(service)
        return self._clients[service]

    def call(
        self, service: str, method: str, *, absent_codes: frozenset[str] = frozenset(), **params: Any
    ) -> dict[str, Any] | None:
        """One call of `method` (snake_case); `None` (and a recorded gap) if it could not be made;
        `{}` when it failed with one of `absent_codes` (the resource asked for does not exist)."""
        client = self.client(service)
        result: dict[str, Any] | None = self._guarded(
            service, method, lambda: getattr(client, method)(**params), absent=absent_codes
        )
        return result

    def items(
        self,
        service: str,
        method: str,
        result_key: str,
        *,
        unavailable_codes: frozenset[str] = frozenset(),
        absent_codes: frozenset[str] = frozenset(),
        **params: Any,
    ) -> list[dict[str, Any]] | None:
        """Every item of a paginated listing, page after page; `None` (and a gap) if it failed.

        Pages are fetched in chunks of `page_size` items (or 1000) through the paginator's
        resume token, so a throttled chunk is retried alone, not the whole listing.
        `unavailable_codes`: error codes that mean "not offered here" for this listing;
        `absent_codes`: those that mean "none such" (a listing filtered by name): `[]`, no gap.
        """
        client = self.client(service)
        paginator = client.get_paginator(method)
        chunk = self.page_size or 1000
        page_size = self._page_size(client, paginator, method) if self.page_size else None
        collected: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            config: dict[str, Any] = {"MaxItems": chunk}
            if page_size is not None:
                config["PageSize"] = page_size
            if token:
                config["StartingToken"] = token

            def fetch(config: dict[str, Any] = config) -> tuple[list[dict[str, Any]], str | None]:
                iterator = paginator.paginate(**params, PaginationConfig=config)
                found = [item for page in iterator for item in _path(page, result_key)]
                return found, iterator.resume_token

            fetched = self._guarded(service, method, fetch, unavailable_codes, absent_codes)
            if fetched == {}:
                return []
            if fetched is None:
                return None
            found, token = fetched
            collected.extend(found)
            if not token:
                return collected

    def _page_size(self, client: Any, paginator: Any, method: str) -> int | str | None:
        """`page_size` within the bounds the API accepts (RDS wants ≥ 20, Lambda ≤ 50, …)."""
        assert self.page_size is not None
        limit_key = getattr(paginator, "_pagination_cfg", {}).get("limit_key")
        operation = client.meta.method_to_api_mapping.get(method, method)
        shape = client.meta.service_model.operation_model(operation).input_shape
        member = shape.members.get(limit_key) if shape is not None and limit_key else None
        if member is None:
            return self.page_size
        if member.type_name == "string":  # CloudFront's MaxItems
            return str(self.page_size)
        low, high = member.metadata.get("min", 1), member.metadata.get("max", self.page_size)
        return int(min(max(self.page_size, low), high))

    def _guarded(
        self,
        service: str,
        method: str,
        attempt: Callable[[], Any],
        unavailable: frozenset[str] = frozenset(),
        absent: frozenset[str] = frozenset(),
    ) -> Any:
        operation = self.client(service).meta.method_to_api_mapping.get(method, method)
        action = iam_action(service, operation)
        if not is_read_only(operation):  # a guard against ever adding a write by mistake
            raise AssertionError(f"discovery makes read-only calls only, not {action}")
        for number in range(1, self.max_attempts + 1):
            try:
                return attempt()
            except (NoCredentialsError, PartialCredentialsError):
                raise UserError(NO_CREDENTIALS) from None
            except (EndpointConnectionError, ConnectTimeoutError) as error:
                self._record(
                    service, action, "unavailable", f"{service} is not reachable in {self.region} ({error}); skipped"
                )
                return None
            except ResponseParserError:  # an answer that is no AWS error (an HTML page of a 500)
                self._record(service, action, "failed", f"{action} failed: the endpoint's answer could not be read")
                return None
            except ClientError as error:
                code = str(error.response.get("Error", {}).get("Code", ""))
                if code in absent:
                    return {}
                if code in _BAD_CREDENTIALS:
                    raise UserError(
                        f"AWS rejected the credentials ({code}) when calling {action}: refresh them "
                        "(`aws sso login`, or new access keys) and try again"
                    ) from None
                if code in _ACCESS_DENIED:
                    self._record(
                        service,
                        action,
                        "access-denied",
                        f"access denied: the credentials lack {action}; attach {POLICY_PATH}",
                    )
                    return None
                if code in _UNAVAILABLE or code in unavailable:
                    self._record(
                        service,
                        action,
                        "unavailable",
                        f"{action} is not available in {self.region} (or at this endpoint): {code}; skipped",
                    )
                    return None
                if code not in _THROTTLING:
                    detail = error.response.get("Error", {}).get("Message", "")
                    self._record(service, action, "failed", f"{action} failed: {code}: {detail}")
                    return None
                if number == self.max_attempts:
                    self._record(
                        service,
                        action,
                        "throttled",
                        f"throttled: {action} still throttled after {self.max_attempts} attempts; run again later",
                    )
                    return None
                self._sleep(min(self.max_delay_seconds, self.base_delay_seconds * 2 ** (number - 1)))
        raise AssertionError("unreachable")

    def record_failure(self, subject: str, message: str) -> None:
        """A failure of the caller's own reading of an answer (an unexpected shape), kept as a gap."""
        self._record(subject, subject, "failed", message)

    def _record(self, service: str, action: str, kind: GapKind, message: str) -> None:
        self._gaps.setdefault((action, kind), Gap(service=service, action=action, kind=kind, message=message))


def _path(page: dict[str, Any], result_key: str) -> list[dict[str, Any]]:
    """`DistributionList.Items` → the list at that dotted path of a page (or [])."""
    value: Any = page
    for part in result_key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return list(value or [])
