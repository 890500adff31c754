"""The product's own domain (cdn.domain): its certificate, and the records that point it at the distribution."""

from __future__ import annotations

from modules.cdn.config import Domain
from modules.core.cdk import (
    AcmCertificate,
    AcmCertificateValidation,
    CloudfrontDistribution,
    Construct,
    Fn,
    Route53Record,
    Route53RecordAlias,
    TerraformProvider,
)
from modules.core.label import Context


def certificate(
    scope: Construct, *, context: Context, domain: Domain, edge_provider: TerraformProvider
) -> AcmCertificateValidation:
    """An ACM certificate for the domain in us-east-1 (the only region CloudFront takes one from),
    validated by a DNS record in its zone. The distribution takes the validation's ARN, so it waits
    until the certificate is issued."""
    requested = AcmCertificate(
        scope,
        "certificate",
        provider=edge_provider,
        domain_name=domain.name,
        validation_method="DNS",
        key_algorithm="EC_prime256v1",
        tags=context.tags,
    )
    # One name, so one validation record: the first (only) element of the set.
    option = Fn.element(Fn.tolist(requested.domain_validation_options), 0)
    record = Route53Record(
        scope,
        "certificate_validation_record",
        zone_id=domain.hosted_zone_id,
        name=Fn.lookup(option, "resource_record_name"),
        type=Fn.lookup(option, "resource_record_type"),
        records=[Fn.lookup(option, "resource_record_value")],
        ttl=300,
        allow_overwrite=True,
    )
    return AcmCertificateValidation(
        scope,
        "certificate_validation",
        provider=edge_provider,
        certificate_arn=requested.arn,
        validation_record_fqdns=[record.fqdn],
    )


def alias_records(scope: Construct, *, domain: Domain, distribution: CloudfrontDistribution) -> None:
    """The domain (A and AAAA: the distribution is dual-stack) points at the distribution."""
    target = Route53RecordAlias(
        name=distribution.domain_name, zone_id=distribution.hosted_zone_id, evaluate_target_health=False
    )
    for record_type in ("A", "AAAA"):
        Route53Record(
            scope,
            f"alias_{record_type.lower()}",
            zone_id=domain.hosted_zone_id,
            name=domain.name,
            type=record_type,
            alias=target,
        )
