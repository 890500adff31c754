"""The policy gate: checkov over synthesized or planned Terraform JSON, judged strictly.

It fails when checkov hit a parsing error, ran no check at all, reported a failed check that
`policies/skips.yaml` does not list with a reason (for that resource and, where the entry names
`environments`, that environment), did not run one of our custom checks, left an IAM document
UNKNOWN (our checks could not read it), or when a report holds a secret value. On synthesized
stacks it also runs the IAM analysers (parliament, cloudsplaining: cli/iam_analysis.py) beside
checkov, and fails on a finding of theirs that `policies/iam_skips.yaml` does not accept. It
empties its report folder first and writes JSON, JUnit XML and SARIF for CI.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cli import gate_coverage, iam_analysis, secret_scan
from cli.errors import UserError
from cli.scan_cache import Answer, ScanCache, input_digest
from environments.names import STACK_SETS
from stacks.names import stack_set_of

POLICIES_DIR = Path(__file__).resolve().parent.parent / "policies"
CHECKS_DIR = POLICIES_DIR / "checks"  # checkov loads every .py and .yaml here as a check
SKIPS_FILE = POLICIES_DIR / "skips.yaml"
IAM_SKIPS_FILE = POLICIES_DIR / "iam_skips.yaml"  # the IAM analysers' findings we accept
# Findings only a plan shows (checkov resolves the IAM documents of a plan, not those of a stack):
# judged with skips.yaml on plan JSON only, so that a full scan of the stacks never calls them stale.
PLAN_SKIPS_FILE = POLICIES_DIR / "plan_skips.yaml"


_SKIP_KEYS = ("check", "resource", "reason", "environments")
# An IAM analyser's finding may name one action or escalation method: an entry can accept only those.
IAM_SKIP_KEYS = (*_SKIP_KEYS, "subject")
# checkov logs this (and goes on without the check) when a file of --external-checks-dir fails to import.
_LOAD_FAILURE = "Cannot load external check"


@dataclass(frozen=True)
class Skip:
    check: str
    resource: str
    reason: str
    environments: tuple[str, ...] | None = None  # None: every environment
    subject: str | None = None  # a glob over the finding's subject (IAM analysers); None: any

    def matches(self, check_id: str, resource: str, environment: str | None = None, subject: str = "") -> bool:
        if self.environments is not None and environment not in self.environments:
            return False
        if self.subject is not None and not fnmatch.fnmatchcase(subject, self.subject):
            return False
        return check_id == self.check and fnmatch.fnmatchcase(resource, self.resource)

    def __str__(self) -> str:
        where = f" in {', '.join(self.environments)}" if self.environments is not None else ""
        about = f" [{self.subject}]" if self.subject is not None else ""
        return f"{self.check} {self.resource}{about}{where}"


@dataclass(frozen=True)
class Finding:
    check_id: str
    check_name: str
    resource: str
    file_path: str
    details: tuple[str, ...] = ()
    environment: str | None = None
    subject: str = ""  # what an IAM analyser's finding is about: an action, an escalation method

    def __str__(self) -> str:
        why = f" — {'; '.join(self.details)}" if self.details else ""
        where = f"{self.environment}: " if self.environment else ""
        about = f" [{self.subject}]" if self.subject else ""
        file = self.file_path.lstrip("/")
        return f"{self.check_id} {self.resource}{about} ({where}{file}): {self.check_name}{why}"


@dataclass
class GateResult:
    passed: int = 0
    passed_by_check: Counter[str] = field(default_factory=Counter)
    failed: list[Finding] = field(default_factory=list)
    parsing_errors: list[str] = field(default_factory=list)
    accepted: list[tuple[Finding, Skip]] = field(default_factory=list)
    unused_skips: list[Skip] = field(default_factory=list)
    # (skip, environment): an entry naming environments that matched nothing in one of them
    unused_in: list[tuple[Skip, str]] = field(default_factory=list)
    unknown: list[Finding] = field(default_factory=list)  # an IAM document no check could read
    not_run: list[str] = field(default_factory=list)  # custom checks checkov did not run, and why
    skips_file: str = "policies/skips.yaml"
    iam: GateResult | None = None  # the IAM analysers' findings (synthesized stacks), judged by iam_skips.yaml

    @property
    def problems(self) -> list[str]:
        problems = [f"checkov could not parse {path}" for path in self.parsing_errors]
        if self.passed + len(self.failed) + len(self.accepted) == 0:
            problems.append("checkov ran no check: the gate never passes by scanning nothing")
        problems.extend(self.not_run)
        problems.extend(self.findings_problems)
        return problems

    @property
    def findings_problems(self) -> list[str]:
        problems = [f"FAILED {finding} (not in {self.skips_file})" for finding in self.failed]
        problems.extend(f"UNKNOWN {finding} (not in {self.skips_file})" for finding in self.unknown)
        return problems

    def stale_skips(self, environments: set[str]) -> list[str]:
        """Entries that matched nothing (anywhere, or in a scanned environment they name)."""
        stale = [f"stale skip in {self.skips_file}: {skip} matches nothing" for skip in self.unused_skips]
        stale += [
            f"stale skip in {self.skips_file}: {skip.check} {skip.resource} matches nothing in {environment}"
            for skip, environment in self.unused_in
            if environment in environments and skip not in self.unused_skips
        ]
        return stale


def load_skips(path: Path = SKIPS_FILE, keys: tuple[str, ...] = _SKIP_KEYS) -> list[Skip]:
    """The entries of a skips file; `keys` are those it may use (IAM_SKIP_KEYS for iam_skips.yaml)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    skips: list[Skip] = []
    problems: list[str] = []
    for index, entry in enumerate(data.get("skips") or []):
        where = f"{path.name}: skips[{index}] ({entry.get('check')})"
        reason = str(entry.get("reason") or "").strip()
        if not entry.get("check"):
            problems.append(f"{path.name}: skips[{index}]: `check` is required")
        if not reason:
            problems.append(f"{where}: a skip must carry a reason")
        unknown_keys = sorted(set(entry) - set(keys))
        if unknown_keys:
            problems.append(f"{where}: unknown key {', '.join(unknown_keys)}; allowed: {', '.join(keys)}")
        environments = entry.get("environments")
        if environments is not None:
            if not isinstance(environments, list) or not environments:
                problems.append(f"{where}: environments must be a non-empty list (got {environments!r})")
                environments = []
            wrong = [str(e) for e in environments if e not in STACK_SETS]
            if wrong:
                problems.append(f"{where}: environments: {', '.join(wrong)} unknown; known: {', '.join(STACK_SETS)}")
            environments = tuple(str(e) for e in environments)
        subject = str(entry["subject"]) if entry.get("subject") is not None else None
        skips.append(Skip(str(entry.get("check")), str(entry.get("resource", "*")), reason, environments, subject))
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


def stack_environment(path: Path) -> str:
    """The environment of a scanned file: its stack's folder (`dev`, `dev-bootstrap` → dev)."""
    return stack_set_of(path.parent.name)


def _resource_of(check: dict[str, Any], types: dict[str, str] | None) -> str:
    resource = str(check["resource"])
    if resource.startswith("resource.") and types and resource[len("resource.") :] in types:
        resource = f"{types[resource[len('resource.') :]]}.{resource[len('resource.') :]}"
    return resource


def _accept(
    finding: Finding, skips: list[Skip], result: GateResult, used: set[tuple[int, str | None]], rejected: list[Finding]
) -> None:
    index = next(
        (
            i
            for i, s in enumerate(skips)
            if s.matches(finding.check_id, finding.resource, finding.environment, finding.subject)
        ),
        None,
    )
    if index is None:
        rejected.append(finding)
    else:
        used.add((index, finding.environment))
        result.accepted.append((finding, skips[index]))


def evaluate(
    raw_report: Any,
    skips: list[Skip],
    types: dict[str, str] | None = None,
    environment_of: Callable[[Path], str | None] | None = None,
    expected: list[tuple[str, gate_coverage.Scanned]] | None = None,
) -> GateResult:
    """Judge checkov's JSON report against the skips.

    `environment_of` names the environment of a scanned file (skips may be limited to some);
    `expected` lists (check id, resource) pairs that must have a result: a missing one is UNKNOWN.
    """
    result = GateResult()
    used: set[tuple[int, str | None]] = set()
    judged: set[tuple[str, Path, str]] = set()

    def environment(file: str | None) -> str | None:
        return environment_of(Path(file)) if environment_of and file else None

    for report in _reports(raw_report):
        summary = report.get("summary", report)
        result.passed += int(summary.get("passed", 0))
        results = report.get("results", {})
        result.passed_by_check.update(check["check_id"] for check in results.get("passed_checks", []))
        result.parsing_errors.extend(results.get("parsing_errors", []))
        if summary.get("parsing_errors") and not results.get("parsing_errors"):
            result.parsing_errors.append(f"{summary['parsing_errors']} file(s)")
        for outcome in ("passed_checks", "failed_checks"):
            for check in results.get(outcome, []):
                if check.get("file_abs_path"):
                    path = Path(check["file_abs_path"]).resolve()
                    judged.add((check["check_id"], path, _resource_of(check, types)))
        for check in results.get("failed_checks", []):
            finding = Finding(
                check["check_id"],
                check.get("check_name", ""),
                _resource_of(check, types),
                check["file_path"],
                tuple(check.get("details") or ()),
                environment(check.get("file_abs_path")),
            )
            _accept(finding, skips, result, used, result.failed)
    for check_id, resource in expected or []:
        if (check_id, resource.file.resolve(), resource.address) not in judged:
            finding = Finding(
                check_id,
                "our checks cannot read its policy document (UNKNOWN): write it as JSON the checks can parse",
                resource.address,
                f"/{resource.file.name}",
                environment=environment(str(resource.file)),
            )
            _accept(finding, skips, result, used, result.unknown)
    _unused(result, skips, used)
    return result


def _unused(result: GateResult, skips: list[Skip], used: set[tuple[int, str | None]]) -> None:
    result.unused_skips = [skip for i, skip in enumerate(skips) if not any(u == i for u, _ in used)]
    result.unused_in = [
        (skip, name) for i, skip in enumerate(skips) for name in skip.environments or () if (i, name) not in used
    ]


def evaluate_iam(
    analysis: iam_analysis.Analysis, skips: list[Skip], environment_of: Callable[[Path], str | None] | None = None
) -> GateResult:
    """Judge the IAM analysers' findings against `skips` (policies/iam_skips.yaml), as `evaluate` does checkov's."""
    result = GateResult(passed=analysis.documents, skips_file=f"policies/{IAM_SKIPS_FILE.name}")
    used: set[tuple[int, str | None]] = set()
    for found in analysis.findings:
        file = Path(found.file)
        finding = Finding(
            found.check_id,
            found.title,
            found.address,
            f"/{file.parent.name}/{file.name}",
            found.details,
            environment_of(file) if environment_of else None,
            found.subject,
        )
        _accept(finding, skips, result, used, result.failed)
    _unused(result, skips, used)
    return result


def _scan_files(targets: list[Path]) -> dict[Path, dict[str, Any]]:
    """The JSON documents checkov scans: `cdk.tf.json` of each stack folder, or the file given."""
    documents: dict[Path, dict[str, Any]] = {}
    for target in targets:
        file = target / "cdk.tf.json" if target.is_dir() else target
        try:
            document = json.loads(file.read_text())
        except (OSError, json.JSONDecodeError):
            continue  # checkov reports the parsing error
        if isinstance(document, dict):
            documents[file] = document
    return documents


def coverage(
    raw_report: Any, documents: dict[Path, dict[str, Any]], *, framework: str, checkov_log: str = ""
) -> tuple[list[str], list[tuple[str, gate_coverage.Scanned]]]:
    """Custom checks that did not run (problems), and the (check, resource) pairs that must have a result."""
    checks, problems = gate_coverage.custom_checks(CHECKS_DIR)
    problems = [f"custom check {problem}" for problem in problems]
    problems += [
        f"checkov: {line.strip()} (the check is missing from this scan)"
        for line in checkov_log.splitlines()
        if _LOAD_FAILURE in line
    ]
    resources = [r for file, document in documents.items() for r in gate_coverage.scanned_resources(file, document)]
    reported = {
        check["check_id"]
        for report in _reports(raw_report)
        for outcome in ("passed_checks", "failed_checks", "skipped_checks")
        for check in report.get("results", {}).get(outcome, [])
    }
    scanned_types = {resource.type for resource in resources}
    if framework == "terraform_json":
        for check in sorted(checks.values(), key=lambda c: c.id):
            present = sorted(check.resource_types & scanned_types)
            if present and check.id not in reported:
                problems.append(
                    f"custom check {check.id} (policies/checks/{check.source}) did not run although the scan holds "
                    f"{', '.join(present)}: checkov drops a check that fails to import"
                )
    expected = [
        (check.id, resource)
        for check in checks.values()
        if check.documents
        for resource in resources
        if resource.type in check.resource_types
        and any(gate_coverage.holds_document(resource.values.get(name)) for name in check.documents)
    ]
    return problems, expected


def empty_report_dir(report_dir: Path) -> None:
    """Remove what an earlier run left in the report folder: no stale report passes for this one's."""
    if report_dir.is_dir():
        for entry in report_dir.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    report_dir.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class CheckovRun:
    report: Any
    log: str  # checkov's standard error: where it says which external check it could not load


def run_checkov(checkov: Path, *, framework: str, targets: list[Path], report_dir: Path) -> CheckovRun:
    """Run checkov once over `targets` (directories or files) into the emptied `report_dir`.

    checkov 3.3's terraform_json parser fails on a whole file that holds Terraform `import` blocks
    (adopting an existing resource), so such a stack is scanned as a copy without them, under the
    same folder name, and the report names the original file again."""
    if not checkov.exists():
        raise UserError(f"checkov is not installed at {checkov}: run `make setup`")
    empty_report_dir(report_dir)
    with tempfile.TemporaryDirectory(prefix=".gate-", dir=report_dir) as scratch:
        copies = _without_import_blocks(targets, Path(scratch))
        run = _run_checkov(
            [copies.get(t, t) for t in targets], framework=framework, checkov=checkov, report_dir=report_dir
        )
    if not copies:
        return run
    # Whatever form checkov writes a copy's path in (absolute, relative, resolved), it ends in
    # `<scratch folder>/<n>/<stack>`: that becomes the original folder's path.
    renames = [
        (
            re.compile(rf'[^"\s<>]*{re.escape(copy.parent.parent.name)}/{copy.parent.name}/{re.escape(copy.name)}'),
            original,
        )
        for original, copy in copies.items()
    ]
    for report_file in (p for p in report_dir.iterdir() if p.is_file()):
        text = report_file.read_text()
        for pattern, original in renames:
            text = pattern.sub(str(original).replace("\\", "\\\\"), text)
        report_file.write_text(text)
    return CheckovRun(json.loads((report_dir / "results_json.json").read_text()), run.log)


def _without_import_blocks(targets: list[Path], scratch: Path) -> dict[Path, Path]:
    """Per stack folder whose `cdk.tf.json` has `import` blocks, a copy of it without them in `scratch`."""
    copies: dict[Path, Path] = {}
    for target in targets:
        file = target / "cdk.tf.json" if target.is_dir() else None
        if file is None or not file.exists():
            continue
        try:
            document = json.loads(file.read_text())
        except json.JSONDecodeError:
            continue  # checkov reports the parsing error
        if not isinstance(document, dict) or "import" not in document:
            continue
        copy = scratch / str(len(copies)) / target.name
        copy.mkdir(parents=True)
        (copy / "cdk.tf.json").write_text(json.dumps({k: v for k, v in document.items() if k != "import"}, indent=1))
        copies[target] = copy
    return copies


def _run_checkov(targets: list[Path], *, framework: str, checkov: Path, report_dir: Path) -> CheckovRun:
    command = [str(checkov), "--framework", framework, "--soft-fail", "--skip-download"]
    command += ["-o", "json", "-o", "junitxml", "-o", "sarif", "--output-file-path", str(report_dir)]
    command += ["--external-checks-dir", str(CHECKS_DIR)]
    for target in targets:
        command += ["-d" if target.is_dir() else "-f", str(target)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # its report is the file
    report_file = report_dir / "results_json.json"
    if completed.returncode != 0 or not report_file.exists():
        raise UserError(f"checkov failed (exit {completed.returncode}): {completed.stderr.strip()[-2000:]}")
    return CheckovRun(json.loads(report_file.read_text()), completed.stderr)


def _scan(
    checkov: Path,
    framework: str,
    targets: list[Path],
    report_dir: Path,
    analysed: list[Path] | None,
    cache: ScanCache | None,
) -> tuple[CheckovRun, iam_analysis.Analysis | None, bool]:
    """checkov over `targets` and the IAM analysers over `analysed` (None: not analysed), side by
    side; or their answer stored in `cache` for this very input. The last item: reused."""
    key = input_digest(framework, targets, checkov, analysed=analysed is not None) if cache is not None else None
    if key is not None and cache is not None:
        empty_report_dir(report_dir)
        answer = cache.load(key, report_dir)
        # an entry that lost its analysis never stands in for one: the IAM documents would go unjudged
        if answer is not None and (answer.iam_analysis is not None) == (analysed is not None):
            report = json.loads((report_dir / "results_json.json").read_text())
            iam = iam_analysis.Analysis.from_json(answer.iam_analysis) if answer.iam_analysis is not None else None
            return CheckovRun(report, answer.checkov_log), iam, True
    analysis = iam_analysis.start(checkov.parent / "python", analysed) if analysed is not None else None
    try:
        run = run_checkov(checkov, framework=framework, targets=targets, report_dir=report_dir)
    except BaseException:
        if analysis is not None:
            analysis.kill()
            analysis.communicate()
        raise
    iam = iam_analysis.finish(analysis) if analysis is not None else None
    if key is not None and cache is not None:
        cache.store(key, report_dir, Answer(run.log, iam.to_json() if iam is not None else None))
    return run, iam, False


def gate(
    checkov: Path,
    *,
    framework: str,
    targets: list[Path],
    report_dir: Path,
    require_all_skips_used: bool,
    environment: str | None = None,
    scan_cache: ScanCache | None = None,
) -> GateResult:
    """Scan, judge and print; raises `UserError` when the gate fails.

    Findings belong to `environment`, or (None) to the environment of their stack's folder.
    `scan_cache`: reuse the scanners' answer for an input they have seen (cli/scan_cache.py).
    """
    skips = load_skips() + (load_skips(PLAN_SKIPS_FILE) if framework == "terraform_plan" else [])
    documents = _scan_files(targets)
    # The IAM analysers judge what is written (references stand in for their values): synthesized
    # stacks only. They run beside checkov, in its environment, and are collected after it.
    analysing = framework == "terraform_json" and bool(documents)
    iam_skips = load_skips(IAM_SKIPS_FILE, IAM_SKIP_KEYS) if analysing else []
    run, iam, reused = _scan(
        checkov, framework, targets, report_dir, sorted(documents) if analysing else None, scan_cache
    )
    secret_scan.refuse_secrets(
        sorted(p for p in report_dir.iterdir() if p.is_file()),
        what=f"the gate's reports in {report_dir}",
        known=secret_scan.secret_values_of(documents),
    )

    def environment_of(path: Path) -> str:
        return environment or stack_environment(path)

    not_run, expected = coverage(run.report, documents, framework=framework, checkov_log=run.log)
    result = evaluate(run.report, skips, resource_types(targets), environment_of, expected)
    result.not_run = not_run
    problems = result.problems
    scanned_environments = {environment_of(file) for file in documents}
    if require_all_skips_used:
        problems += result.stale_skips(scanned_environments)
    scanned = ", ".join(str(t) for t in targets) + (", unchanged since its last scan" if reused else "")
    analysed = ""
    if iam is not None:
        result.iam = evaluate_iam(iam, iam_skips, environment_of)
        problems += result.iam.findings_problems
        if require_all_skips_used:
            problems += result.iam.stale_skips(scanned_environments)
        analysed = (
            f"; IAM analysers (parliament, cloudsplaining): {iam.documents} documents, "
            f"{len(result.iam.failed)} findings failed, {len(result.iam.accepted)} accepted by {IAM_SKIPS_FILE.name}"
        )
    print(  # one line per gate run, the IAM analysers' part included
        f"gate: {result.passed} passed, {len(result.failed)} failed, {len(result.accepted)} accepted by skips "
        f"({framework}: {scanned}){analysed}; reports in {report_dir}"
    )
    if problems:
        raise UserError("policy gate failed:\n  " + "\n  ".join(problems))
    return result
