"""The state bucket: versioned, SSE-KMS with a rotating customer-managed key, TLS only, private."""

from __future__ import annotations

from modules.core.buckets import deny_insecure_transport, private_versioned_encrypted
from modules.core.cdk import (
    Construct,
    S3Bucket,
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
    S3BucketPolicy,
)
from modules.core.iam import policy_document
from modules.core.kms import EncryptionKey, KeyGrant
from modules.core.label import Context
from modules.state.config import StateBucketConfig


def state_bucket_name(config: StateBucketConfig, context: Context, account_id: str | None = None) -> str:
    """The bucket name both the bootstrap stack and the environment's backend use: bucket names are
    global, so the default carries the account id when it is known (nobody else can take it first)."""
    return config.bucket_name or context.id("tfstate", *([account_id] if account_id else []))


class StateBucket(Construct):
    """Holds one environment's state; S3-native lock files (`use_lockfile`) live beside it."""

    def __init__(
        self, scope: Construct, id_: str, *, config: StateBucketConfig, context: Context, account_id: str | None = None
    ) -> None:
        super().__init__(scope, id_)
        key = EncryptionKey(
            self,
            "key",
            context=context,
            grant=KeyGrant("tfstate"),
            deletion_window_days=config.kms_deletion_window_days,
        )
        bucket = S3Bucket(self, "bucket", bucket=state_bucket_name(config, context, account_id), tags=context.tags)
        bucket_id = bucket.id
        private_versioned_encrypted(self, "", bucket, key.arn)
        S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=bucket_id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        S3BucketPolicy(
            self,
            "tls_only",
            bucket=bucket_id,
            policy=policy_document(deny_insecure_transport(bucket.arn)),
        )
        S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=bucket_id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-old-state-versions",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter()],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=config.noncurrent_version_expiration_days
                        )
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            ],
        )

        self.bucket_name: str = bucket.bucket
        self.bucket_arn: str = bucket.arn
        self.kms_key_arn: str = key.arn
