"""Fast synthesis must not change a byte of the output, and must skip work it need not do."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cli import jsii_cache, synth
from environments.names import STACK_SETS
from tests.conftest import PYTHON, REPO, run, synthesize

PLAIN_SYNTH = (
    "import sys\n"
    "import cdktf_cdktf_provider_aws  # the bindings' full __init__: every resource module\n"
    "from cli.synth import main\n"
    "sys.exit(main(sys.argv[1:]))  # and a normal interpreter exit\n"
)


def _files(outdir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.glob("stacks/*/cdk.tf.json"))}


def test_output_is_byte_identical_across_runs(synthesized_outdir: Path, tmp_path: Path) -> None:
    # The run's `main.py --force` against a second run, in this process (what the tests' `synthesize`
    # does for copies of this code): the same bytes, function packages included.
    synthesize(tmp_path / "second", "--force", in_process=True)
    first, second = _files(synthesized_outdir), _files(tmp_path / "second")
    assert len(first) == 8  # three environments and the account, two stacks each
    assert first == second
    assert _outputs(synthesized_outdir) == _outputs(tmp_path / "second")


def test_fast_path_output_equals_a_plain_import_and_full_run(synthesized_outdir: Path, tmp_path: Path) -> None:
    plain = run(
        [PYTHON, "-c", PLAIN_SYNTH, "--outdir", str(tmp_path / "plain"), "--force"],
        env={"JSII_RUNTIME_PACKAGE_CACHE": "disabled"},  # unpatched bindings, extracted afresh
    )
    assert plain.returncode == 0, plain.stderr
    assert _files(synthesized_outdir) == _files(tmp_path / "plain")  # the fast path: `main.py --force`


def test_only_the_binding_modules_in_use_are_imported() -> None:
    probe = run(
        [
            PYTHON,
            "-c",
            "import sys, os\n"
            "import stacks.app\n"
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
    assert again.stdout.startswith("synth: up to date (dev, staging, prod, account; inputs sha256 dev ")
    assert {p: p.stat().st_mtime_ns for p in stamp} == stamp

    dev_yaml = repo_copy / "environments" / "dev.yaml"
    dev_yaml.write_text(dev_yaml.read_text() + "cost_center: growth\n")
    changed = run([PYTHON, "main.py"], cwd=repo_copy)
    assert changed.returncode == 0, changed.stderr
    assert "synthesized cdktf.out/stacks/dev/cdk.tf.json" in changed.stdout
    assert '"CostCenter": "growth"' in (outdir / "stacks" / "dev" / "cdk.tf.json").read_text()


def _stamps(outdir: Path) -> dict[str, int]:
    return {str(p.relative_to(outdir)): p.stat().st_mtime_ns for p in sorted(outdir.glob("stacks/*/*"))}


def _outputs(outdir: Path) -> dict[str, bytes]:
    """Every file of every stack: the JSON and the function packages beside it."""
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.glob("stacks/*/*")) if p.is_file()}


def test_an_edited_environment_resynthesizes_its_stack_set_only_and_shared_code_all(
    repo_copy: Path, synthesized_outdir: Path
) -> None:
    outdir = repo_copy / "cdktf.out"
    # The run's synthesis of the same sources (the shipped account.yaml too): up to date here.
    shutil.copy2(REPO / "environments" / "account.yaml", repo_copy / "environments" / "account.yaml")
    shutil.copytree(synthesized_outdir, outdir)
    before = _stamps(outdir)
    # eight stacks, each its JSON, its placeholder package and the repository's function package
    assert len(before) == 24

    prod_yaml = repo_copy / "environments" / "prod.yaml"
    prod_yaml.write_text(prod_yaml.read_text() + "cost_center: growth\n")
    edited = run([PYTHON, "main.py"], cwd=repo_copy)
    assert edited.returncode == 0, edited.stderr
    assert "synth: up to date: dev, staging, account; synthesizing prod" in edited.stdout
    assert sorted(line for line in edited.stdout.splitlines() if line.startswith("synthesized ")) == [
        "synthesized cdktf.out/stacks/prod-bootstrap/cdk.tf.json",
        "synthesized cdktf.out/stacks/prod/cdk.tf.json",
    ]
    after = _stamps(outdir)
    assert {name for name in before if after[name] != before[name]} == {
        name for name in before if name.split("/")[1] in ("prod", "prod-bootstrap")
    }
    assert '"CostCenter": "growth"' in (outdir / "stacks" / "prod" / "cdk.tf.json").read_text()
    full = repo_copy / "full"
    synthesize(full, "--force", cwd=repo_copy)
    assert _outputs(outdir) == _outputs(full)

    # environments/*.py is shared code: every stack set again, the same bytes as a full run.
    schema = repo_copy / "environments" / "schema.py"
    schema.write_text(schema.read_text() + "# a comment changes no output\n")
    shared = run([PYTHON, "main.py"], cwd=repo_copy)
    assert shared.returncode == 0, shared.stderr
    assert "up to date" not in shared.stdout
    assert len([line for line in shared.stdout.splitlines() if line.startswith("synthesized ")]) == 8
    again = _stamps(outdir)
    assert all(again[name] != after[name] for name in again if name.endswith("cdk.tf.json"))
    assert _outputs(outdir) == _outputs(full)


def test_each_stack_sets_hash_covers_the_shared_inputs_its_own_yaml_and_the_accounts(repo_copy: Path) -> None:
    base = synth.input_hashes(list(STACK_SETS), repo_copy)
    assert len(set(base.values())) == 4
    prod_yaml = repo_copy / "environments" / "prod.yaml"
    prod_yaml.write_text(prod_yaml.read_text() + "cost_center: growth\n")
    edited = synth.input_hashes(list(STACK_SETS), repo_copy)
    assert [name for name in STACK_SETS if edited[name] != base[name]] == ["prod"]
    prod_yaml.unlink()  # a missing file is an input too (synthesis then reports it)
    assert synth.input_hashes(["prod"], repo_copy)["prod"] not in {base["prod"], edited["prod"]}
    for shared in ("environments/schema.py", "stacks/environment.py", "cli/synth.py", "requirements.txt", "main.py"):
        before = synth.input_hashes(list(STACK_SETS), repo_copy)
        (repo_copy / shared).write_text((repo_copy / shared).read_text() + "\n")
        changed = synth.input_hashes(list(STACK_SETS), repo_copy)
        assert all(changed[name] != before[name] for name in STACK_SETS), shared
    inputs = synth.stack_set_inputs("dev", repo_copy)
    assert repo_copy / "environments" / "dev.yaml" in inputs
    assert not {repo_copy / "environments" / f"{other}.yaml" for other in ("staging", "prod")} & set(inputs)
    # account.yaml names every environment's default account_id, so it shapes every set
    account_yaml = repo_copy / "environments" / "account.yaml"
    assert account_yaml in inputs
    before = synth.input_hashes(list(STACK_SETS), repo_copy)
    account_yaml.write_text(account_yaml.read_text() + "cost_center: shared\n")
    after = synth.input_hashes(list(STACK_SETS), repo_copy)
    assert all(after[name] != before[name] for name in STACK_SETS)
    assert repo_copy / "environments" / "loader.py" in inputs
    # Synthesis reads no price (the cost report does): editing the price table changes no stack set.
    price_file = repo_copy / "cli" / "cost" / "prices" / "eu-central-1.yaml"
    assert price_file.exists() and price_file not in inputs
    before = synth.input_hashes(list(STACK_SETS), repo_copy)
    price_file.write_text(price_file.read_text() + "\n# edited\n")
    assert synth.input_hashes(list(STACK_SETS), repo_copy) == before


def test_the_unchanged_path_loads_neither_pydantic_nor_cdktf(synthesized_outdir: Path) -> None:
    probe = run(
        [
            PYTHON,
            "-c",
            "import sys\n"
            "from cli.synth import main\n"
            "assert main(['--outdir', sys.argv[1]]) == 0\n"
            "print(sorted(m for m in ('pydantic', 'cdktf', 'jsii', 'yaml') if m in sys.modules))\n",
            str(synthesized_outdir),  # up to date: synthesized from these very sources
        ]
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.startswith("synth: up to date (dev, staging, prod, account; inputs sha256 dev ")
    assert probe.stdout.strip().splitlines()[-1] == "[]"


def test_make_synth_env_builds_that_environment_only(tmp_path: Path) -> None:
    from tests.integration.conftest import make_ready_repository

    bench = make_ready_repository(tmp_path)
    variables = {k: v for k, v in bench.env.items() if k != "ENV"}
    keep = ["-o", ".venv/.installed", "-o", ".venv-checkov/.installed", "-o", ".cache/jsii/.warm"]
    result = run(
        ["make", "--no-print-directory", *keep, "synth", "ENV=prod"], cwd=bench.root, env=variables, inherit=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.parent.name for p in (bench.root / "cdktf.out").glob("stacks/*/cdk.tf.json")) == [
        "prod",
        "prod-bootstrap",
    ]
    unknown = run(
        ["make", "--no-print-directory", *keep, "synth", "ENV=qa"], cwd=bench.root, env=variables, inherit=False
    )
    assert unknown.returncode != 0
    assert "unknown environment 'qa': known environments are dev, staging, prod, account" in unknown.stderr


def test_synthesizing_one_environment_keeps_the_others(repo_copy: Path, synthesized_outdir: Path) -> None:
    outdir = repo_copy / "cdktf.out"
    shutil.copytree(synthesized_outdir, outdir)  # a full synthesis of the same sources
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
