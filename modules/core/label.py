"""One context in (namespace, environment, service), one id and one tag set out.

Modelled on cloudposse's terraform-null-label: every name and every tag in a stack comes
from here, so two environments can never collide and cost reports can always group by tag.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

from pydantic import Field

from modules.core.base import StrictModel

MANAGED_BY = "autoscale-infra"

NamePart = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=16)]
"""A lower-case name segment: starts with a letter, then letters, digits and hyphens."""


class Context(StrictModel):
    """Who owns a resource; flows unchanged from the environment into every module."""

    namespace: NamePart = Field(description="Organisation or product prefix of every name.")
    environment: NamePart = Field(description="Environment name: dev, staging or prod.")
    service: NamePart = Field(description="The product or service the resources belong to.")
    cost_center: str = Field(
        min_length=1, max_length=64, description="Cost-allocation tag value for budgets and reports."
    )

    def id(self, *parts: str, max_length: int = 63) -> str:
        """`namespace-environment-service-part…`, lower-case; too long gets a short hash suffix."""
        raw = "-".join([self.namespace, self.environment, self.service, *parts])
        name = re.sub(r"[^a-z0-9-]+", "-", raw.lower()).strip("-")
        if len(name) <= max_length:
            return name
        digest = hashlib.sha256(name.encode()).hexdigest()[:6]
        return f"{name[: max_length - 7].rstrip('-')}-{digest}"

    @property
    def tags(self) -> dict[str, str]:
        """The tags every taggable resource carries (budgets filter on `Environment`)."""
        return {
            "Environment": self.environment,
            "Service": self.service,
            "ManagedBy": MANAGED_BY,
            "CostCenter": self.cost_center,
        }
