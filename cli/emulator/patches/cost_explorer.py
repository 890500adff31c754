"""moto's Cost Explorer has no anomaly monitors, no anomaly subscriptions and no cost-allocation
tags: they are kept in memory per account (create, get, update, delete, tags; tag statuses
updated and listed), with AWS's ARNs and errors, one DIMENSIONAL SERVICE monitor per account.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

# Cost Explorer names its anomaly resources `arn:aws:ce::<account>:<kind>/<uuid>`.
ANOMALY_MONITOR_KIND = "anomalymonitor"
ANOMALY_SUBSCRIPTION_KIND = "anomalysubscription"
SUBSCRIPTION_FREQUENCIES = frozenset({"DAILY", "IMMEDIATE", "WEEKLY"})
SUBSCRIBER_TYPES = frozenset({"EMAIL", "SNS"})
COST_ALLOCATION_TAG_STATUSES = frozenset({"Active", "Inactive"})
COST_ALLOCATION_TAGS_PER_UPDATE = 20
"""At most this many keys per `UpdateCostAllocationTagsStatus`, as on AWS."""


def _cost_explorer_error(code: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _cost_explorer_request(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(response.body or "{}")
    return body


def _cost_explorer_store(response: Any, kind: str) -> dict[str, dict[str, Any]]:
    """What the launcher keeps of `kind` in the account's Cost Explorer backend, in creation order."""
    stored: dict[str, dict[str, dict[str, Any]]] = response.ce_backend.__dict__.setdefault("_autoscale_ce", {})
    return stored.setdefault(kind, {})


def _cost_explorer_page(items: list[dict[str, Any]], request: dict[str, Any], token: str) -> dict[str, Any]:
    """One page of `items`: `MaxResults` of them from the offset `NextPageToken` (or `NextToken`) names."""
    start = int(request.get(token) or 0)
    size = int(request.get("MaxResults") or 100)
    page: dict[str, Any] = {"items": items[start : start + size]}
    if start + size < len(items):
        page[token] = str(start + size)
    return page


def _cost_explorer_today() -> str:
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def _fill_anomaly_monitors() -> None:
    """moto 5.2.1's Cost Explorer has cost categories and tags but no anomaly monitors: Create,
    Get, Update and Delete answer here from memory, per account; tags live in moto's CE tag store.

    As on AWS: the ARN is `arn:aws:ce::<account>:anomalymonitor/<uuid>`; a DIMENSIONAL monitor
    needs a dimension and a CUSTOM one a specification (echoed as sent); an account holds one
    DIMENSIONAL SERVICE monitor (a second is a `ValidationException`, "Limit exceeded on
    dimensional spend monitor creation"); an unknown ARN is an `UnknownMonitorException`.
    """
    import uuid

    from moto.ce.responses import CostExplorerResponse

    def find(self: CostExplorerResponse, arn: str) -> dict[str, Any]:
        found = _cost_explorer_store(self, ANOMALY_MONITOR_KIND).get(arn)
        if found is None:
            raise _cost_explorer_error("UnknownMonitorException", f"Cost anomaly monitor {arn} does not exist.")
        return found

    def create_anomaly_monitor(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        given: dict[str, Any] = request.get("AnomalyMonitor") or {}
        monitors = _cost_explorer_store(self, ANOMALY_MONITOR_KIND)
        kind, dimension = given.get("MonitorType"), given.get("MonitorDimension")
        if not given.get("MonitorName") or kind not in ("DIMENSIONAL", "CUSTOM"):
            raise _cost_explorer_error("ValidationException", "A monitor needs a MonitorName and a MonitorType.")
        if kind == "DIMENSIONAL" and not dimension:
            raise _cost_explorer_error("ValidationException", "A DIMENSIONAL monitor needs a MonitorDimension.")
        if kind == "CUSTOM" and not given.get("MonitorSpecification"):
            raise _cost_explorer_error("ValidationException", "A CUSTOM monitor needs a MonitorSpecification.")
        if dimension == "SERVICE" and any(m.get("MonitorDimension") == "SERVICE" for m in monitors.values()):
            raise _cost_explorer_error("ValidationException", "Limit exceeded on dimensional spend monitor creation")
        arn = f"arn:aws:ce::{self.current_account}:{ANOMALY_MONITOR_KIND}/{uuid.uuid4()}"
        today = _cost_explorer_today()
        monitor = {
            "MonitorArn": arn,
            "MonitorName": given["MonitorName"],
            "MonitorType": kind,
            "CreationDate": today,
            "LastUpdatedDate": today,
        }
        if kind == "DIMENSIONAL":
            monitor["MonitorDimension"] = dimension
        else:
            monitor["MonitorSpecification"] = given["MonitorSpecification"]
        monitors[arn] = monitor
        self.ce_backend.tag_resource(arn, request.get("ResourceTags") or [])
        return json.dumps({"MonitorArn": arn})

    def get_anomaly_monitors(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        wanted = request.get("MonitorArnList") or []
        everything = _cost_explorer_store(self, ANOMALY_MONITOR_KIND).values()
        monitors = [find(self, arn) for arn in wanted] if wanted else list(everything)
        page = _cost_explorer_page(monitors, request, "NextPageToken")
        return json.dumps({"AnomalyMonitors": page.pop("items"), **page})

    def update_anomaly_monitor(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        monitor = find(self, request.get("MonitorArn", ""))
        if request.get("MonitorName"):
            monitor["MonitorName"] = request["MonitorName"]
        monitor["LastUpdatedDate"] = _cost_explorer_today()
        return json.dumps({"MonitorArn": monitor["MonitorArn"]})

    def delete_anomaly_monitor(self: CostExplorerResponse) -> str:
        monitor = find(self, _cost_explorer_request(self).get("MonitorArn", ""))
        del _cost_explorer_store(self, ANOMALY_MONITOR_KIND)[monitor["MonitorArn"]]
        self.ce_backend.tagger.delete_all_tags_for_resource(monitor["MonitorArn"])
        return "{}"

    for handler in (create_anomaly_monitor, get_anomaly_monitors, update_anomaly_monitor, delete_anomaly_monitor):
        setattr(CostExplorerResponse, handler.__name__, handler)


def _fill_anomaly_subscriptions() -> None:
    """moto 5.2.1's Cost Explorer has no anomaly subscriptions: Create, Get, Update and Delete
    answer here from memory, per account; tags live in moto's CE tag store.

    As on AWS: the ARN is `arn:aws:ce::<account>:anomalysubscription/<uuid>`; its monitors must
    exist (`UnknownMonitorException`); the frequency is DAILY, IMMEDIATE or WEEKLY, and an SNS
    subscriber takes IMMEDIATE only; the account id defaults to the caller's; an unknown ARN is an
    `UnknownSubscriptionException`. Call after `_fill_anomaly_monitors` (whose monitors it checks).
    """
    import uuid

    from moto.ce.responses import CostExplorerResponse

    def find(self: CostExplorerResponse, arn: str) -> dict[str, Any]:
        found = _cost_explorer_store(self, ANOMALY_SUBSCRIPTION_KIND).get(arn)
        if found is None:
            raise _cost_explorer_error(
                "UnknownSubscriptionException", f"Cost anomaly subscription {arn} does not exist."
            )
        return found

    def check(self: CostExplorerResponse, subscription: dict[str, Any]) -> None:
        monitors = _cost_explorer_store(self, ANOMALY_MONITOR_KIND)
        for arn in subscription.get("MonitorArnList") or []:
            if arn not in monitors:
                raise _cost_explorer_error("UnknownMonitorException", f"Cost anomaly monitor {arn} does not exist.")
        if not subscription.get("MonitorArnList") or not subscription.get("SubscriptionName"):
            raise _cost_explorer_error("ValidationException", "A subscription needs a name and monitors.")
        if subscription.get("Frequency") not in SUBSCRIPTION_FREQUENCIES:
            raise _cost_explorer_error(
                "ValidationException", f"Frequency must be one of {', '.join(sorted(SUBSCRIPTION_FREQUENCIES))}."
            )
        subscribers = subscription.get("Subscribers") or []
        if not subscribers or any(s.get("Type") not in SUBSCRIBER_TYPES for s in subscribers):
            raise _cost_explorer_error("ValidationException", "Subscribers must be of type EMAIL or SNS.")
        if subscription["Frequency"] != "IMMEDIATE" and any(s["Type"] == "SNS" for s in subscribers):
            raise _cost_explorer_error("ValidationException", "SNS subscribers take the frequency IMMEDIATE only.")
        if subscription.get("Threshold") is None and not subscription.get("ThresholdExpression"):
            raise _cost_explorer_error("ValidationException", "A subscription needs a ThresholdExpression.")

    def create_anomaly_subscription(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        given: dict[str, Any] = request.get("AnomalySubscription") or {}
        arn = f"arn:aws:ce::{self.current_account}:{ANOMALY_SUBSCRIPTION_KIND}/{uuid.uuid4()}"
        subscription = {**given, "SubscriptionArn": arn, "AccountId": given.get("AccountId") or self.current_account}
        check(self, subscription)
        _cost_explorer_store(self, ANOMALY_SUBSCRIPTION_KIND)[arn] = subscription
        self.ce_backend.tag_resource(arn, request.get("ResourceTags") or [])
        return json.dumps({"SubscriptionArn": arn})

    def get_anomaly_subscriptions(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        wanted = request.get("SubscriptionArnList") or []
        everything = _cost_explorer_store(self, ANOMALY_SUBSCRIPTION_KIND).values()
        subscriptions = [find(self, arn) for arn in wanted] if wanted else list(everything)
        if request.get("MonitorArn"):
            subscriptions = [s for s in subscriptions if request["MonitorArn"] in s["MonitorArnList"]]
        page = _cost_explorer_page(subscriptions, request, "NextPageToken")
        return json.dumps({"AnomalySubscriptions": page.pop("items"), **page})

    def update_anomaly_subscription(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        subscription = find(self, request.get("SubscriptionArn", ""))
        fields = ("Threshold", "Frequency", "MonitorArnList", "Subscribers", "SubscriptionName", "ThresholdExpression")
        updated = {**subscription, **{key: request[key] for key in fields if request.get(key) is not None}}
        check(self, updated)
        subscription.update(updated)
        return json.dumps({"SubscriptionArn": subscription["SubscriptionArn"]})

    def delete_anomaly_subscription(self: CostExplorerResponse) -> str:
        subscription = find(self, _cost_explorer_request(self).get("SubscriptionArn", ""))
        del _cost_explorer_store(self, ANOMALY_SUBSCRIPTION_KIND)[subscription["SubscriptionArn"]]
        self.ce_backend.tagger.delete_all_tags_for_resource(subscription["SubscriptionArn"])
        return "{}"

    for handler in (
        create_anomaly_subscription,
        get_anomaly_subscriptions,
        update_anomaly_subscription,
        delete_anomaly_subscription,
    ):
        setattr(CostExplorerResponse, handler.__name__, handler)


def _fill_cost_allocation_tags() -> None:
    """moto 5.2.1's Cost Explorer has no cost-allocation tags: `UpdateCostAllocationTagsStatus`
    and `ListCostAllocationTags` answer here from memory, per account. A key whose status was
    set is listed with it (`Active` or `Inactive`, `AWSGenerated` if it starts with `aws:`, else
    `UserDefined`), filtered by keys, status and type as on AWS; at most 20 keys per update.

    Fidelity limit: AWS knows a key only once it has appeared on a resource (up to a day after),
    and refuses others; the emulator accepts every key."""
    from moto.ce.responses import CostExplorerResponse

    def update_cost_allocation_tags_status(self: CostExplorerResponse) -> str:
        entries = _cost_explorer_request(self).get("CostAllocationTagsStatus") or []
        if not 1 <= len(entries) <= COST_ALLOCATION_TAGS_PER_UPDATE:
            raise _cost_explorer_error(
                "ValidationException", f"Give 1 to {COST_ALLOCATION_TAGS_PER_UPDATE} cost allocation tag statuses."
            )
        for entry in entries:
            if not entry.get("TagKey") or entry.get("Status") not in COST_ALLOCATION_TAG_STATUSES:
                raise _cost_explorer_error(
                    "ValidationException", "Each entry needs a TagKey and a Status of Active or Inactive."
                )
        tags = _cost_explorer_store(self, "costallocationtag")
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for entry in entries:
            key = entry["TagKey"]
            tags[key] = {
                "TagKey": key,
                "Type": "AWSGenerated" if key.startswith("aws:") else "UserDefined",
                "Status": entry["Status"],
                "LastUpdatedDate": now,
            }
        return json.dumps({"Errors": []})

    def list_cost_allocation_tags(self: CostExplorerResponse) -> str:
        request = _cost_explorer_request(self)
        keys = request.get("TagKeys")
        tags = [
            tag
            for tag in _cost_explorer_store(self, "costallocationtag").values()
            if (not keys or tag["TagKey"] in keys)
            and request.get("Status") in (None, tag["Status"])
            and request.get("Type") in (None, tag["Type"])
        ]
        page = _cost_explorer_page(tags, request, "NextToken")
        return json.dumps({"CostAllocationTags": page.pop("items"), **page})

    for handler in (update_cost_allocation_tags_status, list_cost_allocation_tags):
        setattr(CostExplorerResponse, handler.__name__, handler)
