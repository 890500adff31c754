"""Names and tags come from one context."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from modules.core.label import Context


def _context(**overrides: str) -> Context:
    values = {"namespace": "matbakh", "environment": "dev", "service": "api", "cost_center": "platform"}
    return Context.model_validate({**values, **overrides})


def test_id_joins_namespace_environment_service_and_parts() -> None:
    assert _context().id("tfstate") == "matbakh-dev-api-tfstate"
    assert _context(environment="prod").id("alerts", "Key") == "matbakh-prod-api-alerts-key"


def test_long_ids_are_truncated_with_a_stable_hash() -> None:
    long_id = _context().id("a" * 80, max_length=40)
    assert len(long_id) == 40
    assert long_id == _context().id("a" * 80, max_length=40)
    assert long_id != _context().id("a" * 79 + "b", max_length=40)


def test_tags_carry_environment_service_managed_by_and_cost_center() -> None:
    assert _context(environment="staging").tags == {
        "Environment": "staging",
        "Service": "api",
        "ManagedBy": "autoscale-infra",
        "CostCenter": "platform",
    }


@pytest.mark.parametrize("bad", ["Matbakh", "1abc", "has space", "x" * 17])
def test_name_parts_are_lower_case_words(bad: str) -> None:
    with pytest.raises(ValidationError):
        _context(namespace=bad)
