"""The CDN's two buckets: its standard access logs, and the private assets only its distribution reads.

Both are private, versioned and SSE-KMS (modules/core/buckets.py); their names are global, so they
carry the configured account when there is one.
"""

from __future__ import annotations

from modules.core.account import AwsAccount
from modules.core.buckets import deny_insecure_transport, private_versioned_encrypted
from modules.core.cdk import (
    CloudfrontDistribution,
    Construct,
    DataAwsCanonicalUserId,
    DataAwsCloudfrontLogDeliveryCanonicalUserId,
    S3Bucket,
    S3BucketAcl,
    S3BucketAclAccessControlPolicy,
    S3BucketAclAccessControlPolicyGrant,
    S3BucketAclAccessControlPolicyGrantGrantee,
    S3BucketAclAccessControlPolicyOwner,
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
    S3BucketPolicy,
)
from modules.core.iam import policy_document
from modules.core.kms import KeyGrant, KeySource
from modules.core.label import Context


def _name(context: Context, purpose: str, account_id: str | None) -> str:
    return context.id(purpose, *((account_id,) if account_id else ()))


def _lifecycle(
    scope: Construct,
    id_: str,
    bucket: S3Bucket,
    rule_id: str,
    *,
    noncurrent_days: int,
    expiration_days: int | None = None,
) -> None:
    """Replaced versions go after `noncurrent_days` and abandoned uploads after a week, so neither is
    paid for forever; current objects go after `expiration_days` when given."""
    S3BucketLifecycleConfiguration(
        scope,
        id_,
        bucket=bucket.id,
        rule=[
            S3BucketLifecycleConfigurationRule(
                id=rule_id,
                status="Enabled",
                filter=[S3BucketLifecycleConfigurationRuleFilter()],
                expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=expiration_days)]
                if expiration_days is not None
                else None,
                noncurrent_version_expiration=[
                    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=noncurrent_days)
                ],
                abort_incomplete_multipart_upload=[
                    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                ],
            )
        ],
    )


def log_bucket(
    scope: Construct, *, context: Context, keys: KeySource, account_id: str | None, retention_days: int
) -> S3Bucket:
    """The bucket of CloudFront's standard (legacy) access logs, kept `retention_days`.

    Legacy logging writes with the `awslogsdelivery` account through a bucket ACL, so ACLs
    must be enabled (object ownership `BucketOwnerPreferred`, never `BucketOwnerEnforced`)
    and the ACL grants that account FULL_CONTROL. Encryption: SSE-KMS with our own key
    works, provided the key policy lets `delivery.logs.amazonaws.com` generate data keys
    (CloudFront developer guide, standard logging, "SSE-KMS"); the AWS-managed `aws/s3` key
    does not (its policy cannot be changed), which is why this bucket has its own key.
    """
    key = keys.key(
        scope,
        "log_key",
        context=context,
        grant=KeyGrant(
            "cdn-logs",
            service_principals=["delivery.logs.amazonaws.com"],
            service_actions=("kms:GenerateDataKey*",),
        ),
    )
    bucket = S3Bucket(scope, "log_bucket", bucket=_name(context, "cdn-logs", account_id), tags=context.tags)
    private_versioned_encrypted(scope, "log_bucket_", bucket, key.arn)
    ownership = S3BucketOwnershipControls(
        scope,
        "log_bucket_ownership",
        bucket=bucket.id,
        rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerPreferred"),
    )
    owner = DataAwsCanonicalUserId(scope, "canonical_user").id
    log_delivery = DataAwsCloudfrontLogDeliveryCanonicalUserId(scope, "log_delivery").id
    S3BucketAcl(
        scope,
        "log_bucket_acl",
        bucket=bucket.id,
        access_control_policy=S3BucketAclAccessControlPolicy(
            owner=S3BucketAclAccessControlPolicyOwner(id=owner),
            grant=[
                S3BucketAclAccessControlPolicyGrant(
                    grantee=S3BucketAclAccessControlPolicyGrantGrantee(type="CanonicalUser", id=grantee),
                    permission="FULL_CONTROL",
                )
                for grantee in (owner, log_delivery)
            ],
        ),
        depends_on=[ownership],
    )
    S3BucketPolicy(
        scope, "log_bucket_policy", bucket=bucket.id, policy=policy_document(deny_insecure_transport(bucket.arn))
    )
    _lifecycle(
        scope, "log_bucket_lifecycle", bucket, "expire-access-logs", noncurrent_days=1, expiration_days=retention_days
    )
    return bucket


def assets_bucket(scope: Construct, *, context: Context, account_id: str | None) -> S3Bucket:
    """The bucket alone: the distribution needs it as its origin before `serve_assets` can name the
    distribution in its policies."""
    return S3Bucket(scope, "assets_bucket", bucket=_name(context, "cdn-assets", account_id), tags=context.tags)


def serve_assets(
    scope: Construct,
    bucket: S3Bucket,
    distribution: CloudfrontDistribution,
    *,
    context: Context,
    keys: KeySource,
    account: AwsAccount,
) -> None:
    """Private and SSE-KMS; only `distribution` (OAC, `AWS:SourceArn`) reads `bucket`, over TLS.

    CloudFront decrypts objects through OAC only if the key policy lets the
    `cloudfront.amazonaws.com` principal decrypt for this distribution (CloudFront developer
    guide, "Restrict access to an Amazon S3 origin", SSE-KMS), hence the conditioned statement.
    An environment key cannot name the distribution (the distribution's origins use that key:
    a cycle), so it admits the account's distributions; the bucket policy still admits only this one.
    """
    this_distribution = {"StringEquals": {"AWS:SourceArn": distribution.arn}}
    key_condition: dict[str, dict[str, str]] = (
        {
            "StringEquals": {"AWS:SourceAccount": account.account_id},
            "ArnLike": {"AWS:SourceArn": account.arn("cloudfront", "distribution/*", region=False)},
        }
        if keys.shared
        else this_distribution
    )
    key = keys.key(
        scope,
        "assets_key",
        context=context,
        grant=KeyGrant(
            "cdn-assets",
            statements=[
                {
                    "Sid": "AccountDistributionsDecryptAssets" if keys.shared else "ThisDistributionDecryptsAssets",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": key_condition,
                }
            ],
        ),
    )
    private_versioned_encrypted(scope, "assets_bucket_", bucket, key.arn)
    S3BucketOwnershipControls(
        scope,
        "assets_bucket_ownership",
        bucket=bucket.id,
        rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
    )
    S3BucketPolicy(
        scope,
        "assets_bucket_policy",
        bucket=bucket.id,
        policy=policy_document(
            deny_insecure_transport(bucket.arn),
            {
                "Sid": "ThisDistributionReadsAssets",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"{bucket.arn}/*",
                "Condition": this_distribution,
            },
        ),
    )
    _lifecycle(scope, "assets_bucket_lifecycle", bucket, "expire-replaced-assets", noncurrent_days=30)
