"""moto has no CloudFront monitoring subscriptions: they are kept in memory per distribution
(create, get, delete).

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any


def _fill_cloudfront_monitoring_subscriptions() -> None:
    """moto 5.2.1 has no CloudFront monitoring subscriptions (the additional distribution metrics):
    Create, Get and Delete answer here from memory, one per existing distribution."""
    from moto.cloudfront import urls
    from moto.cloudfront.exceptions import CloudFrontException, NoSuchDistribution
    from moto.cloudfront.responses import CloudFrontResponse
    from moto.core.responses import ActionResult, EmptyResult

    def store(self: CloudFrontResponse) -> dict[str, dict[str, Any]]:
        subscriptions: dict[str, dict[str, Any]] = self.backend.__dict__.setdefault("_autoscale_monitoring", {})
        for gone in set(subscriptions) - set(self.backend.distributions):
            del subscriptions[gone]  # went with its distribution
        return subscriptions

    def distribution_id(self: CloudFrontResponse) -> str:
        found: str = self._get_param("DistributionId")
        if found not in self.backend.distributions:
            raise NoSuchDistribution
        return found

    def find(self: CloudFrontResponse) -> dict[str, Any]:
        found = store(self).get(distribution_id(self))
        if found is None:
            raise CloudFrontException(
                "NoSuchMonitoringSubscription", "A monitoring subscription does not exist for the distribution."
            )
        return found

    def create_monitoring_subscription(self: CloudFrontResponse) -> ActionResult:
        subscription = self._get_param("MonitoringSubscription", {})
        store(self)[distribution_id(self)] = subscription
        return ActionResult({"MonitoringSubscription": subscription})

    def get_monitoring_subscription(self: CloudFrontResponse) -> ActionResult:
        return ActionResult({"MonitoringSubscription": find(self)})

    def delete_monitoring_subscription(self: CloudFrontResponse) -> EmptyResult:
        find(self)
        del store(self)[self._get_param("DistributionId")]
        return EmptyResult()

    urls.url_paths["{0}/2020-05-31/distributions/(?P<distribution_id>[^/]+)/monitoring-subscription/?$"] = (
        CloudFrontResponse.dispatch
    )
    for handler in (create_monitoring_subscription, get_monitoring_subscription, delete_monitoring_subscription):
        setattr(CloudFrontResponse, handler.__name__, handler)
