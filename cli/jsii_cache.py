"""The project's jsii package cache, with the AWS bindings' JavaScript entry made lazy.

The jsii kernel `require`s `@cdktf/provider-aws/lib/index.js`, which eagerly `require`s all
~2,100 resource modules (~1.2–2.3 s on every run). In the project's own package cache
(`JSII_RUNTIME_PACKAGE_CACHE_ROOT`, default `.cache/jsii`) that entry is rewritten once so
each `exports.<name> = require("./<dir>")` becomes a getter that `require`s on first use.
The kernel resolves types by walking those exports, so it loads exactly the modules a stack
uses; the classes, and so the synthesized JSON, are unchanged.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_PATCH_MARKER = "/* autoscale-infra: lazy resource modules */\n"
_EAGER_EXPORT = re.compile(r'^exports\.(\w+) = require\("(\./[^"]+)"\);$', re.MULTILINE)
_PROVIDER_ENTRY_GLOB = "@cdktf/provider-aws/*/*/lib/index.js"


def use_cache_root(root: Path) -> Path:
    """Point the jsii kernel at `root` unless the user chose another cache; return the one in use."""
    os.environ.setdefault("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(root))
    return Path(os.environ["JSII_RUNTIME_PACKAGE_CACHE_ROOT"])


def _lazy_export(match: re.Match[str]) -> str:
    name, path = match.group(1), match.group(2)
    return (
        f'Object.defineProperty(exports, "{name}", {{ enumerable: true, configurable: true, '
        f'get: function () {{ return require("{path}"); }} }});'
    )


def make_entry_lazy(index_js: Path) -> int:
    """Rewrite one entry file in place; returns how many exports became lazy (0 if done before)."""
    source = index_js.read_text(encoding="utf-8")
    if source.startswith(_PATCH_MARKER):
        return 0
    rewritten, count = _EAGER_EXPORT.subn(_lazy_export, source)
    temporary = index_js.with_suffix(".js.tmp")
    temporary.write_text(_PATCH_MARKER + rewritten, encoding="utf-8")
    temporary.replace(index_js)
    return count


def is_warm(root: Path) -> bool:
    """True when the bindings are extracted, indexed and their entry is lazy."""
    entries = list(root.glob(_PROVIDER_ENTRY_GLOB))
    if not entries:
        return False
    for entry in entries:
        package_dir = entry.parent.parent
        if not (package_dir / ".jsii.runtime.v1.json").exists():
            return False
        with entry.open(encoding="utf-8") as handle:
            if handle.read(len(_PATCH_MARKER)) != _PATCH_MARKER:
                return False
    return True


def make_provider_entries_lazy(root: Path) -> int:
    return sum(make_entry_lazy(entry) for entry in root.glob(_PROVIDER_ENTRY_GLOB))
