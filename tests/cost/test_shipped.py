"""The shipped environments are honest: dev and staging fit their seed budgets, prod's budget is its
estimate rounded up within its caps, and the README's cost table is what `make cost-update` writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli import cost_gate
from cli.config_files import load_account, load_environment
from cli.cost.account import ACCOUNT_STACKS
from cli.cost.command import (
    OPTIONAL_FEATURES,
    README_BEGIN,
    README_END,
    SEED_BUDGETS_EUR,
    EnvironmentCost,
    account_budget,
    account_cost,
    cost_of,
    honest_budget,
    readme_table,
    rounded_budget,
    table,
    toward_seed,
    update,
)
from cli.cost.prices import load_price_table
from cli.cost.profiles import SERVERLESS
from environments.names import ENVIRONMENT_NAMES
from tests.conftest import PYTHON, REPO, run, synthesize


@pytest.fixture(scope="module")
def costs(stacks: dict[str, dict[str, Any]]) -> list[EnvironmentCost]:
    return [cost_of(load_environment(env), stacks[env], stacks[f"{env}-bootstrap"]) for env in ENVIRONMENT_NAMES]


def test_dev_and_staging_keep_their_seed_budget_unless_their_cheapest_settings_exceed_it(
    costs: list[EnvironmentCost],
) -> None:
    for cost in costs[:2]:
        seed_soft, seed_burst = SEED_BUDGETS_EUR[cost.config.name]
        shipped = (cost.config.budget.soft_limit_eur, cost.config.budget.burst_limit_eur)
        assert shipped == honest_budget(cost), "run `make cost-update`"
        floor_up, ceiling_up = rounded_budget(cost)
        assert shipped == (max(seed_soft, floor_up), max(seed_burst, ceiling_up))
        assert cost.advice.fits, cost.config.name
        caps = yaml.safe_load((REPO / "policies" / "caps.yaml").read_text())["environments"][cost.config.name]
        assert shipped[1] <= caps["budget_limit_eur_max"]


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_dev_and_staging_fit_the_seeds_burst_budgets_and_make_cost_says_so(
    costs: list[EnvironmentCost], env: str
) -> None:
    """Issue 20: the cost profiles bring dev's ceiling to ≤ 30 EUR and staging's to ≤ 50, before free tiers."""
    (cost,) = [c for c in costs if c.config.name == env]
    ceiling = cost.estimate.eur(cost.estimate.total_ceiling_usd)
    seed_burst = SEED_BUDGETS_EUR[env][1]
    assert ceiling <= seed_burst == {"dev": 30, "staging": 50}[env]
    assert cost.config.budget.burst_limit_eur == seed_burst
    assert f"the ceiling {ceiling:.2f} fits the seed's burst budget (before the account's free tiers)" in table(cost)


def test_prod_keeps_its_features_and_its_budget_is_the_estimate_rounded_up(costs: list[EnvironmentCost]) -> None:
    prod = costs[2]
    budget = prod.config.budget
    assert (budget.soft_limit_eur, budget.burst_limit_eur) == rounded_budget(prod), "run `make cost-update`"
    assert prod.advice.fits
    assert {bound.dimension for bound in prod.estimate.scaling} == {
        "lambda:function:ProvisionedConcurrency",
        "elasticache:replication-group:Replicas",
    }
    caps = yaml.safe_load((REPO / "policies" / "caps.yaml").read_text())["environments"]["prod"]
    assert budget.burst_limit_eur <= caps["budget_limit_eur_max"]


def test_the_readme_table_is_current(costs: list[EnvironmentCost], stacks: dict[str, dict[str, Any]]) -> None:
    readme = (REPO / "docs" / "cost.md").read_text()
    shipped = readme.split(README_BEGIN, 1)[1].split(README_END, 1)[0].strip()
    account = account_cost(costs, {name: stacks[name] for name in ACCOUNT_STACKS})
    expected = readme_table(costs, None, account, load_account().budget.total_limit_eur)
    assert shipped == expected, "the README's cost table is stale: run `make cost-update`"
    assert "| account total |" in shipped and "| free tiers, once per account |" in shipped


def test_cost_update_rewrites_a_stale_table_between_its_markers_only(
    costs: list[EnvironmentCost], stacks: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """On a copy of the files `make cost-update` writes: with honest budgets only the stale table
    changes, the text around its markers stays, and a second run changes nothing."""
    for name in (
        "policies/caps.yaml",
        "modules/budgets/config.py",
        *(f"environments/{e}.yaml" for e in [*ENVIRONMENT_NAMES, "account"]),
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text((REPO / name).read_text())
    page = tmp_path / "docs" / "cost.md"
    page.parent.mkdir()
    page.write_text(f"# kept\n{README_BEGIN}\n| stale | row |\n{README_END}\nkept too\n")
    account = account_cost(costs, {name: stacks[name] for name in ACCOUNT_STACKS})
    budget = load_account().budget.total_limit_eur
    assert update(costs, root=tmp_path, account=account, account_budget_eur=budget) == ["docs/cost.md: cost table"]
    expected = readme_table(costs, None, account, budget)
    assert page.read_text() == f"# kept\n{README_BEGIN}\n{expected}\n{README_END}\nkept too\n"
    assert update(costs, root=tmp_path, account=account, account_budget_eur=budget) == []


def test_cli_cost_end_to_end_on_the_shipped_environments(tmp_path: Path) -> None:
    outdir = tmp_path / "cdktf.out"
    synthesize(outdir)
    work = tmp_path / "work"
    result = run([PYTHON, "-m", "cli", "cost", "--outdir", str(outdir)], env={"AUTOSCALE_WORK_DIR": str(work)})
    assert result.returncode == 0, result.stderr
    assert "cost: account (every environment" in result.stdout and "the free tiers take off" in result.stdout
    account = json.loads((work / "cost" / "account" / "account-estimate.json").read_text())
    assert account["total_eur"]["floor"] < account["before_free_tiers_eur"]["floor"]
    assert (work / "cost" / "account" / "account-report.md").read_text().startswith("# Cost report: the account")
    for env in ENVIRONMENT_NAMES:
        assert f"cost: {env} (eu-central-1, prices v" in result.stdout
        directory = work / "cost" / env
        estimate = json.loads((directory / "cost-estimate.json").read_text())
        assert estimate["environment"] == env and estimate["floor_eur"] <= estimate["ceiling_eur"]
        assert estimate["not_priced"] == []
        assert "## Scaling bounds" in (directory / "cost-report.md").read_text()
        assert (directory / "cost-report.html").read_text().startswith("<!doctype html>")
        budget = load_environment(env).budget
        cost_gate.gate(
            directory / "cost-estimate.json",
            environment=env,
            soft_limit_eur=budget.soft_limit_eur,
            burst_limit_eur=budget.burst_limit_eur,
        )
    one = run(
        [PYTHON, "-m", "cli", "cost", "--outdir", str(outdir), "--env", "staging"],
        env={"AUTOSCALE_WORK_DIR": str(work)},
    )
    assert one.returncode == 0 and "cost: staging" in one.stdout and "cost: dev" not in one.stdout
    assert "the account total (free tiers credited once) needs every environment" in one.stdout


def test_make_cost_end_to_end_in_a_copy_of_the_repository(tmp_path: Path) -> None:
    from tests.integration.conftest import make_ready_repository

    bench = make_ready_repository(tmp_path)
    root, variables = bench.root, {k: v for k, v in bench.env.items() if k != "ENV"}
    # The copies' virtual environments are this run's: never remake them.
    keep = ["-o", ".venv/.installed", "-o", ".venv-checkov/.installed", "-o", ".cache/jsii/.warm"]
    one = run(["make", "--no-print-directory", *keep, "cost", "ENV=prod"], cwd=root, env=variables, inherit=False)
    assert one.returncode == 0, one.stdout + one.stderr
    assert "cost: prod (eu-central-1" in one.stdout and "cost: dev" not in one.stdout
    assert (root / "cdktf.out" / "stacks" / "prod" / "cdk.tf.json").exists()
    every = run(["make", "--no-print-directory", *keep, "cost"], cwd=root, env=variables, inherit=False)
    assert every.returncode == 0, every.stdout + every.stderr
    for env in ENVIRONMENT_NAMES:
        assert (root / ".work" / "cost" / env / "cost-estimate.json").exists()


def test_the_cost_gate_of_make_plan_writes_beside_the_plan_and_refuses_an_over_budget_environment(
    tmp_path: Path,
) -> None:
    from cli.cost import command
    from cli.errors import UserError

    outdir = tmp_path / "cdktf.out"
    synthesize(outdir, "--env", "dev")
    config = load_environment("dev")
    assert command.gate(outdir, config, tmp_path / "plan") == tmp_path / "plan" / "cost-estimate.json"
    tight = config.model_copy(update={"budget": config.budget.model_copy(update={"soft_limit_eur": 1.0})})
    with pytest.raises(UserError, match=r"estimated floor .* exceeds dev's soft budget 1 EUR"):
        command.gate(outdir, tight, tmp_path / "tight")
    assert (tmp_path / "tight" / "cost-report.md").exists()  # the report says why


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_the_cheapest_configuration_toward_the_seed_gives_up_optional_features_only(
    costs: list[EnvironmentCost], env: str
) -> None:
    (cost,) = [c for c in costs if c.config.name == env]
    cheapest = toward_seed(cost)
    floor = cost.estimate.eur(cost.estimate.total_floor_usd)
    assert cheapest.floor_eur == pytest.approx(floor - sum(eur for _, _, eur in cheapest.given_up))
    assert cheapest.given_up and all(OPTIONAL_FEATURES[feature] == setting for feature, setting, _ in cheapest.given_up)
    given = [eur for _, _, eur in cheapest.given_up]
    assert given == sorted(given, reverse=True)  # the dearest first
    if not cheapest.meets:  # then nothing optional is left to give up
        left = {f for f, floor_usd, _ in cost.estimate.by_feature() if f in OPTIONAL_FEATURES and floor_usd > 0}
        assert left == {feature for feature, _, _ in cheapest.given_up}
    assert cheapest.meets is (cheapest.floor_eur <= SEED_BUDGETS_EUR[env][0])


def test_the_cost_profiles_table_quotes_the_price_table(
    costs: list[EnvironmentCost], stacks: dict[str, dict[str, Any]]
) -> None:
    """docs/cost.md's cost-profile figures, recomputed from the price table and the shipped estimates."""
    text = (REPO / "docs" / "cost.md").read_text()
    dev, staging, prod = costs
    prices, rate = load_price_table("eu-central-1"), dev.estimate.usd_per_eur
    key_usd = prices.kms.key_month.usd + prices.kms.rotation_month.usd * prices.kms.rotations_charged
    assert f"~{key_usd / rate:.1f} EUR a key (1 USD, 3 once rotated twice)" in text
    assert (prices.kms.key_month.usd, key_usd) == (1.0, 3.0)
    (proxy,) = [eur for name, eur, _ in prod.estimate.by_feature() if name == "RDS Proxy"]
    assert f"~{prod.estimate.eur(proxy):.0f} EUR (billed for at least 2 vCPU)" in text
    hours = load_environment("dev").rds.running_hours
    assert hours is not None and (hours.days, hours.start, hours.end) == ("MON-FRI", "07:00", "19:00")
    assert "108 of 168 instance hours" in text and 168 - 5 * 12 == 108
    window = load_environment("staging").lambda_service.schedule
    assert window is not None and (window.windows["business-hours"].start, window.windows["business-hours"].end) == (
        "08:00",
        "18:00",
    )
    assert "the ceiling of 118 of 168 hours" in text and 168 - 5 * 10 == 118
    rds = load_environment("dev").rds
    assert f"the ceiling's {50 - rds.max_allocated_storage_gib} GB" in text  # from the former 50 GB ceiling
    watch = prices.cloudwatch
    assert f"{watch.dashboard_month.usd:g} USD; {watch.alarm_metric_month.standard.usd:.2f} USD an alarm" in text
    at_edge = {
        f"{kind}.{name}"
        for kind, bodies in stacks["staging"]["resource"].items()
        for name, body in bodies.items()
        if body.get("provider") == "aws.edge"
    }
    edge = sum(item.ceiling_usd for item in staging.estimate.items if item.address.split("#")[0] in at_edge)
    assert f"~{edge:.1f} USD" in text and staging.config.cdn.alarms is not None
    (serverless,) = [r for r in dev.advice.recommendations if r.title == SERVERLESS]
    floor, ceiling = dev.estimate.eur(serverless.floor_saving_usd), -dev.estimate.eur(serverless.ceiling_saving_usd)
    assert f"dev's floor falls ~{floor:.1f} EUR" in text and f"its ceiling rises ~{ceiling:.0f} EUR" in text
    assert dev.estimate.eur(dev.estimate.total_ceiling_usd) + ceiling > SEED_BUDGETS_EUR["staging"][1]


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_the_configuration_page_quotes_the_shipped_budgets(env: str) -> None:
    budget = load_environment(env).budget
    (row,) = [
        line for line in (REPO / "docs" / "configuration.md").read_text().splitlines() if line.startswith(f"| {env} |")
    ]
    assert f"| {budget.soft_limit_eur:g} / {budget.burst_limit_eur:g} |" in row


def test_the_accounts_budget_is_the_environments_soft_budgets_and_its_stack_set_added_up(
    costs: list[EnvironmentCost], stacks: dict[str, dict[str, Any]]
) -> None:
    account = account_cost(costs, {name: stacks[name] for name in ACCOUNT_STACKS})
    soft: dict[str, tuple[float, float]] = {
        c.config.name: (c.config.budget.soft_limit_eur, c.config.budget.burst_limit_eur) for c in costs
    }
    total = load_account().budget.total_limit_eur
    assert total == account_budget(soft, account), "run `make cost-update`"
    added = sum(s for s, _ in soft.values()) + account.eur(account.own.total_floor_usd)
    assert added <= total < added + 10
    caps = yaml.safe_load((REPO / "policies" / "caps.yaml").read_text())["environments"]["account"]
    assert caps["budget_limit_eur_max"] >= total
