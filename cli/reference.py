"""`make reference`: regenerate docs/configuration-reference.md (every setting), the shipped-values
table of docs/configuration.md and the error-budget burn table of README.md from the schema and the
shipped files."""

from __future__ import annotations

from pathlib import Path

from cli.config_files import ENVIRONMENTS_DIR, load_account, load_environment
from cli.generated import rewrite_block
from cli.settings import ROOT
from environments import burn_table, reference, summary
from environments.names import ENVIRONMENT_NAMES

PAGE = ROOT / "docs" / "configuration-reference.md"
SUMMARY_PAGE = ROOT / "docs" / "configuration.md"
README = ROOT / "README.md"


def generated(directory: Path = ENVIRONMENTS_DIR) -> str:
    """The page's generated part, from the environment files in `directory`."""
    environments = {name: load_environment(name, directory) for name in ENVIRONMENT_NAMES}
    return reference.render(environments, load_account(directory))


def generated_summary(directory: Path = ENVIRONMENTS_DIR) -> str:
    """The shipped-values table of docs/configuration.md, from the environment files in `directory`."""
    return summary.render({name: load_environment(name, directory) for name in ENVIRONMENT_NAMES})


def generated_burn_table(directory: Path = ENVIRONMENTS_DIR) -> str:
    """The error-budget burn table of README.md, from the environment files in `directory`."""
    return burn_table.render({name: load_environment(name, directory) for name in ENVIRONMENT_NAMES})


def main(
    page: Path = PAGE, directory: Path = ENVIRONMENTS_DIR, summary_page: Path = SUMMARY_PAGE, readme: Path = README
) -> int:
    """Rewrite every generated part; say for each page whether it changed."""
    pages = [
        (page, reference.BEGIN, reference.END, generated(directory)),
        (summary_page, summary.BEGIN, summary.END, generated_summary(directory)),
        (readme, burn_table.BEGIN, burn_table.END, generated_burn_table(directory)),
    ]
    for path, begin, end, text in pages:
        if rewrite_block(path, begin, end, text):
            print(f"reference: rewrote {path.name} from environments/schema.py and the shipped files")
        else:
            print(f"reference: {path.name} is up to date")
    return 0
