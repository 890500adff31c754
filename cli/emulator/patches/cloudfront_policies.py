"""moto has no CloudFront cache, origin request or response headers policies: they are kept in
memory (create, get, get config, update, delete, list), enough for Terraform's lifecycle of one
and for a plan that looks for one by name.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

import datetime
from typing import Any

# CloudFront policies moto lacks: URL segment → API shape name (`CreateCachePolicy`, …).
CLOUDFRONT_POLICIES = {
    "cache-policy": "CachePolicy",
    "origin-request-policy": "OriginRequestPolicy",
    "response-headers-policy": "ResponseHeadersPolicy",
}


def _fill_cloudfront_policies() -> None:
    """moto 5.2.1 has no CloudFront cache, origin request or response headers policies: kept in memory,
    per account; the provider reads back exactly what it sent. Listed too (`List…Policies`, all of
    them `custom`), as `make plan` looks for orphans by name."""
    import uuid

    from moto.cloudfront import urls
    from moto.cloudfront.exceptions import CloudFrontException
    from moto.cloudfront.responses import CloudFrontResponse
    from moto.core.responses import ActionResult, EmptyResult

    def store(self: CloudFrontResponse, kind: str) -> dict[str, dict[str, Any]]:
        policies: dict[str, dict[str, dict[str, Any]]] = self.backend.__dict__.setdefault("_autoscale_policies", {})
        return policies.setdefault(kind, {})

    def find(self: CloudFrontResponse, kind: str) -> dict[str, Any]:
        policy_id = self._get_param("Id")
        if policy_id not in store(self, kind):
            raise CloudFrontException(f"NoSuch{kind}", f"The {kind} {policy_id} does not exist.")
        return store(self, kind)[policy_id]

    def handlers(segment: str, kind: str) -> dict[str, Any]:
        def answer(entry: dict[str, Any], **extra: Any) -> ActionResult:
            return ActionResult({kind: entry["policy"], "ETag": entry["etag"], **extra})

        def create(self: CloudFrontResponse) -> ActionResult:
            policy_id = str(uuid.uuid4())
            policy = {
                "Id": policy_id,
                "LastModifiedTime": datetime.datetime.now(datetime.UTC),
                f"{kind}Config": self._get_param(f"{kind}Config", {}),
            }
            entry = store(self, kind)[policy_id] = {"policy": policy, "etag": uuid.uuid4().hex}
            return answer(entry, Location=f"https://cloudfront.amazonaws.com/2020-05-31/{segment}/{policy_id}")

        def get(self: CloudFrontResponse) -> ActionResult:
            return answer(find(self, kind))

        def get_config(self: CloudFrontResponse) -> ActionResult:
            entry = find(self, kind)
            return ActionResult({f"{kind}Config": entry["policy"][f"{kind}Config"], "ETag": entry["etag"]})

        def update(self: CloudFrontResponse) -> ActionResult:
            entry = find(self, kind)
            entry["policy"][f"{kind}Config"] = self._get_param(f"{kind}Config", {})
            entry["policy"]["LastModifiedTime"] = datetime.datetime.now(datetime.UTC)
            entry["etag"] = uuid.uuid4().hex
            return answer(entry)

        def delete(self: CloudFrontResponse) -> EmptyResult:
            entry = find(self, kind)
            del store(self, kind)[entry["policy"]["Id"]]
            return EmptyResult()

        def listing(self: CloudFrontResponse) -> ActionResult:
            custom = self._get_param("Type") in (None, "", "custom")
            items = [{"Type": "custom", kind: e["policy"]} for e in store(self, kind).values()] if custom else []
            return ActionResult({f"{kind}List": {"MaxItems": 100, "Quantity": len(items), "Items": items}})

        snake = segment.replace("-", "_")
        return {
            f"list_{snake.removesuffix('policy')}policies": listing,
            f"create_{snake}": create,
            f"get_{snake}": get,
            f"get_{snake}_config": get_config,
            f"update_{snake}": update,
            f"delete_{snake}": delete,
        }

    for segment, kind in CLOUDFRONT_POLICIES.items():
        for path in ("", "/(?P<policy_id>[^/]+)", "/(?P<policy_id>[^/]+)/config"):
            urls.url_paths[f"{{0}}/2020-05-31/{segment}{path}$"] = CloudFrontResponse.dispatch
        for name, handler in handlers(segment, kind).items():
            setattr(CloudFrontResponse, name, handler)
