"""ACM: the certificate of the product's own domain (cdn.domain), in us-east-1."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import CERTIFICATES
from modules.delivery.permissions.grants import Grant, Permissions, Tag

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_acm_certificate": Permissions(
        read=(Grant(("acm:DescribeCertificate", "acm:ListTagsForCertificate"), CERTIFICATES, tag=Tag.RESOURCE),),
        write=(
            # A certificate does not exist before it is requested: ACM authorises the request on `*` only,
            # with the request's tags; tagging it at creation is on the new certificate.
            Grant(("acm:RequestCertificate",), tag=Tag.REQUEST),
            Grant(("acm:AddTagsToCertificate",), CERTIFICATES, tag=Tag.REQUEST),
            Grant(
                ("acm:DeleteCertificate", "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"),
                CERTIFICATES,
                tag=Tag.RESOURCE,
            ),
        ),
    ),
    "aws_acm_certificate_validation": Permissions(
        read=(Grant(("acm:DescribeCertificate",), CERTIFICATES, tag=Tag.RESOURCE),),
        write=(Grant(("acm:DescribeCertificate",), CERTIFICATES, tag=Tag.RESOURCE),),
    ),
}
