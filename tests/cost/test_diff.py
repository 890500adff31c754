"""`make cost-diff BASE=<ref>`: each environment's floor and ceiling before and after a change, and
the resources that moved them; the delta of a fixture change equals a hand computation."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from cli.cost import diff
from cli.cost.estimate import Estimate, Item
from cli.cost.prices import load_exchange_rate, load_price_table
from tests.conftest import REPO, run
from tests.integration.conftest import commit_everything, make_ready_repository

FUNCTIONS = ("persona", "vc-start", "vc-result", "auth", "upload")


def _estimate(*items: Item, usage: tuple[Item, ...] = ()) -> Estimate:
    return Estimate(
        environment="prod",
        region="eu-central-1",
        prices_version=1,
        prices_date="2026-11-01",
        usd_per_eur=2.0,  # halves every USD figure: the EUR conversion shows
        usd_per_eur_date="2026-07",
        items=items,
        usage=usage,
        not_priced=(),
        free=(),
        scaling=(),
    )


def _item(address: str, floor: float, ceiling: float, feature: str = "Cache nodes") -> Item:
    return Item(address, "elasticache", feature, floor, ceiling, "basis")


def test_compare_lists_what_was_added_removed_and_changed_largest_first() -> None:
    kept = _item("aws_kms_key.k", 2.0, 2.0, "KMS keys")
    before = _estimate(_item("aws_db_instance.db", 40.0, 40.0, "Database instance"), _item("a.cache", 10.0, 20.0), kept)
    after = _estimate(
        _item("a.cache", 10.0, 60.0),
        _item("aws_wafv2_web_acl.w", 8.0, 8.0, "WAF"),
        replace(kept, floor_usd=2.004, ceiling_usd=2.004),  # a rounding, not a move
        usage=(_item("a.cache", 1.0, 1.0),),  # the same feature's usage part adds to its line
    )
    result = diff.compare("prod", before, after)
    assert result.before == diff.Range(26.0, 31.0)
    assert (result.after.floor, result.after.ceiling) == pytest.approx((10.502, 35.502))  # (5 + 4 + 1.002 + 0.5, …)
    assert [(line.address, line.delta) for line in result.moved] == [
        ("a.cache", diff.Range(0.5, 20.5)),
        ("aws_db_instance.db", diff.Range(-20.0, -20.0)),
        ("aws_wafv2_web_acl.w", diff.Range(4.0, 4.0)),
    ]
    text = diff.render_text([result], base="main (0123abcd)")
    assert "  prod: floor 26.00 → 10.50 (-15.50), ceiling 31.00 → 35.50 (+4.50)" in text
    assert "    removed aws_db_instance.db (Database instance): floor -20.00, ceiling -20.00" in text
    assert "    changed a.cache (Cache nodes): floor +0.50, ceiling +20.50" in text
    assert "    added   aws_wafv2_web_acl.w (WAF): floor +4.00, ceiling +4.00" in text
    assert "aws_kms_key.k" not in text
    markdown = diff.render_markdown([result], base="main (0123abcd)")
    assert "| prod | 26.00 | 10.50 | -15.50 | 31.00 | 35.50 | +4.50 |" in markdown
    assert "| `aws_wafv2_web_acl.w` | WAF | added | +4.00 | +4.00 |" in markdown


def test_a_new_environment_and_an_unchanged_one() -> None:
    new = diff.compare("dev", None, _estimate(_item("a.cache", 10.0, 10.0)))
    assert new.before == diff.NOTHING and [line.delta for line in new.moved] == [diff.Range(5.0, 5.0)]
    same = diff.compare("staging", _estimate(_item("a.cache", 10.0, 10.0)), _estimate(_item("a.cache", 10.0, 10.0)))
    assert same.moved == () and "  staging: no change (floor 5.00, ceiling 5.00)" in diff.render_text([same], base="x")


def test_make_cost_diff_prints_the_delta_of_raising_prods_provisioned_concurrency(tmp_path: Path) -> None:
    bench = make_ready_repository(tmp_path)
    root = bench.root
    commit_everything(bench, "base")
    with (root / "environments" / "prod.yaml").open("a") as prod:
        prod.write("lambda:\n  provisioned_concurrency: {min: 2, max: 30}\n")  # the default maximum is 20

    variables = {k: v for k, v in bench.env.items() if k != "ENV"}
    keep = ["-o", ".venv/.installed", "-o", ".venv-checkov/.installed", "-o", ".cache/jsii/.warm"]
    made = run(
        ["make", "--no-print-directory", *keep, "cost-diff", "BASE=HEAD", "ENV=prod"],
        cwd=root,
        env=variables,
        inherit=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr

    # By hand: 10 more units on each function's alias, around the clock, at its memory and architecture.
    stack = json.loads((root / "cdktf.out" / "stacks" / "prod" / "cdk.tf.json").read_text())
    prices, rate = load_price_table("eu-central-1"), load_exchange_rate()
    functions = [
        f
        for f in stack["resource"]["aws_lambda_function"].values()
        if f["function_name"].startswith("matbakh-prod-api-")
    ]
    assert len(functions) == len(FUNCTIONS)
    delta_usd = sum(
        10
        * f["memory_size"]
        / 1024
        * prices.hours_per_month
        * 3600
        * prices.lambda_.provisioned_concurrency_gb_second.of(f["architectures"][0]).usd
        for f in functions
    )
    found = re.search(
        r"  prod: floor ([\d.]+) → ([\d.]+) \(\+0\.00\), ceiling ([\d.]+) → ([\d.]+) \(\+([\d.]+)\)", made.stdout
    )
    assert found, made.stdout
    assert found.group(1) == found.group(2)  # the minimum did not change
    assert float(found.group(5)) == pytest.approx(delta_usd / rate.usd_per_eur, abs=0.006)
    shipped = re.search(r"from 20 to 30 adds ~(\d+) EUR to its\s+ceiling", (REPO / "docs" / "cost.md").read_text())
    assert shipped and int(shipped.group(1)) == round(delta_usd / rate.usd_per_eur)  # the figure docs/cost.md gives
    aliases = re.findall(
        r"changed aws_lambda_alias\.(\S+) \(Lambda provisioned concurrency\): floor \+0\.00", made.stdout
    )
    assert len(aliases) == len(FUNCTIONS)
    assert "dev:" not in made.stdout  # ENV=prod only
    markdown = (root / ".work" / "cost" / "diff.md").read_text()
    assert markdown.startswith("### Cost diff against `HEAD (")
    assert f"| +{found.group(5)} |" in markdown

    missing = run(["make", "--no-print-directory", *keep, "cost-diff"], cwd=root, env=variables, inherit=False)
    assert missing.returncode == 2
    assert "error: name the base revision: make cost-diff BASE=<git ref> (e.g. origin/main)" in missing.stderr
    unknown = run(
        ["make", "--no-print-directory", *keep, "cost-diff", "BASE=no-such-ref"], cwd=root, env=variables, inherit=False
    )
    assert unknown.returncode == 2 and "'no-such-ref' is not a commit of this repository" in unknown.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr
