"""The project's jsii package cache and kernel, both set up for speed.

Lazy entry: the jsii kernel `require`s `@cdktf/provider-aws/lib/index.js`, which eagerly
`require`s all ~2,100 resource modules (~1.2–2.3 s on every run). In the project's own package
cache (`JSII_RUNTIME_PACKAGE_CACHE_ROOT`, default `.cache/jsii`) that entry is rewritten once so
each `exports.<name> = require("./<dir>")` becomes a getter that `require`s on first use. The
kernel resolves types by walking those exports, so it loads exactly the modules a stack uses;
the classes, and so the synthesized JSON, are unchanged.

Direct kernel: jsii starts a relay Node.js process that starts the kernel as a second one and
copies every message between them (~1,700 per synthesis): two extra pipe hops per call and
~50 MB. `use_direct_kernel` runs the kernel itself as Python's child instead (see there).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from pathlib import Path

_PATCH_MARKER = "/* autoscale-infra: lazy resource modules */\n"
_EAGER_EXPORT = re.compile(r'^exports\.(\w+) = require\("(\./[^"]+)"\);$', re.MULTILINE)
PROVIDER_ENTRY_GLOB = "@cdktf/provider-aws/*/*/lib/index.js"


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
    entries = list(root.glob(PROVIDER_ENTRY_GLOB))
    if not entries:
        return False
    for entry in entries:
        package_dir = entry.parent.parent
        if not (package_dir / ".jsii.runtime.v1.json").exists():
            return False
        if not is_patched(entry):
            return False
    return True


def make_provider_entries_lazy(root: Path) -> int:
    return sum(make_entry_lazy(entry) for entry in root.glob(PROVIDER_ENTRY_GLOB))


def is_patched(entry: Path) -> bool:
    """Whether a bindings' JavaScript entry was made lazy here."""
    with entry.open(encoding="utf-8") as handle:
        return handle.read(len(_PATCH_MARKER)) == _PATCH_MARKER


# The kernel talks on fd 3, which the relay connects to its own stdin and stdout. Run directly,
# it talks on stdin/stdout, and what its JavaScript prints goes to stderr as the relay's
# `{"stdout"|"stderr": base64}` lines, which the Python runtime decodes the same way.
_KERNEL_CHANNEL = "readFD:3,writeFD:3"
_DIRECT_CHANNEL = "readFD:0,writeFD:1"
_CONSOLE_TO_STDERR = """\
/* autoscale-infra: the kernel talks on stdin/stdout; console output goes to stderr as jsii's relay sends it */
(() => {
  const write = process.stderr.write.bind(process.stderr);
  const relayed = (key) => (chunk, encoding, callback) => {
    if (typeof encoding === "function") { callback = encoding; encoding = undefined; }
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), encoding);
    return write(`${JSON.stringify({ [key]: bytes.toString("base64") })}\\n`, callback);
  };
  const stdout = new (require("stream").Writable)({
    write: (chunk, encoding, callback) => { relayed("stdout")(chunk, encoding); callback(); },
  });
  process.stderr.write = relayed("stderr");
  Object.defineProperty(process, "stdout", { configurable: true, enumerable: false, get: () => stdout });
})();
"""
# The relay starts the kernel with --preserve-symlinks, which also makes the kernel symlink (not
# hard-link file by file, ~0.5 s) each cached package into its working directory.
_NODE_LAUNCHER = """\
#!/bin/sh
# jsii's kernel, started directly (cli/jsii_cache.py), with the flag jsii's relay would add.
exec node --preserve-symlinks "$@"
"""


def _embedded_runtime() -> Path | None:
    spec = importlib.util.find_spec("jsii")
    if spec is None or spec.origin is None:  # pragma: no cover - the pinned requirements install it
        return None
    return Path(spec.origin).parent / "_embedded" / "jsii"


def direct_kernel(cache: Path) -> tuple[Path, Path] | None:
    """Write (once per jsii release) the kernel patched to talk on stdin/stdout and its launcher;
    return (launcher, kernel), or None when this jsii's kernel does not have the expected shape."""
    embedded = _embedded_runtime()
    if embedded is None or not (embedded / "lib__program.js").exists():
        return None
    program = (embedded / "lib__program.js").read_text(encoding="utf-8")
    if program.count(_KERNEL_CHANNEL) != 1:
        return None
    runtime = cache / hashlib.sha256(program.encode()).hexdigest()[:16]
    launcher, kernel = runtime / "bin" / "node", runtime / "lib" / "program.js"
    if not kernel.exists():
        for directory in (launcher.parent, kernel.parent):
            directory.mkdir(parents=True, exist_ok=True)
        worker = (embedded / "lib__runtime-index-worker.js").read_bytes()
        (kernel.parent / "runtime-index-worker.js").write_bytes(worker)
        launcher.write_text(_NODE_LAUNCHER, encoding="utf-8")
        launcher.chmod(0o755)
        patched = kernel.with_suffix(".js.tmp")
        patched.write_text(_CONSOLE_TO_STDERR + program.replace(_KERNEL_CHANNEL, _DIRECT_CHANNEL), encoding="utf-8")
        patched.replace(kernel)  # last: its presence means the runtime is complete
    return launcher, kernel


def use_direct_kernel(cache: Path) -> bool:
    """Have the jsii runtime start the kernel directly, unless the user chose a node or runtime."""
    if "JSII_NODE" in os.environ or "JSII_RUNTIME" in os.environ:
        return False
    paths = direct_kernel(cache)
    if paths is None:
        return False
    os.environ["JSII_NODE"], os.environ["JSII_RUNTIME"] = str(paths[0]), str(paths[1])
    return True
