"""What the ElastiCache patches share (not a patch of its own, applied by those that need it).

moto's ElastiCache `ListTagsForResource` refuses the ARNs of the kinds it lacks: each patch that
fills one (parameter groups, user groups, serverless caches) serves its kind's tags from moto's
tag store with `_elasticache_tags_listed_for`. The store keys name where the patches keep what
moto lacks on its backend, and `_elasticache_fault` is an ElastiCache error with AWS's code.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations


def _elasticache_tags_listed_for(kind: str) -> None:
    """moto's ElastiCache `ListTagsForResource` refuses ARNs of the kinds it lacks (its ARN pattern
    has no `parametergroup`, `usergroup` or `serverlesscache`): serve `arn:…:<kind>:…` from moto's
    tag store, where the launcher's handlers keep their tags. Its add and remove take any ARN."""
    from moto.elasticache.models import ElastiCacheBackend

    list_tags = ElastiCacheBackend.list_tags_for_resource

    def list_tags_for_resource(self: ElastiCacheBackend, arn: str) -> dict[str, list[dict[str, str]]]:
        if f":{kind}:" in arn:
            tags: dict[str, list[dict[str, str]]] = self.tagging_service.list_tags_for_resource(arn)
            return tags
        return list_tags(self, arn)

    ElastiCacheBackend.list_tags_for_resource = list_tags_for_resource  # type: ignore[method-assign]


# Where the launcher keeps what moto lacks, on moto's ElastiCache backend (per account and region).
USER_GROUPS_STORE = "_autoscale_user_groups"
SERVERLESS_CACHES_STORE = "_autoscale_serverless_caches"


def _elasticache_fault(code: str, message: str) -> Exception:
    from moto.elasticache.exceptions import ElastiCacheException

    class Fault(ElastiCacheException):
        pass

    Fault.code = code
    return Fault(message)
