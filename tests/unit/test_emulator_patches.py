"""Each patch of moto's internals names the moto version it was written against (issue 22)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType

import moto

from cli.emulator import patches
from tests.conftest import REPO


def _modules() -> dict[str, ModuleType]:
    """Every module of cli/emulator/patches/, the shared `_elasticache` included."""
    names = [info.name for info in pkgutil.iter_modules(patches.__path__)]
    return {name: importlib.import_module(f"{patches.__name__}.{name}") for name in names}


def test_every_patch_module_names_the_installed_moto_version() -> None:
    """A patch of moto's internals is written against one version: once moto moves (requirements.txt,
    then the installed package), this fails until each patch has been re-checked and says so."""
    pinned = re.search(r"^moto==(\S+)$", (REPO / "requirements.txt").read_text(), re.MULTILINE)
    assert pinned is not None
    modules = _modules()
    assert len(modules) >= 20
    for version in {str(moto.__version__), pinned.group(1)}:
        stale = [name for name, module in modules.items() if f"Targets moto {version}:" not in (module.__doc__ or "")]
        assert stale == [], f"re-check these patches against moto {version}"
        unnamed = [patch.__name__ for patch in patches.PATCHES if f"moto {version}" not in (patch.__doc__ or "")]
        assert unnamed == []


def test_every_patch_module_is_applied() -> None:
    applied = {patch.__module__.rsplit(".", 1)[-1] for patch in patches.PATCHES}
    assert applied == {name for name in _modules() if not name.startswith("_")}
    assert len(set(patches.PATCHES)) == len(patches.PATCHES)
