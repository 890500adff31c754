"""The functions' SLO and service alarms, and the composite "service degraded" alarm.

SLO alarms follow the SRE workbook's multiwindow, multi-burn-rate alerting on a 30-day budget
(the tiers are `modules/observability/burn.py`): a tier fires while the budget burns at its factor
or faster over a long window (the burn matters) **and** a short one (it is still going on, so the
alert resets within the short window once the burn stops):

* page: 14.4 × over 1 h and 5 min; 6 × over 6 h and 30 min (2 % and 5 % of the budget spent);
* ticket: 3 × over 1 d and 2 h; 1 × over 3 d and 6 h (10 % of the budget spent each).

Shape, and why. CloudWatch cannot compare two windows in one alarm: a metric-math alarm reads
every metric at one period, and metric math has no moving-window function. So each window is a
metric-math alarm whose period is the window (the default sliding evaluation window re-evaluates
it every minute; periods up to 3 d are valid, since Period × EvaluationPeriods may reach 7 days
for periods of an hour or more and 1 day below that), and one composite alarm per severity joins
every function's tiers: `(ALARM(long) AND ALARM(short)) OR …`; `slo-page` notifies the alert
topic (and is what "service degraded" watches), `slo-ticket` the ticket topic. Only they notify:
a window alarm with actions would notify on its own, and the AND would mean nothing. A composite
notification names the window alarms that triggered it, hence the function and the tier; one
composite per function would cost 0.50 USD a month each (a rule's length and alarm count are
limited by AWS; five functions with every tier name 20 alarms in each rule).

Each window alarm watches both budgets at once: the burn rate is
`MAX([error rate / error budget, unavailability / unavailability budget])`, errors and throttles
over requests (invocations + throttles), so it reads three metrics (errors, throttles,
invocations); separate error-rate and availability alarms would read five per window. What a
tier costs per critical function (two window alarms of three metrics) and a composite cost is
priced by `make cost` and quoted in docs/cost.md; `monitoring.burn_tiers` keeps fewer tiers where
the budget is small (dev, staging).
`FILL(…, 0)` makes a window with throttled requests only count (Lambda publishes no Invocations
then); a window without any request is 0 / 0, no datapoint, `notBreaching`.

Latency is not a burn tier: Lambda publishes no count of slow requests; their share would be
`100 - PR(:objective)` of `Duration` (CloudWatch's percentile-rank statistic), a fourth metric in
every window alarm (one more metric in each of a function's window alarms) for an SLO the p95
alarm already watches. Not cheap enough for dev's budget; the p95 alarm stays.

Missing data is `notBreaching` throughout: an idle function publishes no datapoints, and no
traffic is neither an error nor slow. Availability at the edge is watched by the edge's own
alarm (`EdgeSloAlarms`), on the fast page tier's long window only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from modules.core.alarms import AlarmRule, AlarmTarget, Metric, metric_alarm
from modules.core.cdk import CloudwatchCompositeAlarm, Construct, TerraformProvider
from modules.core.label import Context
from modules.lambda_service.module import DeployedFunction
from modules.observability.burn import (
    PAGE_FAST,
    TIERS,
    BurnTier,
    Severity,
    availability_threshold_percent,
    duration_text,
)
from modules.observability.config import SloConfig

LAMBDA = "AWS/Lambda"
CLOUDFRONT = "AWS/CloudFront"

# p95 above the objective in every one of three five-minute periods.
LATENCY_PERIOD_SECONDS = 300
LATENCY_EVALUATION_PERIODS = 3
# Duration above this share of the timeout means requests are about to time out.
NEAR_TIMEOUT_SHARE = 0.9


def latency_rule(slo: SloConfig) -> AlarmRule:
    """p95 above the objective in every one of the evaluated periods; no traffic is not slow."""
    return AlarmRule.sustained("GreaterThanThreshold", slo.latency_p95_ms, LATENCY_EVALUATION_PERIODS, "notBreaching")


LATENCY_WINDOW = f"in {LATENCY_EVALUATION_PERIODS} consecutive {LATENCY_PERIOD_SECONDS // 60}-minute periods"


def burn_expressions(slo: SloConfig) -> tuple[dict[str, str], str]:
    """The window alarm's math: intermediate steps (id → expression) and the burn rate it watches,
    in multiples of the sustainable rate of whichever budget burns faster."""
    steps = {
        "requests": "FILL(invocations, 0) + FILL(throttles, 0)",
        "error_burn": f"100 * FILL(errors, 0) / requests / {slo.error_budget_percent:g}",
        "unavailable_burn": (
            f"100 * (FILL(errors, 0) + FILL(throttles, 0)) / requests / {slo.unavailability_budget_percent:g}"
        ),
    }
    return steps, "MAX([error_burn, unavailable_burn])"


def burn_rule(tier: BurnTier) -> AlarmRule:
    """The window's burn rate at or above the tier's factor at the latest evaluation (its period is
    the window): a burn of exactly 1 × spends the whole budget in 30 days, which opens a ticket."""
    return AlarmRule("GreaterThanOrEqualToThreshold", tier.factor, 1, 1, "notBreaching")


class ServiceAlarms(Construct):
    """SLO alarms for every critical function, service alarms for every function, one composite.

    `target` is the alert topic (pages, service alarms, "service degraded"); `tickets` the ticket
    topic, which the ticket tiers notify instead, so that a team can route them elsewhere.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        slo: SloConfig,
        functions: Mapping[str, DeployedFunction],
        target: AlarmTarget,
        tickets: AlarmTarget,
        tiers: Sequence[BurnTier] = TIERS,
        operational: bool = True,
    ) -> None:
        """`tiers`: the burn tiers the environment pays for (monitoring.burn_tiers). `operational`: each
        function's throttle and near-timeout alarms too (monitoring.operational_alarms); a function
        without SLO alarms keeps its error alarm, one with provisioned concurrency its spillover alarm."""
        super().__init__(scope, id_)
        self._target = target
        self._targets: dict[Severity, AlarmTarget] = {"page": target, "ticket": tickets}
        self._slo = slo
        self._operational = operational
        # SLO alarm name → token of its ARN, for the dashboard's status widget.
        self.slo_alarm_arns: dict[str, str] = {}
        self._tiers = tuple(tiers)
        # What "service degraded" watches: each function's latency alarm, and the page composite.
        self._degraded_names: list[str] = []
        # Per severity, every function's `(ALARM(long) AND ALARM(short))` conditions.
        self._conditions: dict[Severity, list[str]] = {"page": [], "ticket": []}
        for key, function in functions.items():
            if function.critical:
                self._slo_alarms(key, function)
            self._service_alarms(key, function)
        for severity, conditions in self._conditions.items():
            if not conditions:
                continue
            composite = self._composite(
                f"slo_{severity}",
                name=target.context.id(f"slo-{severity}"),
                description=(
                    f"{severity.capitalize()}: a function of {target.context.environment} burns its error budget "
                    f"({slo.error_rate_percent:g} % errors) or its availability budget "
                    f"({slo.availability_percent:g} %) at {self._tiers_text(severity)}. The window alarms in "
                    "ALARM name the function and the tier."
                ),
                conditions=conditions,
                target=self._targets[severity],
            )
            self.slo_alarm_arns[composite.alarm_name] = composite.arn
            if severity == "page":
                self._degraded_names.append(composite.alarm_name)
        degraded = self._composite(
            "service_degraded",
            name=target.context.id("service-degraded"),
            description=(
                f"The {target.context.environment} service misses an SLO: a function's p95 latency alarm or "
                "the page-tier burn alarm is in ALARM. Open the dashboard, then the alarm named in the history."
            ),
            conditions=[f'ALARM("{name}")' for name in self._degraded_names],
            target=target,
        )
        self.degraded_alarm_arn: str = degraded.arn

    def _name(self, key: str, kind: str) -> str:
        return self._target.context.id(key, kind)

    def _tiers_text(self, severity: Severity) -> str:
        """`14.4 × over 1 h and 5 min (2 % of the 30-day budget spent); or …` for the severity's tiers."""
        return "; or ".join(
            f"{tier.factor:g} × over {duration_text(tier.long_seconds)} and {duration_text(tier.short_seconds)} "
            f"({tier.budget_spent_percent():g} % of the 30-day budget spent)"
            for tier in self._tiers
            if tier.severity == severity
        )

    def _composite(
        self, id_: str, *, name: str, description: str, conditions: list[str], target: AlarmTarget
    ) -> CloudwatchCompositeAlarm:
        """Any of `conditions` in ALARM (none: never), notifying `target`."""
        return CloudwatchCompositeAlarm(
            self,
            id_,
            alarm_name=name,
            alarm_description=description[:1024],
            alarm_rule=" OR ".join(conditions) or "FALSE",
            alarm_actions=[target.topic_arn],
            ok_actions=[target.topic_arn],
            tags=target.context.tags,
        )

    def _slo_alarms(self, key: str, function: DeployedFunction) -> None:
        slo, dimensions, id_ = self._slo, function.metric_dimensions(), key.replace("-", "_")
        latency = metric_alarm(
            self,
            f"{id_}_latency_p95",
            target=self._target,
            name=self._name(key, "latency-p95"),
            description=(
                f"p95 duration of {function.function_name} above the {slo.latency_p95_ms:g} ms objective "
                f"{LATENCY_WINDOW}"
            ),
            rule=latency_rule(slo),
            metrics={"p95": Metric(LAMBDA, "Duration", dimensions, "p95", LATENCY_PERIOD_SECONDS)},
        )
        self.slo_alarm_arns[self._name(key, "latency-p95")] = latency.arn
        self._degraded_names.append(latency.alarm_name)
        for severity in self._conditions:
            self._conditions[severity] += self._window_alarms(key, function, severity)

    def _window_alarms(self, key: str, function: DeployedFunction, severity: Severity) -> list[str]:
        """The severity's window alarms of `function` (no actions: a composite notifies for them);
        one `(ALARM(long) AND ALARM(short))` condition per tier."""
        slo, dimensions, id_ = self._slo, function.metric_dimensions(), key.replace("-", "_")
        steps, burn = burn_expressions(slo)
        composite_name = self._target.context.id(f"slo-{severity}")
        conditions = []
        for tier in (tier for tier in self._tiers if tier.severity == severity):
            windows = []
            for seconds in tier.windows:
                window = tier.window_name(seconds)
                which = "long" if seconds == tier.long_seconds else "short"
                alarm = metric_alarm(
                    self,
                    f"{id_}_burn_{window.replace('-', '_')}",
                    target=self._targets[severity],
                    name=self._name(key, f"burn-{window}"),
                    description=(
                        f"Error or availability budget of {function.function_name} burning at "
                        f"{tier.factor:g} × or more over {duration_text(seconds)}: the {which} window of the "
                        f"{tier.name} tier; notifies nobody itself, {composite_name} does"
                    ),
                    rule=burn_rule(tier),
                    metrics={
                        name: Metric(LAMBDA, name.capitalize(), dimensions, "Sum", seconds)
                        for name in ("errors", "throttles", "invocations")
                    },
                    expressions=steps,
                    expression=burn,
                    notify=False,
                )
                windows.append(f'ALARM("{alarm.alarm_name}")')
            conditions.append(f"({' AND '.join(windows)})")
        return conditions

    def _service_alarms(self, key: str, function: DeployedFunction) -> None:
        dimensions = function.metric_dimensions()
        near_timeout_ms = round(function.timeout_seconds * 1000 * NEAR_TIMEOUT_SHARE)
        rules: dict[str, tuple[str, Metric, float]] = {}
        operational: dict[str, tuple[str, Metric, float]] = {
            "throttles": (
                f"{function.function_name} was throttled: its reserved concurrency is exhausted",
                Metric(LAMBDA, "Throttles", dimensions, "Sum"),
                0,
            ),
            "near-timeout": (
                f"Slowest invocation of {function.function_name} above {near_timeout_ms} ms, "
                f"{NEAR_TIMEOUT_SHARE:.0%} of its {function.timeout_seconds} s timeout",
                Metric(LAMBDA, "Duration", dimensions, "Maximum"),
                near_timeout_ms,
            ),
        }
        if self._operational:
            rules.update(operational)
        if not function.critical:
            rules["errors"] = (
                f"{function.function_name} failed (it has no SLO alarms: any error is reported)",
                Metric(LAMBDA, "Errors", dimensions, "Sum"),
                0,
            )
        if function.autoscaling_resource_id is not None:
            rules["spillover"] = (
                f"Invocations of {function.function_name} spilled over its provisioned concurrency "
                "(cold starts): the autoscaling maximum or the scheduled minimum is too low",
                Metric(LAMBDA, "ProvisionedConcurrencySpilloverInvocations", dimensions, "Sum"),
                0,
            )
        for kind, (description, metric, threshold) in rules.items():
            metric_alarm(
                self,
                f"{key}_{kind}".replace("-", "_"),
                target=self._target,
                name=self._name(key, kind),
                description=description,
                rule=AlarmRule("GreaterThanThreshold", threshold, 3, 2, "notBreaching"),
                metrics={"m": metric},
            )


@dataclass(frozen=True)
class EdgeMetrics:
    """What the SLO alarms need of the CDN: its metrics live in us-east-1, so do its alarms."""

    dimensions: Mapping[str, str]
    provider: TerraformProvider
    topic_arn: str
    additional_metrics: bool


class EdgeSloAlarms(Construct):
    """The SLO at the edge: availability (5xx responses) as a fast-burn alarm and, where the paid
    additional metrics are on, p95 origin latency. They live in us-east-1, beside CloudFront's
    metrics, notify the edge topic and reach the environment's topic through the CDN's forwarding;
    a composite alarm cannot span regions, so they are not part of "service degraded"."""

    def __init__(self, scope: Construct, id_: str, *, slo: SloConfig, edge: EdgeMetrics, context: Context) -> None:
        super().__init__(scope, id_)
        target = AlarmTarget(context=context, topic_arn=edge.topic_arn, provider=edge.provider)
        window = PAGE_FAST.long_seconds
        floor = availability_threshold_percent(slo, PAGE_FAST)
        alarms = {
            "availability": metric_alarm(
                self,
                "availability",
                target=target,
                name=context.id("edge", "availability"),
                description=(
                    f"Share of viewer requests not answered 5xx over {window // 3600} h below {floor:g} %: "
                    f"the {slo.availability_percent:g} % objective's budget burns {PAGE_FAST.factor:g} × too fast"
                ),
                rule=AlarmRule("LessThanThreshold", floor, 1, 1, "notBreaching"),
                metrics={"errors": Metric(CLOUDFRONT, "5xxErrorRate", edge.dimensions, "Average", window)},
                expression="100 - errors",
            )
        }
        if edge.additional_metrics:
            alarms["latency-p95"] = metric_alarm(
                self,
                "latency_p95",
                target=target,
                name=context.id("edge", "latency-p95"),
                description=(
                    f"p95 origin latency at the edge above the {slo.latency_p95_ms:g} ms objective {LATENCY_WINDOW}"
                ),
                rule=latency_rule(slo),
                metrics={"p95": Metric(CLOUDFRONT, "OriginLatency", edge.dimensions, "p95", LATENCY_PERIOD_SECONDS)},
            )
        self.alarm_arns: dict[str, str] = {context.id("edge", kind): alarm.arn for kind, alarm in alarms.items()}
