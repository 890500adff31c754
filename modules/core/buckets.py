"""What every bucket of ours has: versioning, SSE-KMS with a customer-managed key, no public
access, and a policy statement that refuses anything but TLS."""

from __future__ import annotations

from modules.core.cdk import (
    Construct,
    S3Bucket,
    S3BucketPublicAccessBlock,
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from modules.core.iam import Statement


def deny_insecure_transport(bucket_arn: str) -> Statement:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def private_versioned_encrypted(scope: Construct, id_prefix: str, bucket: S3Bucket, key_arn: str) -> None:
    """Versioning, SSE-KMS with `key_arn` (bucket keys on), public access blocked.

    `id_prefix` keeps the construct ids (hence the Terraform addresses) each bucket already has.
    """
    bucket_id = bucket.id
    S3BucketVersioningA(
        scope,
        f"{id_prefix}versioning",
        bucket=bucket_id,
        versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
    )
    S3BucketServerSideEncryptionConfigurationA(
        scope,
        f"{id_prefix}encryption",
        bucket=bucket_id,
        rule=[
            S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                    sse_algorithm="aws:kms", kms_master_key_id=key_arn
                ),
                bucket_key_enabled=True,
            )
        ],
    )
    S3BucketPublicAccessBlock(
        scope,
        f"{id_prefix}public_access_block",
        bucket=bucket_id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
