"""The per-environment cost report, Markdown and HTML, rendered with jinja2 (StrictUndefined)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

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
