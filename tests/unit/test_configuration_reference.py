"""docs/configuration-reference.md is generated from the schema and the shipped files, and stays so."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field

from cli import reference as command
from cli.config_files import ENVIRONMENTS_DIR, load_account, load_environment
from environments import burn_table, reference, summary
from environments.names import ENVIRONMENT_NAMES
from modules.core.base import StrictModel
from tests.conftest import REPO, copy_repository, run

PAGE = REPO / "docs" / "configuration-reference.md"
SUMMARY_PAGE = REPO / "docs" / "configuration.md"


def _rows(text: str) -> dict[str, list[str]]:
    """Each table row by its setting (the first table it appears in: the environments')."""
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            rows.setdefault(cells[0].strip("`"), cells)
    return rows


def test_the_shipped_page_is_what_the_schema_and_files_generate() -> None:
    text = PAGE.read_text()
    begin, end = text.index(reference.BEGIN), text.index(reference.END) + len(reference.END)
    assert text[begin:end] == command.generated(), "stale: run `make reference`"


def test_each_row_shows_each_files_value_and_the_unit_its_name_carries() -> None:
    rows = _rows(command.generated())
    configs = [load_environment(name) for name in ENVIRONMENT_NAMES]
    _, type_text, unit, default, *values, _description = rows["rds.cpu_alarm_threshold_percent"]
    assert unit == "%" and type_text.startswith(("integer", "number")), type_text
    assert values == [str(config.rds.cpu_alarm_threshold_percent) for config in configs]
    assert default == values[-1]  # prod.yaml is empty: its values are the defaults
    assert rows["network.cidr_block"][4:7] == [config.network.cidr_block for config in configs]
    assert rows["lambda.functions.<name>.timeout_seconds"][2] == "s"
    assert rows["lambda.functions.<name>.memory_mb"][2] == "MB"
    # A window's `days` is weekdays, not a unit.
    assert rows["lambda.schedule.windows.<name>.days"][2] == ""
    # A route is written as one string, and shown so.
    routes = rows["lambda.functions.<name>.routes"]
    assert routes[1] == "list of `METHOD /path`" and "vc-start: [POST /vc/start]" in routes[4]


def test_every_setting_of_the_schema_is_a_row_with_a_description() -> None:
    rows = _rows(command.generated())
    assert len(rows) > 150
    assert all(cells[-1] for cells in rows.values())
    # A block that one file leaves null reads "—" there, and its settings are still listed.
    assert {"elasticache.serverless.max_data_storage_gb", "network.existing.vpc_id", "account_id"} <= set(rows)


def test_an_edited_file_changes_its_column_only(tmp_path: Path) -> None:
    directory = tmp_path / "environments"
    shutil.copytree(ENVIRONMENTS_DIR, directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (directory / "staging.yaml").write_text((directory / "staging.yaml").read_text() + "cost_center: growth\n")
    before, after = _rows(command.generated()), _rows(command.generated(directory))
    assert after["cost_center"][5] == "growth" and before["cost_center"][5] != "growth"
    assert (
        after["cost_center"][3:5] == before["cost_center"][3:5] and after["cost_center"][6] == before["cost_center"][6]
    )
    assert {key: cells for key, cells in after.items() if key != "cost_center"} == {
        key: cells for key, cells in before.items() if key != "cost_center"
    }


def test_the_command_rewrites_a_stale_page_between_its_markers_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page, summary_page, readme = tmp_path / "reference.md", tmp_path / "configuration.md", tmp_path / "README.md"
    page.write_text(f"# kept\n\n{reference.BEGIN}\n| `old` | row |\n{reference.END}\nkept too\n")
    summary_page.write_text(f"# kept\n\n{summary.BEGIN}\n| old | row |\n{summary.END}\nkept too\n")
    readme.write_text(f"# kept\n\n{burn_table.BEGIN}\n| old | row |\n{burn_table.END}\nkept too\n")
    pages = (page, summary_page, readme)
    assert command.main(page, summary_page=summary_page, readme=readme) == 0
    assert capsys.readouterr().out.count("rewrote") == 3
    for path in pages:
        text = path.read_text()
        assert text.startswith("# kept\n\n") and text.endswith("\nkept too\n") and "| old" not in text
    texts = [path.read_text() for path in pages]
    assert command.main(page, summary_page=summary_page, readme=readme) == 0
    assert capsys.readouterr().out.count("is up to date") == 3
    assert [path.read_text() for path in pages] == texts


def test_types_read_as_a_yaml_author_writes_them() -> None:
    class Example(StrictModel):
        """An example."""

        size_gib: int = Field(default=20, ge=20, le=100, description="Size.")
        mode: Literal["a", "b"] | None = Field(default=None, description="Mode.")
        names: tuple[str, ...] = Field(default=(), max_length=3, description="Names.")

    fields = Example.model_fields
    assert reference.type_name(fields["size_gib"].annotation, fields["size_gib"].metadata) == "integer (≥ 20, ≤ 100)"
    assert reference.type_name(fields["mode"].annotation) == "one of: a, b or null"
    assert reference.type_name(fields["names"].annotation, fields["names"].metadata) == "list of text (at most 3 items)"
    (size,) = [s for s in reference.settings(Example, [Example(), Example(size_gib=30)]) if s.path == "size_gib"]
    assert size.unit == "GiB" and size.values == ("20", "30")


def test_a_setting_without_a_description_is_refused_by_name() -> None:
    class Undocumented(StrictModel):
        """Lacks a description."""

        size: int = 1

    with pytest.raises(ValueError, match="Undocumented: a field has no description"):
        list(reference.settings(Undocumented, [Undocumented()]))


def test_the_account_file_has_its_own_table() -> None:
    text = command.generated()
    account_part = text.split("## `environments/account.yaml`", 1)[1]
    rows = _rows(account_part)
    assert rows["budget.total_limit_eur"][4] == str(load_account().budget.total_limit_eur)


def test_make_reference_rewrites_a_stale_page_of_a_copy(tmp_path: Path) -> None:
    root = copy_repository(tmp_path / "repo")
    (root / ".venv").symlink_to(REPO / ".venv")  # installed by this run's `make setup`
    (root / ".venv-checkov").symlink_to(REPO / ".venv-checkov")
    (root / ".cache" / "jsii").mkdir(parents=True)
    (root / ".cache" / "jsii" / ".warm").touch()  # setup's last step, done
    page = root / "docs" / "configuration-reference.md"  # the copy holds no docs but these pages
    page.parent.mkdir()
    shutil.copy2(PAGE, page)
    shutil.copy2(SUMMARY_PAGE, root / "docs" / "configuration.md")
    shipped = page.read_text()
    (root / "environments" / "dev.yaml").write_text(
        (root / "environments" / "dev.yaml").read_text() + "cost_center: growth\n"
    )
    updated = run(["make", "reference"], cwd=root)
    assert updated.returncode == 0, updated.stderr
    assert "reference: rewrote configuration-reference.md" in updated.stdout
    assert page.read_text() != shipped and "| growth |" in page.read_text()
    assert "reference: configuration.md is up to date" in updated.stdout  # cost_center is not in the table
    assert "is up to date" in run(["make", "reference"], cwd=root).stdout


def test_the_shipped_values_table_is_what_the_files_generate() -> None:
    text = SUMMARY_PAGE.read_text()
    begin, end = text.index(summary.BEGIN), text.index(summary.END) + len(summary.END)
    assert text[begin:end] == command.generated_summary(), "stale: run `make reference`"


def test_the_shipped_values_table_reads_each_files_values() -> None:
    rows = {line.split(" | ")[0].strip("| "): line for line in command.generated_summary().splitlines()[3:-1]}
    assert list(rows) == list(ENVIRONMENT_NAMES)
    for name in ENVIRONMENT_NAMES:
        config = load_environment(name)
        cells = [cell.strip() for cell in rows[name].strip("|").split(" | ")]
        assert cells[2] == config.network.cidr_block
        assert cells[4].startswith(f"`{config.rds.instance_class}` ")
        assert f"CPU alarm {config.rds.cpu_alarm_threshold_percent:g} %" in cells[4]
        assert cells[6] == f"{config.budget.soft_limit_eur:g} / {config.budget.burst_limit_eur:g}"
        assert cells[7].startswith(f"{config.slo.latency_p95_ms:g} ms / ")
    # Provisioned concurrency reads as configured: dev has none (min 0 and no window), prod raises its floor.
    assert "| none (0–2, min 0 without windows) |" in rows["dev"]
    assert "| 2–20; min 5 MON-FRI 07:00–20:00 Europe/Berlin |" in rows["prod"]
    assert "at most 0 outside" in rows["staging"]


def test_an_edited_file_changes_the_shipped_values_table(tmp_path: Path) -> None:
    directory = tmp_path / "environments"
    shutil.copytree(ENVIRONMENTS_DIR, directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    staging = directory / "staging.yaml"
    staging.write_text(staging.read_text().replace("soft_limit_eur: 50", "soft_limit_eur: 45"))
    assert "| 45 / 50 |" in command.generated_summary(directory)
    assert "| 45 / 50 |" not in command.generated_summary()


def test_the_readmes_burn_table_is_what_the_slos_and_tiers_generate() -> None:
    text = (REPO / "README.md").read_text()
    begin = text.index(burn_table.BEGIN)
    end = text.index(burn_table.END) + len(burn_table.END)
    assert text[begin:end] == command.generated_burn_table(), "stale: run `make reference`"
    assert len(text.splitlines()) <= 200  # the README stays short; beyond it the table moves to docs/


def test_the_burn_table_follows_an_edited_slo(tmp_path: Path) -> None:
    directory = tmp_path / "environments"
    shutil.copytree(ENVIRONMENTS_DIR, directory)
    prod = directory / "prod.yaml"
    prod.write_text(prod.read_text() + "slo: {error_rate_percent: 2, availability_percent: 99}\n")
    rows = [line for line in command.generated_burn_table(directory).splitlines() if line.startswith("| prod")]
    # 14.4 × the stricter 1 % unavailability budget: 14.4 % errors or 85.6 % availability page in an hour.
    assert rows[0].startswith("| prod (2 % / 99 %) | page 14.4 × (page-fast) | 14.4 % | 85.6 % | 1 h |")
