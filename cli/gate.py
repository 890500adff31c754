"""The policy gate: checkov over synthesized or planned Terraform JSON, judged strictly.

It fails when checkov hit a parsing error, ran no check at all, or reported a failed check
that `policies/skips.yaml` does not list with a reason. It writes JUnit XML and SARIF for CI.
"""

from __future__ import annotations

import fnmatch
import json
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cli.errors import UserError

POLICIES_DIR = Path(__file__).resolve().parent.parent / "policies"
CHECKS_DIR = POLICIES_DIR / "checks"  # checkov loads every .py and .yaml here as a check
SKIPS_FILE = POLICIES_DIR / "skips.yaml"


@dataclass(frozen=True)
class Skip:
    check: str
    resource: str
    reason: str

    def matches(self, check_id: str, resource: str) -> bool:
        return check_id == self.check and fnmatch.fnmatchcase(resource, self.resource)


@dataclass(frozen=True)
class Finding:
    check_id: str
    check_name: str
    resource: str
    file_path: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        why = f" — {'; '.join(self.details)}" if self.details else ""
        return f"{self.check_id} {self.resource} ({self.file_path.lstrip('/')}): {self.check_name}{why}"


@dataclass
class GateResult:
    passed: int = 0
    passed_by_check: Counter[str] = field(default_factory=Counter)
    failed: list[Finding] = field(default_factory=list)
    parsing_errors: list[str] = field(default_factory=list)
    accepted: list[tuple[Finding, Skip]] = field(default_factory=list)
    unused_skips: list[Skip] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        problems = [f"checkov could not parse {path}" for path in self.parsing_errors]
        if self.passed + len(self.failed) + len(self.accepted) == 0:
            problems.append("checkov ran no check: the gate never passes by scanning nothing")
        problems.extend(f"FAILED {finding} (not in policies/skips.yaml)" for finding in self.failed)
        return problems


def load_skips(path: Path = SKIPS_FILE) -> list[Skip]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    skips: list[Skip] = []
    problems: list[str] = []
    for index, entry in enumerate(data.get("skips") or []):
        reason = str(entry.get("reason") or "").strip()
        if not entry.get("check"):
            problems.append(f"{path.name}: skips[{index}]: `check` is required")
        if not reason:
            problems.append(f"{path.name}: skips[{index}] ({entry.get('check')}): a skip must carry a reason")
        skips.append(Skip(check=str(entry.get("check")), resource=str(entry.get("resource", "*")), reason=reason))
    if problems:
        raise UserError("\n".join(problems), exit_code=2)
    return skips


def _reports(raw: Any) -> list[dict[str, Any]]:
    reports = raw if isinstance(raw, list) else [raw]
    return [report for report in reports if isinstance(report, dict)]


def resource_types(targets: list[Path]) -> dict[str, str]:
    """Logical name → resource type of every synthesized stack among `targets`.

    checkov's terraform_json runner reports external checks as `resource.<name>`; this puts the
    type back, so messages name the resource and skips match `type.name` patterns everywhere.
    """
    types: dict[str, str] = {}
    for target in targets:
        for stack_file in [target / "cdk.tf.json"] if target.is_dir() else []:
            try:
                stack = json.loads(stack_file.read_text())
            except (OSError, json.JSONDecodeError):
                continue  # checkov reports the parsing error
            for kind, instances in stack.get("resource", {}).items():
                types.update(dict.fromkeys(instances, kind))
    return types


def evaluate(raw_report: Any, skips: list[Skip], types: dict[str, str] | None = None) -> GateResult:
    """Judge checkov's JSON report against the skips."""
    result = GateResult()
    used: set[int] = set()
    for report in _reports(raw_report):
        summary = report.get("summary", report)
        result.passed += int(summary.get("passed", 0))
        results = report.get("results", {})
        result.passed_by_check.update(check["check_id"] for check in results.get("passed_checks", []))
        result.parsing_errors.extend(results.get("parsing_errors", []))
        if summary.get("parsing_errors") and not results.get("parsing_errors"):
            result.parsing_errors.append(f"{summary['parsing_errors']} file(s)")
        for check in results.get("failed_checks", []):
            resource = str(check["resource"])
            if resource.startswith("resource.") and types and resource[len("resource.") :] in types:
                resource = f"{types[resource[len('resource.') :]]}.{resource[len('resource.') :]}"
            finding = Finding(
                check["check_id"],
                check.get("check_name", ""),
                resource,
                check["file_path"],
                tuple(check.get("details") or ()),
            )
            index = next((i for i, skip in enumerate(skips) if skip.matches(finding.check_id, finding.resource)), None)
            if index is None:
                result.failed.append(finding)
            else:
                used.add(index)
                result.accepted.append((finding, skips[index]))
    result.unused_skips = [skip for i, skip in enumerate(skips) if i not in used]
    return result


def run_checkov(checkov: Path, *, framework: str, targets: list[Path], report_dir: Path) -> Any:
    """Run checkov once over `targets` (directories or files) and return its JSON report."""
    if not checkov.exists():
        raise UserError(f"checkov is not installed at {checkov}: run `make setup`")
    report_dir.mkdir(parents=True, exist_ok=True)
    command = [str(checkov), "--framework", framework, "--soft-fail", "--skip-download"]
    command += ["-o", "json", "-o", "junitxml", "-o", "sarif", "--output-file-path", str(report_dir)]
    command += ["--external-checks-dir", str(CHECKS_DIR)]
    for target in targets:
        command += ["-d" if target.is_dir() else "-f", str(target)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # its report is the file
    report_file = report_dir / "results_json.json"
    if completed.returncode != 0 or not report_file.exists():
        raise UserError(f"checkov failed (exit {completed.returncode}): {completed.stderr.strip()[-2000:]}")
    return json.loads(report_file.read_text())


def gate(
    checkov: Path, *, framework: str, targets: list[Path], report_dir: Path, require_all_skips_used: bool
) -> GateResult:
    """Scan, judge and print; raises `UserError` when the gate fails."""
    skips = load_skips()
    report = run_checkov(checkov, framework=framework, targets=targets, report_dir=report_dir)
    result = evaluate(report, skips, resource_types(targets))
    problems = result.problems
    if require_all_skips_used:
        problems += [
            f"stale skip in policies/skips.yaml: {s.check} {s.resource} matches nothing" for s in result.unused_skips
        ]
    scanned = ", ".join(str(t) for t in targets)
    print(
        f"gate: {result.passed} passed, {len(result.failed)} failed, {len(result.accepted)} accepted by skips "
        f"({framework}: {scanned}); reports in {report_dir}"
    )
    if problems:
        raise UserError("policy gate failed:\n  " + "\n  ".join(problems))
    return result
