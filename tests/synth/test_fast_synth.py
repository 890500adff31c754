"""Fast synthesis must not change a byte of the output, and must skip work it need not do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli import jsii_cache
from tests.conftest import PYTHON, REPO, run, synthesize

PLAIN_SYNTH = (
    "import sys\n"
    "import cdktf_cdktf_provider_aws  # the bindings' full __init__: every resource module\n"
    "from cli.synth import main\n"
    "sys.exit(main(sys.argv[1:]))  # and a normal interpreter exit\n"
)


def _files(outdir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.glob("stacks/*/cdk.tf.json"))}


def test_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    synthesize(tmp_path / "first", "--force")
    synthesize(tmp_path / "second", "--force")
    first, second = _files(tmp_path / "first"), _files(tmp_path / "second")
    assert len(first) == 8  # three environments and the account, two stacks each
    assert first == second


def test_fast_path_output_equals_a_plain_import_and_full_run(tmp_path: Path) -> None:
    synthesize(tmp_path / "fast", "--force")
    plain = run(
        [PYTHON, "-c", PLAIN_SYNTH, "--outdir", str(tmp_path / "plain"), "--force"],
        env={"JSII_RUNTIME_PACKAGE_CACHE": "disabled"},  # unpatched bindings, extracted afresh
    )
    assert plain.returncode == 0, plain.stderr
    assert _files(tmp_path / "fast") == _files(tmp_path / "plain")


def test_only_the_binding_modules_in_use_are_imported() -> None:
    probe = run(
        [
            PYTHON,
            "-c",
            "import sys, os\n"
            "import modules.platform\n"
            # Each resource module brings its `_private` helper; count the resource modules.
            "loaded = [m for m in sys.modules if m.startswith('cdktf_cdktf_provider_aws.') and not m.endswith('._private')]\n"
            "print(len(loaded))\n"
            "sys.stdout.flush(); os._exit(0)\n",
        ]
    )
    assert probe.returncode == 0, probe.stderr
    assert 5 < int(probe.stdout) < 100  # of ~2,140 (all modules: 67 today)


def test_unchanged_inputs_skip_synthesis_and_changed_inputs_do_not(repo_copy: Path) -> None:
    outdir = repo_copy / "cdktf.out"
    synthesize(outdir, cwd=repo_copy)
    stamp = {p: p.stat().st_mtime_ns for p in outdir.glob("stacks/*/cdk.tf.json")}

    again = run([PYTHON, "main.py"], cwd=repo_copy)
    assert again.returncode == 0
    assert again.stdout.startswith("synth: up to date (dev, staging, prod, account; inputs sha256 ")
    assert {p: p.stat().st_mtime_ns for p in stamp} == stamp

    dev_yaml = repo_copy / "environments" / "dev.yaml"
    dev_yaml.write_text(dev_yaml.read_text() + "cost_center: growth\n")
    changed = run([PYTHON, "main.py"], cwd=repo_copy)
    assert changed.returncode == 0, changed.stderr
    assert "synthesized cdktf.out/stacks/dev/cdk.tf.json" in changed.stdout
    assert '"CostCenter": "growth"' in (outdir / "stacks" / "dev" / "cdk.tf.json").read_text()


def test_synthesizing_one_environment_keeps_the_others(repo_copy: Path) -> None:
    outdir = repo_copy / "cdktf.out"
    synthesize(outdir, cwd=repo_copy)
    before = _files(outdir)
    result = run([PYTHON, "main.py", "--env", "prod", "--force"], cwd=repo_copy)
    assert result.returncode == 0, result.stderr
    assert _files(outdir) == before


def test_entry_rewrite_makes_every_export_lazy_once(tmp_path: Path) -> None:
    entry = tmp_path / "index.js"
    entry.write_text(
        '"use strict";\nexports.b = exports.a = void 0;\nexports.a = require("./a");\nexports.b = require("./b-c");\n'
    )
    assert jsii_cache.make_entry_lazy(entry) == 2
    text = entry.read_text()
    assert 'get: function () { return require("./b-c"); }' in text
    assert 'exports.a = require("./a");' not in text
    assert jsii_cache.make_entry_lazy(entry) == 0
    assert entry.read_text() == text


def test_the_project_cache_is_warm_after_setup() -> None:
    root = Path(os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT", REPO / ".cache" / "jsii"))
    assert jsii_cache.is_warm(root)


def test_the_direct_kernel_talks_on_stdin_and_stdout(tmp_path: Path) -> None:
    paths = jsii_cache.direct_kernel(tmp_path)
    assert paths is not None, "the pinned jsii kernel no longer has the shape cli/jsii_cache.py patches"
    launcher, kernel = paths
    source = kernel.read_text()
    assert source.count("readFD:0,writeFD:1") == 1 and "readFD:3,writeFD:3" not in source
    assert (kernel.parent / "runtime-index-worker.js").exists()
    assert os.access(launcher, os.X_OK) and "--preserve-symlinks" in launcher.read_text()
    assert jsii_cache.direct_kernel(tmp_path) == paths  # written once per jsii release


def test_a_kernel_of_unknown_shape_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    embedded = tmp_path / "embedded"
    embedded.mkdir()
    (embedded / "lib__program.js").write_text("new SyncStdio({readFD:4,writeFD:4})")
    monkeypatch.setattr(jsii_cache, "_embedded_runtime", lambda: embedded)
    assert jsii_cache.direct_kernel(tmp_path / "cache") is None
    assert not (tmp_path / "cache").exists()


def test_synthesis_runs_the_kernel_as_a_direct_child(tmp_path: Path) -> None:
    probe = run(
        [
            PYTHON,
            "-c",
            "import os, sys\n"
            "from pathlib import Path\n"
            "from cli import jsii_cache\n"
            "for name in ('JSII_NODE', 'JSII_RUNTIME'):\n"
            "    os.environ.pop(name, None)\n"
            "assert jsii_cache.use_direct_kernel(Path(sys.argv[1]))\n"
            "import modules.core.cdk  # starts the kernel\n"
            "def children(pid):\n"
            "    found = []\n"
            "    for stat in Path('/proc').glob('[0-9]*/stat'):\n"
            "        try:\n"
            "            fields = stat.read_text().rsplit(')', 1)[1].split()\n"
            "        except OSError:\n"
            "            continue\n"
            "        if int(fields[1]) == pid:\n"
            "            found.append(int(stat.parent.name))\n"
            "    return found\n"
            "(kernel,) = children(os.getpid())\n"
            "print(Path(f'/proc/{kernel}/cmdline').read_bytes().replace(b'\\0', b' ').decode())\n"
            "print(len(children(kernel)))\n"
            "sys.stdout.flush(); os._exit(0)\n",
            str(tmp_path),
        ]
    )
    assert probe.returncode == 0, probe.stderr
    command, grandchildren = probe.stdout.splitlines()
    assert command.split()[:2] == ["node", "--preserve-symlinks"] and command.split()[-1].endswith("lib/program.js")
    assert grandchildren == "0"  # no relay process in between


def test_synthesis_runs_optimized_when_the_bytecode_is_installed(tmp_path: Path) -> None:
    probe = run(
        [
            PYTHON,
            "-c",
            "import os, sys\n"
            "from cli import synth\n"
            "os.execv = lambda path, args: print(' '.join(args[1:2])) or sys.exit(0)\n"
            "synth._synthesize_fast()\n",
        ]
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "-O"  # `make setup` compiled the optimized bytecode
