"""The per-environment cost report and the account report, Markdown and HTML, rendered with jinja2
(StrictUndefined)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from cli.cost.account import AccountEstimate
from cli.cost.estimate import Estimate
from cli.cost.recommend import Advice

if TYPE_CHECKING:
    from environments.schema import EnvironmentConfig

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _environment(autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
    )


def render(template: str, config: EnvironmentConfig, estimate: Estimate, advice: Advice, unverified: list[str]) -> str:
    """`report.md.j2` or `report.html.j2` filled in; an undefined name is an error, never blank."""
    floor, ceiling = estimate.resting_on(set(unverified))
    return (
        _environment(autoescape=template.endswith(".html.j2"))
        .get_template(template)
        .render(
            environment=config.name,
            estimate=estimate,
            advice=advice,
            budget=config.budget,
            slo=config.slo,
            floor_eur=estimate.eur(estimate.total_floor_usd),
            ceiling_eur=estimate.eur(estimate.total_ceiling_usd),
            unverified=unverified,
            unverified_floor_eur=estimate.eur(floor),
            unverified_ceiling_eur=estimate.eur(ceiling),
        )
    )


def write(
    directory: Path, config: EnvironmentConfig, estimate: Estimate, advice: Advice, unverified: list[str]
) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for template, name in (("report.md.j2", "cost-report.md"), ("report.html.j2", "cost-report.html")):
        path = directory / name
        path.write_text(render(template, config, estimate, advice, unverified))
        written.append(path)
    return written


ACCOUNT_ESTIMATE_FILE = "account-estimate.json"


def write_account(directory: Path, account: AccountEstimate, budget_eur: float, unverified: list[str]) -> Path:
    """The account total's JSON and its Markdown and HTML report into `directory`; returns the JSON's path."""
    import json

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ACCOUNT_ESTIMATE_FILE
    path.write_text(json.dumps(account.summary_json(), indent=2) + "\n")
    names = set(unverified)
    resting = sum(e.resting_on(names)[1] for e in (account.own, *account.environments))
    for template, name in (("account.md.j2", "account-report.md"), ("account.html.j2", "account-report.html")):
        text = (
            _environment(autoescape=template.endswith(".html.j2"))
            .get_template(template)
            .render(
                account=account,
                budget_eur=budget_eur,
                unverified=unverified,
                unverified_eur=account.eur(resting),
            )
        )
        (directory / name).write_text(text)
    return path
