"""The API's front door: Lambda function URLs behind CloudFront origin access control.

Each function with routes gets a function URL on its alias with `AWS_IAM` auth, so the URL
answers nothing that is not signed. The CDN (which takes this object) signs every request
to it with its origin access control, and `admit` grants exactly that distribution the two
permissions a function URL needs (`lambda:InvokeFunctionUrl` and, for URLs created since
October 2025, `lambda:InvokeFunction`). No shared secret exists anywhere: nothing to leak
into state, and nothing to rotate. Why function URLs rather than an API Gateway HTTP API:
docs/configuration.md, "The front door".
"""

from __future__ import annotations

from dataclasses import dataclass

from modules.core.cdk import Construct, Fn, LambdaFunctionUrl, LambdaPermission
from modules.lambda_service.module import DeployedFunction, LambdaService

CLOUDFRONT = "cloudfront.amazonaws.com"


@dataclass(frozen=True)
class FunctionOrigin:
    """One routed function as a CloudFront origin."""

    origin_id: str
    function_key: str
    domain_name: str


@dataclass(frozen=True)
class RouteBehavior:
    """One path pattern of the CDN, the function it leads to, and the methods configured on it."""

    path_pattern: str
    origin_id: str
    methods: tuple[str, ...]


def origin_id(function_key: str) -> str:
    return f"api-{function_key}"


def route_behaviors(functions: dict[str, DeployedFunction]) -> list[RouteBehavior]:
    """Every routed path once, with the union of its methods; literal paths first, then longer
    patterns first (CloudFront takes the first behavior that matches)."""
    methods: dict[tuple[str, str], set[str]] = {}
    for key, function in functions.items():
        for route in function.routes:
            methods.setdefault((route.path, key), set()).add(route.method)
    behaviors = [
        RouteBehavior(path_pattern=path, origin_id=origin_id(key), methods=tuple(sorted(found)))
        for (path, key), found in methods.items()
    ]
    return sorted(behaviors, key=lambda b: ("*" in b.path_pattern, -len(b.path_pattern), b.path_pattern))


class FunctionUrlFrontDoor(Construct):
    """Function URLs of the routed functions; `origins` and `behaviors` are what the CDN needs."""

    def __init__(self, scope: Construct, id_: str, *, functions: LambdaService) -> None:
        super().__init__(scope, id_)
        self._routed = {key: f for key, f in functions.functions.items() if f.routes}
        self.function_urls: dict[str, str] = {}
        self.origins: list[FunctionOrigin] = []
        for key, function in self._routed.items():
            url = LambdaFunctionUrl(
                self,
                f"{key.replace('-', '_')}_url",
                function_name=function.function_name_reference,
                qualifier=function.alias_name_reference,
                authorization_type="AWS_IAM",
                invoke_mode="BUFFERED",
            ).function_url
            self.function_urls[key] = url
            # `https://<id>.lambda-url.<region>.on.aws/`: the origin is its host.
            self.origins.append(
                FunctionOrigin(
                    origin_id=origin_id(key), function_key=key, domain_name=Fn.element(Fn.split("/", url), 2)
                )
            )
        self.behaviors: list[RouteBehavior] = route_behaviors(self._routed)

    def admit(self, distribution_arn: str) -> None:
        """Only the distribution `distribution_arn` may invoke the URLs (the CDN calls this)."""
        for key, function in self._routed.items():
            name = key.replace("-", "_")
            previous: list[LambdaPermission] = []
            for action, suffix, auth_type in (
                ("lambda:InvokeFunctionUrl", "url", "AWS_IAM"),
                ("lambda:InvokeFunction", "invoke", None),
            ):
                # One after the other: Lambda refuses concurrent changes of one function's policy
                # (ResourceConflictException), and the provider would only retry.
                permission = LambdaPermission(
                    self,
                    f"{name}_cdn_{suffix}",
                    statement_id=f"CloudFront{suffix.capitalize()}",
                    action=action,
                    function_name=function.function_name_reference,
                    qualifier=function.alias_name_reference,
                    principal=CLOUDFRONT,
                    source_arn=distribution_arn,
                    function_url_auth_type=auth_type,
                    depends_on=list(previous) or None,
                )
                previous = [permission]
