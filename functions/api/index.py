"""The API's request handler, deployed to every routed function (`lambda.functions.<key>.code`).

It answers a function URL event (payload 2.0, as CloudFront forwards it) on the routes
configured for its function (`APP_ROUTES`, set by the stack): 404 off them, 405 for another
method on a routed path, and otherwise 200 with what the function is wired to (the stores it
finds in its environment, never a credential). The warm-up event of the scheduler returns at once.
"""

from __future__ import annotations

import fnmatch
import json
import os
from typing import Any

STORE_VARIABLES = {"database": "DATABASE_HOST", "cache": "CACHE_ENDPOINT"}


def routes() -> list[tuple[str, str]]:
    """`APP_ROUTES` (`GET /persona/*,PUT /persona/*`) as (method, path pattern) pairs."""
    pairs = []
    for route in filter(None, os.environ.get("APP_ROUTES", "").split(",")):
        method, _, path = route.partition(" ")
        pairs.append((method, path))
    return pairs


def respond(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store", **(headers or {})},
        "body": json.dumps(body, sort_keys=True),
    }


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    if event.get("warmup"):
        return {"warm": True}
    http = event.get("requestContext", {}).get("http", {})
    method, path = http.get("method", "GET"), event.get("rawPath", "/")
    matching = [m for m, pattern in routes() if fnmatch.fnmatchcase(path, pattern)]
    if not matching:
        return respond(404, {"error": f"no route for {path}"})
    if method not in matching and not (method == "HEAD" and "GET" in matching):
        return respond(405, {"error": f"{method} is not allowed on {path}"}, {"Allow": ", ".join(sorted(matching))})
    stores = sorted(store for store, variable in STORE_VARIABLES.items() if os.environ.get(variable))
    return respond(
        200,
        {
            "environment": os.environ.get("APP_ENVIRONMENT", ""),
            "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""),
            "route": f"{method} {path}",
            "stores": stores,
        },
    )
