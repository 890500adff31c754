"""Ensure a CloudFront distribution serves an ACM certificate with TLSv1.2_2021 where its environment
requires one, or carries the reviewed reason why it has no domain yet (its `DomainWaiver` tag)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from policy_support import environment_caps, first, is_unresolved

TLS_POLICY = "TLSv1.2_2021"


class CloudFrontCertificateWhereRequired(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="Ensure a CloudFront distribution has an ACM certificate and TLSv1.2_2021 where required",
            id="CKV_MBK_15",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_cloudfront_distribution"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> Any:
        environment, limits = environment_caps(conf)
        if limits is None:
            self.details.append(f"no caps for environment {environment!r} (Environment tag) in policies/caps.yaml")
            return CheckResult.FAILED
        if not limits.get("cloudfront_requires_certificate", False):
            return CheckResult.PASSED
        tags = first(conf.get("tags")) or {}
        waiver = first(tags.get("DomainWaiver")) if isinstance(tags, dict) else None
        certificate = first(conf.get("viewer_certificate")) or {}
        arn = first(certificate.get("acm_certificate_arn")) if isinstance(certificate, dict) else None
        protocol = first(certificate.get("minimum_protocol_version")) if isinstance(certificate, dict) else None
        if is_unresolved(arn) or is_unresolved(protocol):
            return CheckResult.UNKNOWN
        if not arn:
            if isinstance(waiver, str) and waiver.strip():
                return CheckResult.PASSED
            self.details.append(
                f"{environment} requires its own domain (cloudfront_requires_certificate in policies/caps.yaml); "
                "set cdn.domain in its environment file, or cdn.without_domain_reason"
            )
            return CheckResult.FAILED
        if protocol != TLS_POLICY:
            self.details.append(f"minimum_protocol_version {protocol} is not {TLS_POLICY}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CloudFrontCertificateWhereRequired()
