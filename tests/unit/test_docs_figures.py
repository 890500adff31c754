"""Figures the README and the topic pages quote about shipped values, recomputed from the files they
come from, one section per page (the generated tables are checked elsewhere:
tests/unit/test_configuration_reference.py, tests/cost/test_shipped.py; these are the ones in prose
and in hand-written tables). Every `make` target and `python -m cli` command a page names exists."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cli.config_files import load_environment
from cli.cost.prices import load_exchange_rate, load_price_table
from tests.conftest import REPO, resources

README = (REPO / "README.md").read_text()
CONFIGURATION = (REPO / "docs" / "configuration.md").read_text()
OBSERVABILITY = (REPO / "docs" / "observability.md").read_text()
STACKS = (REPO / "docs" / "stacks.md").read_text()
DELIVERY = (REPO / "docs" / "delivery.md").read_text()
COST = (REPO / "docs" / "cost.md").read_text()
POLICIES = (REPO / "docs" / "policies.md").read_text()
EMULATOR = (REPO / "docs" / "emulator.md").read_text()
DISCOVERY = (REPO / "docs" / "discovery.md").read_text()
TESTING = (REPO / "docs" / "testing.md").read_text()
ENVIRONMENTS = ("dev", "staging", "prod")
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def _row(page: str, first_cell: str) -> list[str]:
    """The cells of the one table row of `page` whose first cell is `first_cell`."""
    rows = [line for line in page.splitlines() if line.startswith(f"| {first_cell} |")]
    assert len(rows) == 1, f"{len(rows)} rows start with {first_cell!r}"
    return [cell.strip() for cell in rows[0].strip().strip("|").split("|")][1:]


def _pin(requirements: str, package: str) -> str:
    """The version `requirements` pins `package` to (`package==version`)."""
    versions: list[str] = re.findall(rf"^{re.escape(package)}(?:\[[a-z,]+\])?==([^\s;]+)", requirements, re.MULTILINE)
    (version,) = versions
    return version


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def _weekly_hours(days: str, start: str, end: str) -> float:
    """Hours a week from `start` to `end` on `days` (a cron day range such as `MON-FRI`)."""
    week = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
    first, _, last = days.partition("-")
    count = week.index(last or first) - week.index(first) + 1

    def hours(clock: str) -> float:
        hour, minute = clock.split(":")
        return int(hour) + int(minute) / 60

    return count * (hours(end) - hours(start))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _eur_a_month(usd_per_hour: float) -> float:
    prices = load_price_table(load_environment("dev").region)
    return usd_per_hour * prices.hours_per_month / load_exchange_rate().usd_per_eur


# --- README.md ---------------------------------------------------------------------------------------


def test_the_readme_names_the_pinned_cdktf_bindings_and_checkov(stacks: dict[str, dict[str, Any]]) -> None:
    pins = (REPO / "requirements.txt").read_text()
    cdktf, bindings = _pin(pins, "cdktf"), _pin(pins, "cdktf-cdktf-provider-aws")
    (provider,) = {stack["terraform"]["required_providers"]["aws"]["version"] for stack in stacks.values()}
    text = _one_line(README)
    short = ".".join(cdktf.split(".")[:2])
    assert f"CDKTF {short} and the prebuilt AWS bindings {bindings} (AWS provider {provider})" in text
    assert f"`registry.terraform.io/hashicorp/aws/{provider}/…`" in text
    checkov = _pin((REPO / "requirements-checkov.txt").read_text(), "checkov")
    assert f"checkov {checkov} in its own environment" in text


def test_the_provider_version_the_pages_name_is_the_synthesized_one(stacks: dict[str, dict[str, Any]]) -> None:
    (provider,) = {stack["terraform"]["required_providers"]["aws"]["version"] for stack in stacks.values()}
    minor = ".".join(provider.split(".")[:2])
    quoted = {
        "configuration.md": "AWS provider {} has no end-to-end IAM mode",
        "emulator.md": "AWS provider {} waits 30 s",
        "observability.md": "as provider {} reads it back",
    }
    for page, sentence in quoted.items():
        assert sentence.format(minor) in _one_line((REPO / "docs" / page).read_text()), page


def test_the_prerequisites_table_is_what_make_setup_checks() -> None:
    import ast

    script = (REPO / "scripts" / "check_prerequisites.py").read_text()
    required = {
        command: minimum
        for command, _flag, minimum, _remedy in ast.literal_eval(
            script.split("REQUIRED = ", 1)[1].split("\n)\n", 1)[0] + "\n)"
        )
    }
    python = re.search(r"sys\.version_info < \((\d+), (\d+)\)", script)
    assert python is not None
    assert _row(README, "Python")[0] == f"≥ {python.group(1)}.{python.group(2)}"
    assert _row(README, "Terraform")[0] == "≥ {}.{}".format(*required["terraform"])
    major = required["node"][0]
    assert _row(README, "Node.js")[0] == f"{major} or {major + 2}"  # the LTS lines from the minimum on
    assert f"install Node.js {major} or {major + 2}" in script
    assert f"Terraform ≥ {required['terraform'][0]}.{required['terraform'][1]} plans and applies" in README


def test_the_node_banner_silenced_is_the_minimum_node() -> None:
    silenced = re.search(r"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := (\d+)", (REPO / "Makefile").read_text())
    assert silenced is not None
    assert f"(Node {silenced.group(1)}'s end-of-life banner is silenced)" in README


def test_the_settings_table_gives_the_defaults_of_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.settings import ROOT, Settings

    for name in ("AUTOSCALE_TARGET", "AUTOSCALE_WORK_DIR", "AUTOSCALE_EMULATOR_DIR", "AUTOSCALE_CHECKOV"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AUTOSCALE_PLAN_MAX_AGE_MINUTES", "AUTOSCALE_PLAN_LOCK"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_environment()

    def default(variable: str) -> str:
        return _row(README, f"`{variable}`")[-1]

    assert default("AUTOSCALE_TARGET").startswith(f"`{settings.target}` ")
    assert default("AUTOSCALE_WORK_DIR") == f"`{settings.work_dir.relative_to(ROOT)}`"
    assert default("AUTOSCALE_EMULATOR_DIR") == f"`{settings.emulator_dir.relative_to(ROOT)}`"
    assert default("AUTOSCALE_CHECKOV") == f"`{settings.checkov.relative_to(ROOT)}`"
    assert default("AUTOSCALE_PLAN_MAX_AGE_MINUTES") == f"`{settings.plan_max_age_minutes}`"
    assert default("AUTOSCALE_PLAN_LOCK") == f"`{str(settings.plan_lock).lower()}`"
    text = _one_line(DELIVERY)
    assert f"younger than `AUTOSCALE_PLAN_MAX_AGE_MINUTES` ({settings.plan_max_age_minutes}: " in text


def test_the_jsii_cache_default_is_the_projects() -> None:
    from cli.settings import ROOT
    from cli.synth import JSII_CACHE

    assert _row(README, "`JSII_RUNTIME_PACKAGE_CACHE_ROOT`")[-1] == f"`{JSII_CACHE.relative_to(ROOT)}`"


def test_the_environments_make_accepts_are_the_ones_quoted() -> None:
    listed = re.search(r"^ENVIRONMENTS := ([a-z ]+)", (REPO / "Makefile").read_text(), re.MULTILINE)
    assert listed is not None
    *first, last = [f"`{name}`" for name in listed.group(1).split()]
    assert f"`ENV` must be {', '.join(first)} or {last}; anything else stops with that list" in _one_line(README)


def test_the_test_workers_per_core_quoted_are_the_makefiles() -> None:
    workers = re.search(r"^TEST_WORKERS \?= .*\* (\d+) \)", (REPO / "Makefile").read_text(), re.MULTILINE)
    assert workers is not None
    per_core = _NUMBER_WORDS[int(workers.group(1))]
    assert f"{per_core} workers per core (`TEST_WORKERS`, `PYTEST_ARGS`)" in README
    assert f"`make test` runs pytest with {per_core} workers per core" in TESTING


def _documented_make_targets() -> set[str]:
    """Every target a page tells the reader to run: each one of a `make …` in backticks, and the
    first one of a line of a code block (what follows it there is a description)."""
    targets: set[str] = set()
    for page in (REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))):
        text = page.read_text()
        for span in re.findall(r"`make ([^`]*)`", text):
            targets |= {word for word in span.split() if re.fullmatch(r"[a-z][a-z-]*", word)}
        targets |= set(re.findall(r"^\s*make ([a-z][a-z-]*)", text, re.MULTILINE))
    return targets


def test_every_make_target_the_pages_name_exists() -> None:
    defined = set(re.findall(r"^([a-z][a-z-]*):", (REPO / "Makefile").read_text(), re.MULTILINE))
    named = _documented_make_targets()
    assert {"plan", "apply", "cost-diff", "emulator-stop"} <= named  # the extraction finds them
    assert named <= defined, f"the pages name make targets the Makefile lacks: {sorted(named - defined)}"


def test_every_cli_command_the_pages_name_exists(capsys: pytest.CaptureFixture[str]) -> None:
    from cli.__main__ import main

    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    named = {command for page in pages for command in re.findall(r"python -m cli ([a-z-]+)", page.read_text())}
    assert {"gate", "discover", "drift"} <= named
    for command in sorted(named):
        with pytest.raises(SystemExit) as exited:
            main([command, "--help"])
        assert exited.value.code == 0, command
    capsys.readouterr()


# --- docs/configuration.md ---------------------------------------------------------------------------


def test_the_running_hours_quoted_are_dev_and_stagings() -> None:
    for env in ("dev", "staging"):
        hours = load_environment(env).rds.running_hours
        assert hours is not None
        quoted = f'(dev and staging: `{{days: {hours.days}, start: "{hours.start}", end: "{hours.end}"}}`, time zone `{hours.time_zone}`)'
        assert quoted in _one_line(CONFIGURATION), env
    assert load_environment("prod").rds.running_hours is None


def test_staging_has_no_provisioned_concurrency_outside_its_windows_as_quoted() -> None:
    schedule = load_environment("staging").lambda_service.schedule
    assert schedule is not None and schedule.max_outside_windows == 0
    assert "(staging: 0, so no provisioned concurrency at all outside them" in _one_line(CONFIGURATION)


def test_the_prices_quoted_in_prose_are_the_price_tables() -> None:
    prices = load_price_table(load_environment("dev").region)
    proxy = _eur_a_month(prices.rds.proxy_min_vcpus * prices.rds.proxy_vcpu_hour.usd)
    assert f"billed for at least {prices.rds.proxy_min_vcpus} vCPUs, ~{proxy:.0f} EUR a month" in CONFIGURATION
    endpoint = _eur_a_month(prices.vpc.interface_endpoint_hour_per_az.usd)
    assert f"(about {endpoint:.1f} EUR a month per zone each)" in _one_line(CONFIGURATION)
    for env in ("dev", "staging"):
        assert load_environment(env).rds.proxy is None  # "dev's and staging's cost profile"
        assert not load_environment(env).network.interface_endpoints
    assert tuple(load_environment("prod").network.interface_endpoints) == ("xray",)


def test_the_file_limits_quoted_are_the_loaders() -> None:
    from environments.loader import MAX_FILE_BYTES, MAX_QUOTED_CHARS

    assert MAX_FILE_BYTES % 1024 == 0
    text = _one_line(CONFIGURATION)
    assert f"a file over {MAX_FILE_BYTES // 1024} KiB (each with file and line)" in text
    assert f"values quoted in messages are cut to {MAX_QUOTED_CHARS} characters" in text


def test_the_unreserved_concurrency_quoted_is_the_floor_checked() -> None:
    from modules.lambda_service.config import UNRESERVED_CONCURRENCY_FLOOR

    sentence = f"account_concurrency_quota` minus the {UNRESERVED_CONCURRENCY_FLOOR} AWS keeps unreserved"
    assert _one_line(CONFIGURATION).count(sentence) == 2  # the rules across environments, and Lambda's


def test_the_log_retentions_quoted_are_every_environments() -> None:
    (function_days,) = {
        function.log_retention_days
        for env in ENVIRONMENTS
        for function in load_environment(env).lambda_service.functions.values()
    }
    (database_days,) = {load_environment(env).rds.log_retention_days for env in ENVIRONMENTS}
    from modules.rds.module import LOG_EXPORTS

    text = _one_line(CONFIGURATION)
    assert f"a log group ({function_days} days, KMS)" in text
    exports = ", ".join(f"`{kind}`" for kind in LOG_EXPORTS)
    assert f"exported logs ({exports}; {database_days} days)" in text


def test_the_provisioned_concurrency_target_quoted_is_every_environments() -> None:
    (target,) = {
        function.provisioned_concurrency.target_utilization
        for env in ENVIRONMENTS
        for function in load_environment(env).lambda_service.functions.values()
        if function.provisioned_concurrency is not None
    }
    assert f"target tracking of `LambdaProvisionedConcurrencyUtilization` at {target:.2f}." in _one_line(CONFIGURATION)


def test_the_running_hours_billed_a_week_are_dev_and_stagings() -> None:
    (hours,) = {load_environment(env).rds.running_hours for env in ("dev", "staging")}
    assert hours is not None
    billed = _weekly_hours(hours.days, hours.start, hours.end)
    assert f"Only its running hours are billed ({billed:g} of {7 * 24} a week)" in _one_line(CONFIGURATION)


def test_the_database_settings_table_is_the_shipped_files() -> None:
    configs = {env: load_environment(env).rds for env in ENVIRONMENTS}
    dev, staging, prod = configs.values()

    def each(value: Any) -> list[str]:
        return [value(rds) for rds in configs.values()]

    def hours(rds: Any) -> str:
        running = rds.running_hours
        assert running is None or running.days == "MON-FRI"
        return "around the clock" if running is None else f"weekdays {running.start}–{running.end}"

    assert _row(CONFIGURATION, "`instance_class`") == each(lambda rds: rds.instance_class)
    storage = _row(
        CONFIGURATION, "storage (`allocated_storage_gib` → `max_allocated_storage_gib`, at least 10 % above)"
    )
    assert storage == each(lambda rds: f"{rds.allocated_storage_gib} → {rds.max_allocated_storage_gib} GiB")
    assert _row(CONFIGURATION, "`proxy`") == each(lambda rds: "RDS Proxy" if rds.proxy else "none")
    assert _row(CONFIGURATION, "`running_hours`") == [hours(dev), hours(staging), f"{hours(prod)} (required)"]
    multi_az = [("yes" if rds.multi_az else "no") for rds in configs.values()]
    assert _row(CONFIGURATION, "`multi_az`") == [*multi_az[:2], f"{multi_az[2]} (required)"]
    backups = [str(rds.backup_retention_days) for rds in configs.values()]
    assert _row(CONFIGURATION, "`backup_retention_days`") == [*backups[:2], f"{backups[2]} (≥ 7 required)"]
    protection = [_on_off(rds.deletion_protection and rds.final_snapshot) for rds in configs.values()]
    assert all(rds.deletion_protection == rds.final_snapshot for rds in configs.values())
    assert _row(CONFIGURATION, "`deletion_protection`, `final_snapshot`") == [*protection[:2], "on (required)"]
    alarms = each(lambda rds: f"{rds.cpu_alarm_threshold_percent:g} % / {rds.connections_alarm_threshold_percent:g} %")
    assert _row(CONFIGURATION, "CPU / connections alarm") == alarms
    assert prod.multi_az and prod.deletion_protection and prod.final_snapshot and prod.running_hours is None


def test_prod_requires_the_week_of_backups_the_table_quotes() -> None:
    from environments.errors import ConfigError
    from environments.loader import parse_environment

    required = re.search(r"\| (\d+) \(≥ (\d+) required\) \|", CONFIGURATION)
    assert required is not None
    least = int(required.group(2))
    path = REPO / "environments" / "prod.yaml"
    text = path.read_text()
    assert parse_environment("prod", f"{text}\nrds: {{backup_retention_days: {least}}}\n", path)
    with pytest.raises(ConfigError, match=f"backup_retention_days must be ≥ {least} in prod"):
        parse_environment("prod", f"{text}\nrds: {{backup_retention_days: {least - 1}}}\n", path)


def test_the_database_constants_quoted_are_the_modules() -> None:
    from modules.rds.config import MAX_CONNECTIONS_BYTES_PER_CONNECTION, MAX_CONNECTIONS_CEILING, PORT, RdsConfig

    text = _one_line(CONFIGURATION)
    assert f"clients → proxy → database on {PORT}:" in text
    formula = f"`LEAST(DBInstanceClassMemory / {MAX_CONNECTIONS_BYTES_PER_CONNECTION}, {MAX_CONNECTIONS_CEILING})`"
    assert formula in text
    direct_user = RdsConfig.model_fields["direct_user"].default
    assert {load_environment(env).rds.direct_user for env in ENVIRONMENTS} == {direct_user}
    assert f"as `rds.direct_user` (default `{direct_user}`," in text
    assert f"`CREATE USER {direct_user}; GRANT rds_iam TO {direct_user};`" in text


def test_the_cache_constants_quoted_are_the_modules() -> None:
    from modules.elasticache.module import ACCESS_STRING, SERVERLESS_READER_PORT

    text = _one_line(CONFIGURATION)
    assert f"access string `{ACCESS_STRING}`:" in text
    assert f"reads from replicas on `CACHE_READER_PORT` ({SERVERLESS_READER_PORT})" in text


def test_the_cdn_cache_and_header_figures_are_the_accounts_policies() -> None:
    from cli.config_files import load_account
    from modules.cdn.config import CdnPolicies

    def span(seconds: int) -> str:
        named = {0: "0 s", 86_400: "1 day", 31_536_000: "1 year"}
        return named.get(seconds, f"{seconds} s")

    policies = load_account().cdn_policies
    assert policies == CdnPolicies()  # the defaults, which the page quotes
    assert all(load_environment(env).own_cdn_policies is None for env in ENVIRONMENTS)  # the account's
    static, api = policies.static.ttls, policies.api.ttls
    text = _one_line(CONFIGURATION)
    quoted = f"static assets {span(static.min_seconds)} / {span(static.default_seconds)} / {span(static.max_seconds)}"
    assert f"{quoted} (min / default / max)" in text
    assert f"The API: {api.min_seconds} / {api.default_seconds} / {api.max_seconds} s," in text
    hsts = policies.security_headers.hsts_max_age_seconds
    years = hsts / (365 * 86_400)
    assert years == int(years) and f"HSTS {_NUMBER_WORDS[int(years)]} years with subdomains and `preload`" in text


def test_the_cdn_settings_table_is_the_shipped_files() -> None:
    cdns = [load_environment(env).cdn for env in ENVIRONMENTS]
    assert _row(CONFIGURATION, "price class") == [cdn.price_class for cdn in cdns]
    assert _row(CONFIGURATION, "Origin Shield") == [cdn.origin_shield_region or "off" for cdn in cdns]
    waf = [f"{_on_off(cdn.waf is not None)} / {_on_off(cdn.additional_metrics)}" for cdn in cdns]
    assert _row(CONFIGURATION, "WAF / additional metrics") == waf
    alarms = [
        "none (`cdn.alarms: null`)"
        if cdn.alarms is None
        else f"{cdn.alarms.error_rate_5xx_percent:g} % / {cdn.alarms.error_rate_4xx_percent:g} %"
        for cdn in cdns
    ]
    assert _row(CONFIGURATION, "5xx / 4xx alarm") == alarms


def test_the_key_scopes_and_cost_profiles_quoted_are_the_shipped_files() -> None:
    from modules.core.kms_config import EncryptionConfig

    default = EncryptionConfig.model_fields["keys"].default
    scopes = {env: load_environment(env).encryption.keys for env in ENVIRONMENTS}
    assert scopes == {"dev": "per-environment", "staging": "per-environment", "prod": default}
    text = _one_line(CONFIGURATION)
    assert f"`encryption.keys` is `{default}` by default (prod, required there)" in text
    assert "`per-environment` (dev and staging) is one key" in text
    lean = [env for env in ENVIRONMENTS if not load_environment(env).monitoring.dashboard]
    quiet = [env for env in ENVIRONMENTS if not load_environment(env).monitoring.operational_alarms]
    no_edge = [env for env in ENVIRONMENTS if load_environment(env).cdn.alarms is None]
    assert lean == quiet == no_edge == ["dev"]
    assert "`monitoring.dashboard: false` drops the dashboard (dev)" in text
    assert "drops each function's throttle and near-timeout alarms (dev)" in text
    assert "`cdn.alarms: null` (dev) leaves no alarm at the edge" in text


# --- docs/observability.md ---------------------------------------------------------------------------


def test_the_slo_columns_of_the_alarm_table_are_dev_and_prod_as_shipped() -> None:
    def slo(env: str) -> str:
        objective = load_environment(env).slo
        return f"{objective.latency_p95_ms:g} ms / {objective.error_rate_percent:g} % / {objective.availability_percent:g} %"

    assert f"| alarm | rule | notifies | dev ({slo('dev')}) | prod ({slo('prod')}) |" in OBSERVABILITY


def test_the_near_timeout_alarm_is_at_the_quoted_share_of_each_functions_timeout(
    stacks: dict[str, dict[str, Any]],
) -> None:
    quoted = re.search(r"duration above (\d+) % of the timeout", _one_line(OBSERVABILITY))
    assert quoted is not None
    share = int(quoted.group(1)) / 100
    resources = stacks["prod"]["resource"]
    timeouts_s = sorted(f["timeout"] for f in resources["aws_lambda_function"].values())
    near_timeout = [a for name, a in resources["aws_cloudwatch_metric_alarm"].items() if "near_timeout" in name]
    assert len(near_timeout) == len(timeouts_s)
    assert all(a["metric_name"] == "Duration" and a["statistic"] == "Maximum" for a in near_timeout)
    assert sorted(a["threshold"] for a in near_timeout) == [t * 1000 * share for t in timeouts_s]


def test_the_budget_notifications_are_the_quoted_percentages(stacks: dict[str, dict[str, Any]]) -> None:
    quoted = re.search(r"notifications at ([\d/]+) % actual and (\d+) % forecasted", _one_line(OBSERVABILITY))
    assert quoted is not None
    expected = {("ACTUAL", int(p)) for p in quoted.group(1).split("/")} | {("FORECASTED", int(quoted.group(2)))}
    budgets = [
        budget
        for name in ("dev", "staging", "prod", "account")
        for budget in stacks[name]["resource"]["aws_budgets_budget"].values()
    ]
    assert len(budgets) == 7  # a soft and a burst budget per environment, and the account's total
    for budget in budgets:
        got = {(n["notification_type"], n["threshold"]) for n in budget["notification"]}
        assert got == expected and all(n["threshold_type"] == "PERCENTAGE" for n in budget["notification"])


def test_the_slo_alarm_rules_are_the_alarm_modules() -> None:
    from modules.observability.alarms import LATENCY_EVALUATION_PERIODS, LATENCY_PERIOD_SECONDS
    from modules.observability.burn import (
        SLO_PERIOD_DAYS,
        TIERS,
        availability_threshold_percent,
        duration_text,
        error_rate_threshold_percent,
    )

    configs = [load_environment(env) for env in ("dev", "prod")]
    periods, minutes = LATENCY_EVALUATION_PERIODS, _NUMBER_WORDS[LATENCY_PERIOD_SECONDS // 60]
    assert _row(OBSERVABILITY, "`<fn>-latency-p95`") == [
        f"p95 `Duration` above the objective in {periods} of {periods} {minutes}-minute periods",
        "alert topic",
        *(f"> {config.slo.latency_p95_ms:g} ms" for config in configs),
    ]
    for tier in TIERS:
        long, short = (duration_text(seconds) for seconds in tier.windows)
        rule, notifies, *cells = _row(
            OBSERVABILITY, f"`<fn>-burn-{tier.window_name(tier.long_seconds)}` and `-{short.replace(' ', '')}`"
        )
        assert rule.startswith(
            f"burn ≥ {tier.factor:g} × over {long} and over {short} ({tier.budget_spent_percent():g} % "
        ), tier.name
        assert notifies == f"via `slo-{tier.severity}`", tier.name
        for config, cell in zip(configs, cells, strict=True):
            if tier.name not in config.monitoring.burn_tiers:
                assert cell.startswith("–"), (tier.name, config.name)
                continue
            errors, availability = (
                error_rate_threshold_percent(config.slo, tier),
                availability_threshold_percent(config.slo, tier),
            )
            assert cell == f"errors ≥ {errors:g} % or availability ≤ {availability:g} %", (tier.name, config.name)
    assert f"multi-burn-rate alerting on the {SLO_PERIOD_DAYS}-day" in _one_line(OBSERVABILITY)


def test_a_burn_tiers_price_quoted_is_its_two_alarms_metrics(stacks: dict[str, dict[str, Any]]) -> None:
    """docs/observability.md and docs/cost.md: what one tier of one function adds to the bill, from the
    synthesized alarms of prod's `auth` and the price table."""
    prices = load_price_table(load_environment("prod").region).cloudwatch
    alarms = resources(stacks["prod"], "aws_cloudwatch_metric_alarm")
    tier = [body for body in alarms.values() if body["alarm_name"].startswith("matbakh-prod-api-auth-burn-page-slow-")]
    metrics = [sum(1 for query in body["metric_query"] if "metric" in query) for body in tier]
    assert metrics == [3, 3]
    usd = sum(metrics) * prices.alarm_metric_month.standard.usd
    assert f"(each {usd:.2f} USD a month per function: two alarms of three metrics)" in _one_line(OBSERVABILITY)
    composite = prices.composite_alarm_month.usd
    assert f"| {usd:.2f} USD a tier and function; {composite:.2f} the ticket composite |" in COST


def test_the_seed_account_budget_quoted_is_the_cost_tools() -> None:
    from cli.cost.command import SEED_ACCOUNT_BUDGET_EUR

    assert f"the seed's was {SEED_ACCOUNT_BUDGET_EUR[0]} EUR;" in _one_line(OBSERVABILITY)


# --- docs/stacks.md ----------------------------------------------------------------------------------


def test_the_accounts_cloudfront_policies_quoted_are_account_bootstraps(stacks: dict[str, dict[str, Any]]) -> None:
    names = sorted(
        body["name"]
        for kind in ("aws_cloudfront_cache_policy", "aws_cloudfront_response_headers_policy")
        for body in resources(stacks["account-bootstrap"], kind).values()
    )
    stem = "matbakh-account-shared-cdn-"
    assert names == [f"{stem}api", f"{stem}security-headers", f"{stem}static"]
    assert f"(`cdn_policies:`; `{stem}static`, `-api`, `-security-headers`)" in _one_line(STACKS)
    assert f"finds them by name (`{stem}…`)" in _one_line(CONFIGURATION)


def test_the_state_buckets_retention_quoted_is_every_environments() -> None:
    from modules.state.module import SAVED_PLAN_DAYS

    (days,) = {load_environment(env).state.noncurrent_version_expiration_days for env in ("dev", "staging", "prod")}
    text = _one_line(STACKS)
    assert f"non-current versions expiring after {days} days" in text
    assert f"(non-current versions are kept {days} days)" in text
    assert (
        SAVED_PLAN_DAYS == 1
        and "saved plans (`plans/`) readable only by the apply role and expiring after a day" in text
    )


def test_the_name_lengths_quoted_are_the_label_and_the_caches() -> None:
    import inspect

    from modules.core.label import Context
    from modules.elasticache.module import USER_ID_MAX_LENGTH

    longest = inspect.signature(Context.id).parameters["max_length"].default
    text = _one_line(STACKS)
    assert f"Names made by `Context.id` are cut to {longest} characters with a hash suffix" in text
    assert f"(user ids ≤ {USER_ID_MAX_LENGTH} characters, with the hash suffix when longer)" in text


def test_the_account_stack_sets_region_quoted_is_its_configuration() -> None:
    from cli.config_files import load_account

    assert f"`account/matbakh-shared.tfstate`), in **{load_account().region}** because" in _one_line(STACKS)


# --- docs/delivery.md --------------------------------------------------------------------------------


def test_the_apply_jobs_credentials_last_its_whole_timeout_as_quoted() -> None:
    import yaml

    from modules.delivery.module import APPLY_SESSION_SECONDS

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "deliver-environment.yml").read_text())
    (apply,) = [
        job
        for job in workflow["jobs"].values()
        if any("role-duration-seconds" in (step.get("with") or {}) for step in job.get("steps", []))
    ]
    (session,) = [
        int(step["with"]["role-duration-seconds"])
        for step in apply["steps"]
        if "role-duration-seconds" in (step.get("with") or {})
    ]
    minutes = apply["timeout-minutes"]
    assert session == minutes * 60 <= APPLY_SESSION_SECONDS
    assert f"apply job's credentials last {minutes} minutes, its whole timeout" in _one_line(DELIVERY)


def test_the_drift_schedule_quoted_is_the_workflows() -> None:
    import yaml

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "drift.yml").read_text())
    (schedule,) = workflow[True]["schedule"]  # YAML reads `on:` as True
    minute, hour, *every_day = schedule["cron"].split()
    assert every_day == ["*", "*", "*"]
    assert f"| `drift.yml` | daily {int(hour):02d}:{int(minute):02d} UTC, and by hand |" in DELIVERY


def test_the_default_region_of_the_workflows_is_the_quoted_one() -> None:
    workflows = [path.read_text() for path in (REPO / ".github" / "workflows").glob("*.yml")]
    (default,) = {region for text in workflows for region in re.findall(r"_AWS_REGION \|\| '([a-z0-9-]+)'", text)}
    assert {load_environment(env).region for env in ENVIRONMENTS} == {default}
    assert f"optionally `<ENV>_AWS_REGION` (default {default}; it must be the environment's `region`)" in _one_line(
        DELIVERY
    )


def test_the_ci_roles_settings_table_gives_the_delivery_defaults() -> None:
    from modules.delivery.config import DeliveryConfig, DeliveryWorkflows

    defaults, workflows = DeliveryConfig(), DeliveryWorkflows()
    assert _row(DELIVERY, "`repository`")[0] == f"`{defaults.repository}`"
    assert _row(DELIVERY, "`branch`")[0] == f"`{defaults.branch}`"
    assert defaults.github_environment is None and _row(DELIVERY, "`github_environment`")[0] == "the environment's name"
    planning = [env for env in ENVIRONMENTS if load_environment(env).delivery.plan_pull_requests]
    assert _row(DELIVERY, "`plan_pull_requests`")[0] == f"`{str(defaults.plan_pull_requests).lower()}` " + " ".join(
        f"({env}: `true`)" for env in planning
    )
    for name in ("deliver", "drift", "pull_request_plan"):
        assert _row(DELIVERY, f"`workflows.{name}`")[0] == f"`{getattr(workflows, name)}`"
        assert (REPO / getattr(workflows, name)).is_file()
    assert defaults.oidc_provider_arn is None
    assert _row(DELIVERY, "`oidc_provider_arn`")[0].startswith("unset:")
    assert _row(DELIVERY, "`create_oidc_provider`")[0] == f"`{str(defaults.create_oidc_provider).lower()}`"


def test_the_subject_claim_keys_quoted_are_the_roles() -> None:
    import json

    from modules.delivery.config import SUBJECT_CLAIM_KEYS

    text = _one_line(DELIVERY)
    keys = [f"`{key}`" for key in SUBJECT_CLAIM_KEYS]
    assert f"with the claim keys {', '.join(keys[:-1])} and {keys[-1]}" in text
    assert f'"include_claim_keys": {json.dumps(list(SUBJECT_CLAIM_KEYS))}' in text


def test_the_policy_size_limit_quoted_is_the_packers() -> None:
    from modules.delivery.module import MANAGED_POLICY_LIMIT

    assert f"as IAM's {MANAGED_POLICY_LIMIT:,}-character limit needs" in _one_line(DELIVERY)


def test_the_plan_diffs_cuts_quoted_are_the_printers() -> None:
    from cli.plan_diff import ATTRIBUTE_LINES, VALUE_CHARS

    quoted = f"a value is cut at {VALUE_CHARS} characters and a resource at {ATTRIBUTE_LINES} attribute lines"
    assert quoted in _one_line(DELIVERY)


# --- docs/cost.md ------------------------------------------------------------------------------------


def test_the_exchange_rate_quoted_is_the_dated_one() -> None:
    import calendar

    rate = load_exchange_rate()
    year, month = (int(part) for part in rate.period.split("-"))
    quoted = f"(the {calendar.month_name[month]} {year} average, {rate.usd_per_eur:g};"
    assert quoted in _one_line(COST)


def test_the_seed_budgets_and_the_budget_step_quoted_are_the_cost_tools() -> None:
    from cli.cost.command import BUDGET_STEP_EUR, SEED_ACCOUNT_BUDGET_EUR, SEED_BUDGETS_EUR

    text = _one_line(COST)
    (dev_soft, dev_burst), (staging_soft, staging_burst) = SEED_BUDGETS_EUR["dev"], SEED_BUDGETS_EUR["staging"]
    assert f"fit the seed's burst budgets ({dev_burst} and {staging_burst} EUR)" in text
    assert f"reach the seed's soft budgets ({dev_soft} and {staging_soft} EUR)" in text
    assert f"shown beside the seed's {SEED_ACCOUNT_BUDGET_EUR[0]} (at most {SEED_ACCOUNT_BUDGET_EUR[1]})" in text
    assert text.count(f"rounded up to {BUDGET_STEP_EUR} EUR") == 2
    for env in ("dev", "staging"):  # "today both keep the seed's burst budget"
        assert load_environment(env).budget.burst_limit_eur == SEED_BUDGETS_EUR[env][1]


def test_the_prices_quoted_in_the_cost_page_are_the_price_table() -> None:
    from cli.cost.pricers.lambda_ import XRAY_FIXED_RATE, XRAY_RESERVOIR_PER_SECOND

    prices = load_price_table(load_environment("dev").region)
    text = _one_line(COST)
    assert prices.budgets.budget_day.usd == 0
    assert f"budgets (free without actions, {prices.budgets.action_enabled_budget_day.usd:.2f} USD a day with)" in text
    assert f"Secrets Manager API calls ({prices.secretsmanager.api_calls_per_10k.usd:.2f} USD per 10,000)" in text
    assert (
        f"X-Ray traces of active tracing ({XRAY_RESERVOIR_PER_SECOND} a second, then {XRAY_FIXED_RATE:.0%})"
        in text.replace(" %", "%")
    )
    assert (prices.kms.rotation_month.usd, prices.kms.rotations_charged) == (1.0, 2)
    key_usd = prices.kms.key_month.usd + prices.kms.rotation_month.usd * prices.kms.rotations_charged
    assert (
        f"(+{prices.kms.rotation_month.usd:g} USD a month after each of the first two rotations: priced at the "
        f"{key_usd:g} USD a key pays from its second rotation on)"
    ) in text


def test_the_free_tiers_listed_are_the_price_tables() -> None:
    tiers = load_price_table(load_environment("dev").region).free_tiers

    def amount(quantity: float) -> str:
        whole = int(quantity)
        return f"{whole // 1_000_000} million" if whole >= 1_000_000 and whole % 1_000_000 == 0 else f"{whole:,}"

    transfer = tiers.cloudfront_data_transfer_gb.quantity
    assert transfer % 1024 == 0
    listed = (
        f"{amount(tiers.cloudwatch_alarm_metrics.quantity)} standard alarm metrics, "
        f"{amount(tiers.cloudwatch_dashboards.quantity)} dashboards of up to {tiers.cloudwatch_dashboards.limit:g} "
        f"metrics, {amount(tiers.cloudwatch_logs_gb.quantity)} GB of logs, CloudFront's {transfer / 1024:g} TB and "
        f"{amount(tiers.cloudfront_requests.quantity)} requests, Lambda's {amount(tiers.lambda_requests.quantity)} "
        f"requests and {amount(tiers.lambda_gb_seconds.quantity)} GB-s (not for functions with provisioned "
        f"concurrency), {amount(tiers.xray_traces_recorded.quantity)} X-Ray traces, "
        f"{amount(tiers.budgets_action_enabled.quantity)} action-enabled budgets, "
        f"{amount(tiers.scheduler_invocations.quantity)} Scheduler invocations"
    )
    assert listed in _one_line(COST)


def test_the_windows_and_seed_features_quoted_are_the_shipped_files() -> None:
    text = _one_line(COST)
    prod = load_environment("prod").lambda_service.schedule
    staging = load_environment("staging").lambda_service.schedule
    assert prod is not None and staging is not None
    (prod_window,), (staging_window,) = prod.windows.values(), staging.windows.values()
    assert prod_window.days == staging_window.days == "MON-FRI" and prod.time_zone == "Europe/Berlin"
    assert f"(e.g. weekdays {prod_window.start}–{prod_window.end} Berlin time)" in text
    assert staging_window.min == 1  # "one instance per function"
    dev = load_environment("dev")
    cache, rds = dev.elasticache, dev.rds
    assert cache is not None and cache.replicas.max == 0 and not rds.multi_az
    assert dev.lambda_service.provisioned_concurrency.max > 0 and dev.lambda_service.schedule is None
    assert (
        f"a `{cache.node_type}` node without replica, a Single-AZ `{rds.instance_class}` database, no provisioned "
        f"concurrency in dev and one instance per function on weekdays {staging_window.start}–{staging_window.end} "
        "in staging"
    ) in text
    hours = rds.running_hours
    assert hours is not None and hours == load_environment("staging").rds.running_hours
    assert f"(apply inside {hours.start}–{hours.end} on weekdays, or start the instance first)" in text
    assert f"| the database stopped outside weekdays {hours.start}–{hours.end} by EventBridge Scheduler |" in COST


def test_the_storage_headroom_profile_is_the_shipped_ceiling() -> None:
    import math

    from cli.cost.recommend import STORAGE_HEADROOM_PERCENT

    (rds,) = {
        (load_environment(env).rds.allocated_storage_gib, load_environment(env).rds.max_allocated_storage_gib)
        for env in ("dev", "staging")
    }
    allocated, ceiling = rds
    assert ceiling == math.ceil(allocated * STORAGE_HEADROOM_PERCENT / 100)
    headroom = STORAGE_HEADROOM_PERCENT - 100
    assert (
        f"storage autoscaling to AWS's advised least headroom, {headroom} % | `rds.max_allocated_storage_gib: {ceiling}` |"
        in COST
    )


def test_the_serverless_profiles_limits_are_the_smallest_allowed() -> None:
    from cli.cost.profiles import SERVERLESS_LIMITS
    from modules.elasticache.config import SERVERLESS_ECPU_PER_SECOND, SERVERLESS_STORAGE_GB

    assert SERVERLESS_LIMITS.max_data_storage_gb == SERVERLESS_STORAGE_GB[0]
    assert SERVERLESS_LIMITS.max_ecpu_per_second == SERVERLESS_ECPU_PER_SECOND[0]
    quoted = f"at its smallest limits ({SERVERLESS_STORAGE_GB[0]} GB, {SERVERLESS_ECPU_PER_SECOND[0]:,} ECPU/s)"
    assert quoted in COST


# --- docs/policies.md --------------------------------------------------------------------------------


def test_the_iam_analysers_versions_are_the_pinned_ones() -> None:
    pins = (REPO / "requirements-checkov.txt").read_text()
    text = _one_line(POLICIES)
    assert f"**parliament** ({_pin(pins, 'parliament')}) on identity policies" in text
    assert f"**cloudsplaining** ({_pin(pins, 'cloudsplaining')}) on identity policies" in text


def test_the_failure_example_quotes_devs_cap() -> None:
    import yaml

    caps = yaml.safe_load((REPO / "policies" / "caps.yaml").read_text())["environments"]["dev"]
    cap = caps["provisioned_concurrency_max"]
    assert f"exceeds dev's cap provisioned_concurrency_max = {cap} (policies/caps.yaml)" in _one_line(POLICIES)
    assert load_environment("dev").lambda_service.provisioned_concurrency.max <= cap


# --- docs/emulator.md --------------------------------------------------------------------------------


def test_the_moto_version_quoted_is_the_pinned_one() -> None:
    moto = _pin((REPO / "requirements.txt").read_text(), "moto")
    minor = ".".join(moto.split(".")[:2])
    assert EMULATOR.startswith(f"# The local AWS emulator\n\nmoto {minor} in server mode")
    assert f"(`Targets moto {moto}`)" in EMULATOR


def test_the_emulators_retry_cap_and_patience_are_the_launchers() -> None:
    from cli.emulator import BUSY_PATIENCE_SECONDS, Emulator

    attempts = Emulator(pid=0, port=0, ca_bundle=REPO).terraform_environment("eu-central-1")["AWS_MAX_ATTEMPTS"]
    text = _one_line(EMULATOR)
    assert f"the provider's retries are capped (`AWS_MAX_ATTEMPTS={attempts}`)" in text
    assert f"does not answer is waited for ({BUSY_PATIENCE_SECONDS:g} s)" in text


# --- docs/discovery.md -------------------------------------------------------------------------------


def test_the_discovery_backoff_quoted_is_the_readers() -> None:
    import inspect

    from cli.discovery.aws import AwsReader

    given = inspect.signature(AwsReader.__init__).parameters
    base, ceiling = given["base_delay_seconds"].default, given["max_delay_seconds"].default
    attempts = given["max_attempts"].default
    quoted = f"({base:g} s, doubling, at most {ceiling:g} s, {attempts} attempts)"
    assert quoted in _one_line(DISCOVERY)
