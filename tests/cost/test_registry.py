"""The pricers' registry keeps its rules: one pricer per type, lines only for declared types, and
whatever no pricer handles is free (per the price table) or NOT PRICED, never 0."""

from __future__ import annotations

import pytest

from cli.cost.lines import fixed
from cli.cost.pricers import REGISTRY, Context, Registry, RegistryError, pricer
from cli.cost.stack import index_stack
from environments.usage import UsageAssumptions
from tests.cost.fixtures import PRICES


def _stack() -> dict[str, object]:
    return {"resource": {"aws_kms_key": {"key": {}}, "aws_sns_topic": {"alerts": {}}, "aws_made_up": {"x": {}}}}


def test_a_type_priced_by_two_pricers_is_refused_when_the_registry_is_built() -> None:
    first = pricer("aws_kms_key")(lambda context: [])
    second = pricer("aws_kms_key", "aws_sns_topic")(lambda context: [])
    with pytest.raises(RegistryError, match="aws_kms_key is priced by both"):
        Registry([first, second])


def test_a_pricer_declares_at_least_one_type() -> None:
    with pytest.raises(RegistryError, match="at least one resource type"):
        pricer()


def test_a_line_for_a_type_the_pricer_did_not_declare_is_refused() -> None:
    stray = pricer("aws_kms_key")(lambda context: [fixed("aws_sns_topic.alerts", "sns", "x", 1, 1, "basis")])
    context = Context(index_stack(_stack()), PRICES, UsageAssumptions())
    with pytest.raises(RegistryError, match=r"priced aws_sns_topic\.alerts: not of its types"):
        stray(context)


def test_what_no_pricer_handles_is_free_or_not_priced() -> None:
    lines = Registry([]).price(index_stack(_stack()), PRICES, UsageAssumptions())
    assert ("aws_made_up.x", "aws_made_up") in lines.not_priced
    free = [kind for kind in ("aws_kms_key", "aws_sns_topic") if kind in PRICES.free]
    assert not [address for address, _ in lines.not_priced if address.split(".")[0] in free]


def test_the_shipped_registry_prices_each_type_once() -> None:
    claimed = [kind for one in REGISTRY for kind in one.types]
    assert len(claimed) == len(set(claimed)) == len(REGISTRY.supported_types()) > 15
    assert REGISTRY.pricer_for("aws_db_instance") is not None
