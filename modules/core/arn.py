"""Every ARN the modules write is built here: `arn:partition:service:region:account:resource`."""

from __future__ import annotations


def arn(partition: str, service: str, resource: str, *, region: str = "", account_id: str = "") -> str:
    """An ARN; a global service leaves `region` empty, S3 buckets and AWS-owned targets `account_id` too."""
    return f"arn:{partition}:{service}:{region}:{account_id}:{resource}"
