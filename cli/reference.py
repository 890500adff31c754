"""`make reference`: regenerate docs/configuration-reference.md from the schema and the shipped files."""

from __future__ import annotations

from pathlib import Path

from cli.config_files import ENVIRONMENTS_DIR, load_account, load_environment
from cli.settings import ROOT
from environments import reference
from environments.names import ENVIRONMENT_NAMES

PAGE = ROOT / "docs" / "configuration-reference.md"


def generated(directory: Path = ENVIRONMENTS_DIR) -> str:
    """The page's generated part, from the environment files in `directory`."""
    environments = {name: load_environment(name, directory) for name in ENVIRONMENT_NAMES}
    return reference.render(environments, load_account(directory))


def main(page: Path = PAGE, directory: Path = ENVIRONMENTS_DIR) -> int:
    """Rewrite the page between its markers; say whether it changed."""
    text = page.read_text()
    begin, end = text.index(reference.BEGIN), text.index(reference.END) + len(reference.END)
    updated = text[:begin] + generated(directory) + text[end:]
    if updated == text:
        print(f"reference: {page.name} is up to date")
        return 0
    page.write_text(updated)
    print(f"reference: rewrote {page.name} from environments/schema.py and the shipped files")
    return 0
