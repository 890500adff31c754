"""`python -m cli discover --env ENV`: read the account, write the reports, print the table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.config_files import ENVIRONMENTS_DIR, load_environment
from cli.discovery import draft, imports, inventory, readiness, render
from cli.discovery.aws import POLICY_PATH, AwsReader, ClientFactory, client_config
from cli.discovery.model import Finding, Inventory
from cli.errors import UserError
from cli.settings import ROOT, Settings
from environments.names import ENVIRONMENT_NAMES

DEFAULT_REPORT_DIR = Path("reports") / "discovery"


@dataclass(frozen=True)
class Outputs:
    json_path: Path
    draft_path: Path
    imports_path: Path


def outputs_for(env: str, json_path: Path | None) -> Outputs:
    """The JSON where asked (default `reports/discovery/<env>/discovery.json`); the rest beside it."""
    path = json_path or DEFAULT_REPORT_DIR / env / "discovery.json"
    folder = path.parent
    result = Outputs(json_path=path, draft_path=folder / f"{env}.yaml", imports_path=folder / "imports.tf")
    if folder.resolve() == ENVIRONMENTS_DIR.resolve():
        raise UserError(f"{folder} is the environments folder: discovery never overwrites it; choose another --json")
    return result


def boto3_clients(settings: Settings, region: str) -> tuple[ClientFactory, str]:
    """Clients for AWS with the default credential chain, or for the emulator when asked."""
    import boto3

    config = client_config()
    if settings.target == "emulator":
        from cli import emulator

        running, _ = emulator.ensure(settings.emulator_dir)
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
        )

        def emulated(service: str) -> Any:
            return session.client(service, endpoint_url=running.endpoint, verify=str(running.ca_bundle), config=config)

        return emulated, f"the LOCAL AWS EMULATOR at {running.endpoint}"
    session = boto3.session.Session(region_name=region)
    return (lambda service: session.client(service, config=config)), f"AWS ({region})"


def run(
    env: str,
    *,
    clients: ClientFactory,
    json_path: Path | None = None,
    page_size: int | None = None,
    name_pattern: str | None = None,
    stack_path: Path | None = None,
    reader_options: dict[str, Any] | None = None,
) -> tuple[Inventory, tuple[Finding, ...], Outputs]:
    """Discover `env` with `clients`, write JSON, draft YAML and import blocks; print the table."""
    if env not in ENVIRONMENT_NAMES:
        raise UserError(f"unknown environment {env!r}: known environments are {', '.join(ENVIRONMENT_NAMES)}", 2)
    outputs = outputs_for(env, json_path)
    config = load_environment(env)
    classifier = inventory.Classifier.for_context(
        namespace=config.namespace,
        service=config.service,
        environment=env,
        environments=ENVIRONMENT_NAMES,
        pattern=name_pattern,
    )
    reader = AwsReader(clients, region=config.region, page_size=page_size, **(reader_options or {}))
    found = inventory.collect(reader, classifier, name_pattern=classifier.name_patterns[env])
    findings = readiness.assess(found, config)
    stack_file = stack_path or ROOT / "cdktf.out" / "stacks" / env / "cdk.tf.json"
    stack = json.loads(stack_file.read_text()) if stack_file.exists() else None
    blocks = imports.match(imports.candidates(found), stack)
    draft_text, _ = draft.draft(found, config)

    outputs.json_path.parent.mkdir(parents=True, exist_ok=True)
    outputs.json_path.write_text(render.to_json(render.document(found, findings, blocks)))
    outputs.draft_path.write_text(draft_text)
    outputs.imports_path.write_text(imports.render_hcl(blocks, environment=env, stack_found=stack is not None))
    print(render.table(found, findings), end="")
    matched = sum(1 for b in blocks if b.address)
    print(
        f"discover: wrote {outputs.json_path}, draft {outputs.draft_path}, "
        f"{matched} import block(s) in {outputs.imports_path} ({len(blocks) - matched} not managed by the stack yet)"
    )
    if found.incomplete:
        actions = ", ".join(sorted(g.action for g in found.gaps if g.kind != "unavailable"))
        raise UserError(f"discovery incomplete: could not read {actions}; with {POLICY_PATH} attached, run it again")
    return found, findings, outputs


def main(
    settings: Settings, env: str, *, json_path: Path | None, page_size: int | None, name_pattern: str | None
) -> int:
    config = load_environment(env) if env in ENVIRONMENT_NAMES else None
    if config is None:
        raise UserError(f"unknown environment {env!r}: known environments are {', '.join(ENVIRONMENT_NAMES)}", 2)
    clients, where = boto3_clients(settings, config.region)
    print(f"discover: {env} reads {where} (read-only)")
    run(env, clients=clients, json_path=json_path, page_size=page_size, name_pattern=name_pattern)
    return 0
