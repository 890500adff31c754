"""Configuration: the defaults table, the YAML differences, and every kind of bad input."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from cli.config_files import load_environment
from environments.loader import ConfigError, parse_environment
from environments.names import ENVIRONMENT_NAMES
from tests.conftest import PYTHON, REPO, run

# The seed's table (issue 2): region, PC min–max, RDS CPU alarm, cache replicas min–max,
# budget soft/burst EUR, SLO p95 ms / error % / availability %.
SEED_TABLE = {
    "dev": ("eu-central-1", (0, 2), 80, (0, 1), (15, 30), (500, 5, 95)),
    "staging": ("eu-central-1", (1, 5), 70, (0, 2), (25, 50), (300, 2, 99.5)),
    "prod": ("eu-central-1", (2, 20), 60, (1, 3), (60, 120), (200, 1, 99.9)),
}


@pytest.mark.parametrize("name", ENVIRONMENT_NAMES)
def test_shipped_environments_reproduce_the_seed_table(name: str) -> None:
    config = load_environment(name)
    region, pc, cpu, replicas, budget, slo = SEED_TABLE[name]
    assert config.region == region
    shipped_pc = config.lambda_service.provisioned_concurrency
    if name == "staging":
        # Issue 9: business-hours provisioned concurrency within the seed's range, none outside.
        assert config.lambda_service.schedule is not None
        (window,) = config.lambda_service.schedule.windows.values()
        assert pc[0] <= window.min <= shipped_pc.max <= pc[1] and shipped_pc.min == 0
    else:
        assert (shipped_pc.min, shipped_pc.max) == pc
    assert config.rds.cpu_alarm_threshold_percent == cpu
    assert config.elasticache is not None
    shipped = config.elasticache.replicas
    if config.elasticache.replica_autoscaling is None:
        # The node type cannot autoscale (t-class): a fixed count within the seed's range.
        assert shipped.min == shipped.max and replicas[0] <= shipped.min <= replicas[1]
    else:
        assert (shipped.min, shipped.max) == replicas
    # Issue 9: a budget is the seed's, or the estimate rounded up where the environment's cheapest
    # settings cost more (tests/cost/test_shipped.py); never below the seed.
    assert config.budget.soft_limit_eur >= budget[0] and config.budget.burst_limit_eur >= budget[1]
    assert (config.slo.latency_p95_ms, config.slo.error_rate_percent, config.slo.availability_percent) == slo


def test_defaults_are_production_so_prod_yaml_states_only_what_has_no_default() -> None:
    """prod.yaml holds only what no default can know: why it has no domain of its own yet."""
    shipped = load_environment("prod")
    assert set(shipped.model_dump(exclude_unset=True)) == {"name", "cdn"}
    assert set(shipped.cdn.model_dump(exclude_unset=True)) == {"without_domain_reason"}
    assert shipped.cdn.domain is None and shipped.cdn.without_domain_reason
    defaults = parse_environment("prod", "", Path("prod.yaml"))
    assert shipped.model_dump(exclude={"cdn"}) == defaults.model_dump(exclude={"cdn"})
    assert shipped.cdn.model_dump(exclude={"without_domain_reason"}) == defaults.cdn.model_dump(
        exclude={"without_domain_reason"}
    )


def _errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_environment("prod", text, Path("environments/prod.yaml"))
    return raised.value.messages


def test_every_error_is_reported_at_once_with_file_field_and_value() -> None:
    messages = _errors("rds: {cpu_alarm_threshold_percent: 150}\nbudget: {soft_limit_eur: -1}\n")
    assert messages == [
        "environments/prod.yaml: rds.cpu_alarm_threshold_percent: Input should be less than or equal to 100 (got 150)",
        "environments/prod.yaml: budget.soft_limit_eur: Input should be greater than 0 (got -1)",
    ]


@pytest.mark.parametrize(
    ("field", "value", "bound"),
    [
        ("error_rate_percent", 0, "greater than 0"),
        ("error_rate_percent", 100, "less than 100"),
        ("availability_percent", 100, "less than 100"),
        ("availability_percent", -1, "greater than 0"),
    ],
)
def test_slo_percentages_outside_0_and_100_name_file_and_field(field: str, value: float, bound: str) -> None:
    """An objective of 0 % or 100 % leaves no budget to burn (or nothing but budget): every tier's
    threshold would be meaningless, so the file is refused."""
    assert _errors(f"slo: {{{field}: {value}}}\n") == [
        f"environments/prod.yaml: slo.{field}: Input should be {bound} (got {value})"
    ]


def test_burn_tiers_must_be_known_distinct_and_at_least_one() -> None:
    (unknown,) = _errors("monitoring: {burn_tiers: [page-fast, page-medium]}\n")
    assert unknown.startswith("environments/prod.yaml: monitoring.burn_tiers.1: Input should be 'page-fast',")
    assert unknown.endswith("(got 'page-medium')")
    (twice,) = _errors("monitoring: {burn_tiers: [page-fast, page-fast]}\n")
    assert (
        twice
        == "environments/prod.yaml: monitoring.burn_tiers: each tier at most once (got ['page-fast', 'page-fast'])"
    )
    (empty,) = _errors("monitoring: {burn_tiers: []}\n")
    assert empty.startswith("environments/prod.yaml: monitoring.burn_tiers: ") and "at least 1" in empty


def test_unknown_key_names_the_allowed_ones() -> None:
    (message,) = _errors("rds: {cpu_alarm: 70}\n")
    assert message.startswith(
        "environments/prod.yaml: rds.cpu_alarm: unknown setting; allowed: alarm_evaluation_periods,"
    )
    assert ", cpu_alarm_threshold_percent, " in message and message.endswith(
        ", write_latency_alarm_threshold_ms (got 70)"
    )


def test_unknown_top_level_key_lists_the_sections() -> None:
    (message,) = _errors("lamda: {}\n")
    assert message.startswith(
        "environments/prod.yaml: lamda: unknown setting; allowed: account_id, alerts, budget, cdn, cost_center, delivery,"
    )
    assert "lambda" in message and "elasticache" in message


def test_region_error_lists_allowed_values() -> None:
    (message,) = _errors("region: mars-1\n")
    assert message.startswith("environments/prod.yaml: region: Input should be 'us-east-1'")
    assert "'eu-central-1'" in message and message.endswith("(got 'mars-1')")


def test_range_with_min_above_max_is_an_error() -> None:
    assert _errors("lambda: {provisioned_concurrency: {min: 5, max: 2}}\n") == [
        "environments/prod.yaml: lambda.provisioned_concurrency: min (5) must be ≤ max (2) (got {'min': 5, 'max': 2})"
    ]


def test_soft_budget_above_burst_is_an_error() -> None:
    (message,) = _errors("budget: {soft_limit_eur: 200, burst_limit_eur: 100}\n")
    assert "budget: soft_limit_eur (200) must be ≤ burst_limit_eur (100)" in message


def test_name_comes_from_the_file_not_the_yaml() -> None:
    assert _errors("name: staging\n") == [
        "environments/prod.yaml: name: is taken from the file name; remove it (got 'staging')"
    ]


def test_yaml_syntax_error_gives_line_and_column() -> None:
    (message,) = _errors("rds:\n  cpu_alarm_threshold_percent: [70\n")
    assert message.startswith("environments/prod.yaml: line 3, column 1: YAML syntax error:")


def test_a_key_written_twice_is_an_error_at_any_depth() -> None:
    assert _errors("rds:\n  cpu_alarm_threshold_percent: 50\n  cpu_alarm_threshold_percent: 60\n") == [
        "environments/prod.yaml: line 3, column 3: 'cpu_alarm_threshold_percent' is written twice in this mapping"
        " (first on line 2); keep one"
    ]


def test_aliases_are_refused_even_without_an_anchor() -> None:
    assert _errors("rds: *defaults\n") == [
        "environments/prod.yaml: line 1, column 6: aliases (*defaults) are not allowed in environment files;"
        " write the value out"
    ]


def test_the_discovery_draft_writes_a_shared_value_out_instead_of_aliasing_it() -> None:
    import yaml

    from cli.discovery.draft import _PlainDumper

    tags = {"Team": "web"}
    text = yaml.dump({"lambda": {"functions": {"api": {"tags": tags}, "auth": {"tags": tags}}}}, Dumper=_PlainDumper)
    assert "&" not in text and "*" not in text
    assert "&id001" in yaml.safe_dump({"a": tags, "b": tags})  # what the plain dumper would write


def test_values_quoted_in_messages_are_cut_to_100_characters() -> None:
    (message,) = _errors(f"{'k' * 500}: {'v' * 500}\n")
    assert len(message) < 600
    assert f"(got '{'v' * 98}…)" in message and f" {'k' * 99}…: unknown setting" in message


def test_a_control_character_names_the_line() -> None:
    assert _errors("region: eu-central-1\ncost_center: a\x07b\n") == [
        "environments/prod.yaml: line 2: special characters are not allowed (character #x0007)"
    ]


def test_a_file_that_is_not_a_mapping_is_an_error() -> None:
    assert _errors("- dev\n- prod\n") == ["environments/prod.yaml: the file must be a mapping of settings (got a list)"]


def test_unknown_environment_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as raised:
        load_environment("qa")
    assert raised.value.messages == ["unknown environment 'qa': known environments are dev, staging, prod"]


def _digest(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in directory.rglob("*")
        if p.is_file()
    }


BAD_INPUTS = {
    "bad value": (
        "prod.yaml",
        "rds: {cpu_alarm_threshold_percent: 150}\n",
        "rds.cpu_alarm_threshold_percent: Input should be less than or equal to 100 (got 150)",
    ),
    "unknown key": ("dev.yaml", "budgets: {}\n", "environments/dev.yaml: budgets: unknown setting; allowed:"),
    "yaml syntax": (
        "staging.yaml",
        "slo: {latency_p95_ms: 300\n",
        "environments/staging.yaml: line 2, column 1: YAML syntax error",
    ),
    "not a mapping": (
        "prod.yaml",
        "just a string\n",
        "environments/prod.yaml: the file must be a mapping of settings (got a str)",
    ),
    "missing file": ("prod.yaml", None, "environments/prod.yaml: file not found"),
    # Issue 18: a second `budget:` block used to replace the first silently.
    "duplicate key": (
        "dev.yaml",
        "budget: {soft_limit_eur: 20}\nslo: {}\nbudget: {burst_limit_eur: 40}\n",
        "environments/dev.yaml: line 3, column 1: 'budget' is written twice in this mapping (first on line 1); keep one",
    ),
    # ~600 bytes that expand to ~10^6 strings; the message's repr of it used to be ~20 MB.
    "alias bomb": (
        "prod.yaml",
        "l0: &l0 xxxxxxxxxxxxxxxx\n"
        + "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 7))
        + "bomb: *l6\n",
        "environments/prod.yaml: line 1, column 5: anchors (&l0) are not allowed in environment files",
    ),
    # Used to end in "internal error: UnicodeDecodeError" without naming the file.
    "not utf-8": (
        "staging.yaml",
        b"region: eu-central-1\ncost_center: caf\xe9\n",
        "environments/staging.yaml: line 2, column 17: not UTF-8 text (byte 0xe9); save the file as UTF-8",
    ),
    "too large": (
        "dev.yaml",
        "# padding\n" * 30_000,
        "environments/dev.yaml: the file is 300000 bytes; an environment file may be at most 256 KiB",
    ),
    "long value": (
        "prod.yaml",
        f"region: {'x' * 5000}\n",
        f"(got '{'x' * 98}…)",
    ),
}


@pytest.fixture
def synthesized_copy(synthesized_outdir: Path) -> Path:
    """Known-good output that bad input must leave exactly as it was (the run's synthesis, copied
    by the test)."""
    return synthesized_outdir


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_exits_2_with_the_message_and_writes_nothing(
    case: str, repo_copy: Path, synthesized_copy: Path
) -> None:
    file_name, text, expected = BAD_INPUTS[case]
    path = repo_copy / "environments" / file_name
    if text is None:
        path.unlink()
    elif isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    outdir = repo_copy / "cdktf.out"
    shutil.copytree(synthesized_copy, outdir)
    before = _digest(outdir)
    result = run([PYTHON, "main.py"], cwd=repo_copy)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert len(result.stderr) < 2000, f"{len(result.stderr)} characters of messages"
    assert _digest(outdir) == before


def test_errors_in_several_files_are_all_reported(repo_copy: Path) -> None:
    (repo_copy / "environments" / "dev.yaml").write_text("rds: {cpu_alarm_threshold_percent: 0}\n")
    (repo_copy / "environments" / "prod.yaml").write_text("region: nowhere\n")
    result = run([PYTHON, "main.py"], cwd=repo_copy)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("environments/dev.yaml: rds.cpu_alarm_threshold_percent:")
    assert lines[1].startswith("environments/prod.yaml: region:")
    assert not (repo_copy / "cdktf.out" / "stacks").exists()


def test_unknown_environment_on_the_command_line(repo_copy: Path) -> None:
    result = run([PYTHON, "main.py", "--env", "qa"], cwd=repo_copy)
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "error: unknown environment 'qa': known environments are dev, staging, prod, account"
    )
    assert not (repo_copy / "cdktf.out").exists()


def test_the_stack_sets_are_the_environments_and_the_account_each_with_its_file() -> None:
    from environments.names import STACK_SETS

    assert (*ENVIRONMENT_NAMES, "account") == STACK_SETS
    assert sorted(p.stem for p in (REPO / "environments").glob("*.yaml")) == sorted(STACK_SETS)


def test_no_shipped_environment_file_holds_an_example_domain_account_or_arn() -> None:
    """What a shipped file names must be real: no example domains, account ids or ARNs."""
    import re

    for path in sorted(Path("environments").glob("*.yaml")):
        text = path.read_text()
        assert not re.search(r"example\.(com|org|net)|\.example\b", text), path
        assert not re.search(r"\b\d{12}\b", text), f"{path} names an account id"
        assert "arn:" not in text, f"{path} names an ARN"


def test_the_burn_tier_names_are_the_schemes_and_every_tier_is_the_default() -> None:
    """The schema's names (a Literal, for the error's allowed values) are burn.py's tiers, written once there."""
    from typing import get_args

    from modules.observability.burn import TIERS
    from modules.observability.config import BurnTierName, MonitoringConfig

    assert get_args(BurnTierName) == tuple(tier.name for tier in TIERS)
    assert MonitoringConfig().burn_tiers == get_args(BurnTierName)
