"""Function packages built from directories of the repository (`code: {path: …}`).

The zip is deterministic (sorted entries, fixed timestamps and modes), so the same sources give
the same bytes and the same `source_code_hash`: Terraform redeploys a function exactly when its
code changed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cli.errors import UserError

_SKIPPED = {"__pycache__", ".pytest_cache", ".mypy_cache"}


@dataclass(frozen=True)
class BuiltPackage:
    """A package's bytes and the file name it is written under beside each stack."""

    source: str
    data: bytes

    @property
    def sha256_base64(self) -> str:
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode()

    @property
    def filename(self) -> str:
        slug = self.source.strip("/").replace("/", "-")
        return f"package-{slug}-{hashlib.sha256(self.data).hexdigest()[:12]}.zip"


def build(root: Path, source: str) -> BuiltPackage:
    """Zip `root/source`; a missing or empty directory is a user error."""
    directory = root / source
    if not directory.is_dir():
        raise UserError(f"function package {source}: no such directory in the repository ({directory})")
    files = sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and not _SKIPPED.intersection(path.relative_to(directory).parts) and path.suffix != ".pyc"
    )
    if not files:
        raise UserError(f"function package {source}: the directory holds no files")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(directory).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return BuiltPackage(source=source, data=buffer.getvalue())
