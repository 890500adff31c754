"""The report renders every section with StrictUndefined: a missing value is an error, never a blank."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from cli.config_files import load_environment
from cli.cost import report
from cli.cost.command import cost_of, table
from tests.cost.fixtures import PRICES, fixture_stack


def test_markdown_and_html_reports_render_the_cost_table_budget_slos_scaling_and_advice(tmp_path: Path) -> None:
    config = load_environment("dev")
    cost = cost_of(config, fixture_stack())
    written = report.write(tmp_path, config, cost.estimate, cost.advice, cost.unverified)
    markdown, html = (path.read_text() for path in written)
    assert [path.name for path in written] == ["cost-report.md", "cost-report.html"]
    for text in (markdown, html):
        assert "Cost report: dev" in text
        assert "aws_lambda_alias.api_live" in text and "aws_mystery_widget.widget" in text
        assert "500 ms" in text and "95 %" in text  # dev's SLOs
        assert "cron(0 8 ? * MON-FRI *) Europe/Berlin: min 3" in text
        assert "lower the provisioned-concurrency maximum" in text
        assert "not verified" in text
    budget = config.budget
    assert f"| {budget.soft_limit_eur:g} | {budget.burst_limit_eur:g} |" in markdown  # the budget
    assert '<td class="no">no</td>' in html  # the fixture does not fit dev's budget
    assert "NOT PRICED: aws_mystery_widget.widget (aws_mystery_widget)" in table(cost)


def test_a_template_naming_an_undefined_value_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken.md.j2").write_text("{{ no_such_value }}")
    monkeypatch.setattr(report, "TEMPLATES", tmp_path)
    config = load_environment("dev")
    cost = cost_of(config, fixture_stack())
    with pytest.raises(jinja2.UndefinedError):
        report.render("broken.md.j2", config, cost.estimate, cost.advice, cost.unverified)


def test_the_account_report_renders_the_total_and_what_each_free_tier_takes_off(tmp_path: Path) -> None:
    from tests.cost.test_account import _account

    account = _account()
    path = report.write_account(tmp_path, account, 100, PRICES.unverified())
    assert path == tmp_path / "account-estimate.json"
    markdown = (tmp_path / "account-report.md").read_text()
    html = (tmp_path / "account-report.html").read_text()
    for text in (markdown, html):
        assert "Cost report: the account" in text and "cloudfront_requests" in text
        assert f"{account.eur(account.total_ceiling_usd):.2f}" in text
        assert "account-bootstrap/aws_kms_key.state_key#rotation" in text
    assert "| dev (before free tiers) |" in markdown
