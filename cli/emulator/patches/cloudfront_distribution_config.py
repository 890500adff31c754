"""moto's CloudFront distributions add default `ForwardedValues` and `SSLSupportMethod` and drop
origins' `OriginAccessControlId`: they echo the configuration as sent here.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any


def _cloudfront_distributions_echo_their_config() -> None:
    """moto 5.2.1's distributions answer with what they were not given and without what they were:
    a cache behavior with a cache policy gets default `ForwardedValues`, the default certificate
    an `SSLSupportMethod` of `sni-only`, and an origin loses its `OriginAccessControlId`; so every
    second plan updated the distribution. Here they echo the configuration as sent."""
    from moto.cloudfront.models import DefaultCacheBehaviour, Origin, ViewerCertificate

    behaviour_init = DefaultCacheBehaviour.__init__
    certificate_init = ViewerCertificate.__init__
    origin_init = Origin.__init__

    def behaviour(self: DefaultCacheBehaviour, config: dict[str, Any]) -> None:
        given = "ForwardedValues" in config
        behaviour_init(self, config)
        if not given:
            self.forwarded_values = None  # type: ignore[assignment]

    def certificate(self: ViewerCertificate, config: dict[str, Any]) -> None:
        certificate_init(self, config)
        if not config.get("SSLSupportMethod"):
            self.ssl_support_method = None

    def origin(self: Origin, config: dict[str, Any]) -> None:
        origin_init(self, config)
        self.__dict__["origin_access_control_id"] = config.get("OriginAccessControlId", "")

    DefaultCacheBehaviour.__init__ = behaviour  # type: ignore[method-assign]
    ViewerCertificate.__init__ = certificate  # type: ignore[method-assign]
    Origin.__init__ = origin  # type: ignore[method-assign,assignment]
