"""The state bucket: versioned, SSE-KMS with a rotating customer-managed key, TLS only, private."""

from __future__ import annotations

from modules.core.buckets import deny_insecure_transport, private_versioned_encrypted
from modules.core.cdk import (
    Construct,
    S3Bucket,
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
from modules.core.kms import EncryptionKey, KeyGrant
from modules.core.label import Context
from modules.state.config import StateBucketConfig

SAVED_PLAN_DAYS = 1
"""How long a saved plan (and each of its versions) stays: the apply takes it within the hour or refuses it."""


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
        self._policy = S3BucketPolicy(
            self,
            "tls_only",
            bucket=bucket_id,
            policy=policy_document(deny_insecure_transport(bucket.arn)),
        )
        self._state_versions = S3BucketLifecycleConfigurationRule(
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
        self._lifecycle = S3BucketLifecycleConfiguration(
            self, "lifecycle", bucket=bucket_id, rule=[self._state_versions]
        )

        self.bucket_name: str = bucket.bucket
        self.bucket_arn: str = bucket.arn
        self.kms_key_arn: str = key.arn

    def keep_saved_plans(self, prefix: str, reader_arn: str) -> None:
        """Saved plans (under `prefix/`) hold every secret of a plan: the bucket denies reading them to
        every principal but `reader_arn` (the apply role), administrators included, and expires them
        (every version) after a day, since an apply refuses a plan older than an hour anyway."""
        self._policy.policy = policy_document(
            deny_insecure_transport(self.bucket_arn),
            {
                "Sid": "SavedPlansOnlyForTheirReader",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": [f"{self.bucket_arn}/{prefix}/*"],
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": reader_arn}},
            },
        )
        self._lifecycle.put_rule(
            [
                self._state_versions,
                S3BucketLifecycleConfigurationRule(
                    id="expire-saved-plans",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix=f"{prefix}/")],
                    expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=SAVED_PLAN_DAYS)],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=SAVED_PLAN_DAYS)
                    ],
                ),
            ]
        )
