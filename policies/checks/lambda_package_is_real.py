"""Ensure a Lambda function deploys a real package where its environment forbids the placeholder."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import environment_caps, first

PLACEHOLDER_PACKAGE_FILE = "lambda-placeholder.zip"  # what the CLI writes for functions without `code`


class LambdaPackageIsReal(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure a Lambda function deploys a real package where the placeholder is not allowed",
            id="CKV_MBK_16",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_lambda_function"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        environment, limits = environment_caps(conf)
        if limits is None:
            self.details.append(f"no caps for environment {environment!r} (Environment tag) in policies/caps.yaml")
            return CheckResult.FAILED
        if limits.get("lambda_placeholder_package_allowed", False):
            return CheckResult.PASSED
        filename = first(conf.get("filename"))
        if isinstance(filename, str) and filename.rsplit("/", 1)[-1] == PLACEHOLDER_PACKAGE_FILE:
            self.details.append(
                f"{environment} deploys real code only (lambda_placeholder_package_allowed in policies/caps.yaml): "
                "set lambda.functions.<key>.code to a repository path or an S3 artifact"
            )
            return CheckResult.FAILED
        if not any(first(conf.get(argument)) for argument in ("filename", "s3_key", "image_uri")):
            self.details.append("the function names no package at all")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = LambdaPackageIsReal()
