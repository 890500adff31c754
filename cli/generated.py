"""Generated parts of hand-written pages: one way to replace the text between a page's markers."""

from __future__ import annotations

from pathlib import Path


def rewrite_block(page: Path, begin_marker: str, end_marker: str, block: str) -> bool:
    """Replace the page's block from `begin_marker` through `end_marker` with `block` (which carries
    both markers again); write only when it changed, and say whether it did."""
    text = page.read_text()
    begin, end = text.index(begin_marker), text.index(end_marker) + len(end_marker)
    updated = text[:begin] + block + text[end:]
    if updated != text:
        page.write_text(updated)
    return updated != text
