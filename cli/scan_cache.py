"""What the gate's scanners answered for an input they have already seen.

checkov and the IAM analysers are pure functions of what they read: the scanned files, our checks
and caps (`policies/`), their own pinned versions and the code that drives them. `make plan` of an
unchanged stack therefore keeps their answer (checkov's report files and log, the analysers'
findings) under a digest of all of that in the work folder, and a later plan of the same input
reuses it instead of scanning again. Only the scanning is skipped: the gate judges the answer
(skips, coverage, secrets in the reports) on every run, so an edited skip list takes effect at
once. `make gate` and CI's fresh work folders always scan.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.settings import ROOT

_READ_BY_THE_SCANNERS = (ROOT / "policies", ROOT / "cli", ROOT / "requirements-checkov.txt")
"""Besides the scanned files: our checks and caps, the code that runs the scanners and their pins."""
KEPT_ANSWERS = 32
"""The newest answers kept; older ones are removed when a new one is stored."""
_LOG, _ANALYSIS, _REPORTS = "checkov.log", "iam-analysis.json", "reports"


@dataclass(frozen=True)
class Answer:
    """A scan's answer: checkov's standard error and the IAM analysers' report (None: not analysed);
    checkov's report files are restored into the report folder."""

    checkov_log: str
    iam_analysis: dict[str, Any] | None


_NOT_SCANNED = frozenset({"__pycache__", ".terraform", ".terraform.lock.hcl"})
"""What a folder may hold that no scanner reads: bytecode, and what `terraform init` leaves in a stack."""


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and not _NOT_SCANNED.intersection(p.parts))


def _scanned_bytes(file: Path, framework: str) -> bytes:
    """A plan's JSON without its `timestamp` and with its `relevant_attributes` (a set, which
    Terraform writes in a different order each time) sorted: two plans of the same change differ
    only there."""
    if framework == "terraform_plan":
        try:
            document = json.loads(file.read_bytes())
        except json.JSONDecodeError:
            return file.read_bytes()
        if isinstance(document, dict):
            document.pop("timestamp", None)
            if isinstance(document.get("relevant_attributes"), list):
                document["relevant_attributes"] = sorted(
                    document["relevant_attributes"], key=lambda entry: json.dumps(entry, sort_keys=True)
                )
        return json.dumps(document, sort_keys=True).encode()
    return file.read_bytes()


def input_digest(framework: str, targets: list[Path], checkov: Path, *, analysed: bool) -> str:
    """The digest of everything a scan of `targets` reads: a changed byte anywhere is another input."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("framework", framework.encode())
    add("checkov", str(checkov.absolute()).encode())
    add("analysed", str(analysed).encode())
    for target in targets:
        root = target.absolute()
        for file in _files(root):
            add(f"scanned:{file.absolute()}", _scanned_bytes(file, framework))
    for source in _READ_BY_THE_SCANNERS:
        for file in _files(source):
            add(f"read:{file.relative_to(ROOT)}", file.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ScanCache:
    """Answers by input digest, one folder each, under `directory` (the work folder's `scan-cache`)."""

    directory: Path

    def load(self, key: str, report_dir: Path) -> Answer | None:
        """The answer stored under `key`, its report files copied into the (emptied) `report_dir`;
        None when there is none (or it is incomplete)."""
        entry = self.directory / key
        log, analysis, reports = entry / _LOG, entry / _ANALYSIS, entry / _REPORTS
        if not (log.is_file() and reports.is_dir()):
            return None
        for file in sorted(p for p in reports.iterdir() if p.is_file()):
            shutil.copy2(file, report_dir / file.name)
        iam = json.loads(analysis.read_text()) if analysis.is_file() else None
        os.utime(entry)  # used: among the newest kept
        return Answer(log.read_text(), iam)

    def store(self, key: str, report_dir: Path, answer: Answer) -> None:
        """Keep `answer` and the report files of `report_dir` under `key`; drop the oldest beyond
        `KEPT_ANSWERS`. Written into a scratch folder first, so a half-written answer is never read."""
        self.directory.mkdir(parents=True, exist_ok=True)
        scratch = self.directory / f".{key}.partial"
        shutil.rmtree(scratch, ignore_errors=True)
        (scratch / _REPORTS).mkdir(parents=True)
        for file in sorted(p for p in report_dir.iterdir() if p.is_file()):
            shutil.copy2(file, scratch / _REPORTS / file.name)
        if answer.iam_analysis is not None:
            (scratch / _ANALYSIS).write_text(json.dumps(answer.iam_analysis))
        (scratch / _LOG).write_text(answer.checkov_log)
        shutil.rmtree(self.directory / key, ignore_errors=True)
        scratch.rename(self.directory / key)
        kept = sorted(
            (p for p in self.directory.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in kept[KEPT_ANSWERS:]:
            shutil.rmtree(old, ignore_errors=True)
