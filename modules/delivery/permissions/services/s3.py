"""S3: buckets named `<prefix>-…` (the state bucket is guarded by a Deny in the write policies)."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import BUCKETS
from modules.delivery.permissions.grants import Grant, Permissions

# What a refresh of any of a bucket's resources reads.
_READ = Grant(
    (
        "s3:ListBucket",
        "s3:GetBucket*",
        "s3:GetAccelerateConfiguration",
        "s3:GetLifecycleConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:GetEncryptionConfiguration",
    ),
    BUCKETS,
)

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_s3_bucket": Permissions(
        read=(_READ,),
        write=(Grant(("s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging"), BUCKETS),),
    ),
    "aws_s3_bucket_acl": Permissions(read=(_READ,), write=(Grant(("s3:PutBucketAcl",), BUCKETS),)),
    "aws_s3_bucket_lifecycle_configuration": Permissions(
        read=(_READ,), write=(Grant(("s3:PutLifecycleConfiguration",), BUCKETS),)
    ),
    "aws_s3_bucket_ownership_controls": Permissions(
        read=(_READ,), write=(Grant(("s3:PutBucketOwnershipControls",), BUCKETS),)
    ),
    "aws_s3_bucket_policy": Permissions(
        read=(_READ,), write=(Grant(("s3:PutBucketPolicy", "s3:DeleteBucketPolicy"), BUCKETS),)
    ),
    "aws_s3_bucket_public_access_block": Permissions(
        read=(_READ,), write=(Grant(("s3:PutBucketPublicAccessBlock",), BUCKETS),)
    ),
    "aws_s3_bucket_server_side_encryption_configuration": Permissions(
        read=(_READ,), write=(Grant(("s3:PutEncryptionConfiguration",), BUCKETS),)
    ),
    "aws_s3_bucket_versioning": Permissions(read=(_READ,), write=(Grant(("s3:PutBucketVersioning",), BUCKETS),)),
    # The account's canonical user (the CDN log bucket's ACL owner): read from ListBuckets.
    "aws_canonical_user_id": Permissions(read=(Grant(("s3:ListAllMyBuckets",)),)),
}
