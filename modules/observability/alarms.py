"""The functions' SLO and service alarms, and the composite "service degraded" alarm.

SLO alarms follow the SRE workbook's burn-rate alerting on a 30-day error budget: an alarm
fires when the budget burns fast enough to matter, not when one datapoint crosses a line.

* fast burn: 14.4 × the budget rate over a sliding hour (2 % of the month's budget gone in an hour);
* slow burn: 6 × the budget rate over a sliding six hours (5 % gone in six hours).

Each burn alarm is one metric-math alarm whose period is its window (CloudWatch's default
sliding evaluation window re-evaluates it every minute), so one alarm per rule is enough;
the workbook's short "reset" window is left out to keep the alarm count (and bill) low: an
alarm may stay in ALARM up to one window after the burn stops.

Missing data is `notBreaching` throughout: an idle function publishes no datapoints, and no
traffic is neither an error nor slow. Availability at the edge (no requests reaching an
origin) is watched by the CDN's own alarms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from modules.core.alarms import AlarmRule, AlarmTarget, Metric, metric_alarm
from modules.core.cdk import CloudwatchCompositeAlarm, Construct, TerraformProvider
from modules.core.label import Context
from modules.lambda_service.module import DeployedFunction
from modules.observability.config import SloConfig

LAMBDA = "AWS/Lambda"
CLOUDFRONT = "AWS/CloudFront"
SLO_PERIOD_DAYS = 30


@dataclass(frozen=True)
class BurnRate:
    """An error-budget burn rule: `factor` × the budget rate sustained over `window_seconds`."""

    name: str
    factor: float
    window_seconds: int

    def budget_spent_percent(self) -> float:
        """How much of the 30-day budget is gone when the alarm fires."""
        return round(100 * self.factor * self.window_seconds / (SLO_PERIOD_DAYS * 86400), 2)


FAST_BURN = BurnRate("fast-burn", 14.4, 3600)
SLOW_BURN = BurnRate("slow-burn", 6.0, 6 * 3600)

# p95 above the objective in every one of three five-minute periods.
LATENCY_PERIOD_SECONDS = 300
LATENCY_EVALUATION_PERIODS = 3
# Duration above this share of the timeout means requests are about to time out.
NEAR_TIMEOUT_SHARE = 0.9


def burn_threshold_percent(budget_percent: float, burn: BurnRate) -> float:
    """The error rate (%) at which `burn` spends the budget; never above 100 %."""
    return round(min(100.0, budget_percent * burn.factor), 4)


def availability_floor_percent(slo: SloConfig) -> float:
    """The availability (%) below which the fast burn spends the availability budget."""
    return round(100 - burn_threshold_percent(slo.unavailability_budget_percent, FAST_BURN), 4)


def latency_rule(slo: SloConfig) -> AlarmRule:
    """p95 above the objective in every one of the evaluated periods; no traffic is not slow."""
    return AlarmRule.sustained("GreaterThanThreshold", slo.latency_p95_ms, LATENCY_EVALUATION_PERIODS, "notBreaching")


LATENCY_WINDOW = f"in {LATENCY_EVALUATION_PERIODS} consecutive {LATENCY_PERIOD_SECONDS // 60}-minute periods"


@dataclass(frozen=True)
class FunctionAlarmNames:
    """The alarms of one function, by kind (`latency-p95`, `error-rate-fast-burn`, …)."""

    slo: dict[str, str]
    service: dict[str, str]


class ServiceAlarms(Construct):
    """SLO alarms for every critical function, service alarms for every function, one composite."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        slo: SloConfig,
        functions: Mapping[str, DeployedFunction],
        target: AlarmTarget,
        operational: bool = True,
    ) -> None:
        """`operational`: each function's throttle and near-timeout alarms too (monitoring.operational_alarms);
        a function without SLO alarms keeps its error alarm, one with provisioned concurrency its spillover alarm."""
        super().__init__(scope, id_)
        self._target = target
        self._slo = slo
        self._operational = operational
        # SLO alarm name → token of its ARN, for the dashboard's status widget.
        self.slo_alarm_arns: dict[str, str] = {}
        self._slo_alarm_names: list[str] = []
        for key, function in functions.items():
            if function.critical:
                self._slo_alarms(key, function)
            self._service_alarms(key, function)
        degraded = CloudwatchCompositeAlarm(
            self,
            "service_degraded",
            alarm_name=target.context.id("service-degraded"),
            alarm_description=(
                f"The {target.context.environment} service misses an SLO: one of its burn-rate, latency or "
                "availability alarms is in ALARM. Open the dashboard, then the alarm named in the history."
            ),
            alarm_rule=" OR ".join(f'ALARM("{name}")' for name in self._slo_alarm_names) or "FALSE",
            alarm_actions=[target.topic_arn],
            ok_actions=[target.topic_arn],
            tags=target.context.tags,
        )
        self.degraded_alarm_arn: str = degraded.arn

    def _name(self, key: str, kind: str) -> str:
        return self._target.context.id(key, kind)

    def _slo_alarms(self, key: str, function: DeployedFunction) -> None:
        slo, dimensions = self._slo, function.metric_dimensions()

        def metric(name: str, statistic: str, period: int) -> Metric:
            return Metric(LAMBDA, name, dimensions, statistic, period)

        alarms = {
            "latency-p95": metric_alarm(
                self,
                f"{key.replace('-', '_')}_latency_p95",
                target=self._target,
                name=self._name(key, "latency-p95"),
                description=(
                    f"p95 duration of {function.function_name} above the {slo.latency_p95_ms:g} ms objective "
                    f"{LATENCY_WINDOW}"
                ),
                rule=latency_rule(slo),
                metrics={"p95": metric("Duration", "p95", LATENCY_PERIOD_SECONDS)},
            )
        }
        for burn in (FAST_BURN, SLOW_BURN):
            threshold = burn_threshold_percent(slo.error_budget_percent, burn)
            alarms[f"error-rate-{burn.name}"] = metric_alarm(
                self,
                f"{key.replace('-', '_')}_error_rate_{burn.name.replace('-', '_')}",
                target=self._target,
                name=self._name(key, f"error-rate-{burn.name}"),
                description=(
                    f"Error rate of {function.function_name} over {burn.window_seconds // 3600} h above "
                    f"{threshold:g} % ({burn.factor:g} × the {slo.error_rate_percent:g} % objective): "
                    f"{burn.budget_spent_percent():g} % of the 30-day error budget spent"
                ),
                rule=AlarmRule("GreaterThanThreshold", threshold, 1, 1, "notBreaching"),
                metrics={
                    "errors": metric("Errors", "Sum", burn.window_seconds),
                    "invocations": metric("Invocations", "Sum", burn.window_seconds),
                },
                expression="100 * errors / invocations",
            )
        availability_floor = availability_floor_percent(slo)
        window = FAST_BURN.window_seconds
        alarms["availability"] = metric_alarm(
            self,
            f"{key.replace('-', '_')}_availability",
            target=self._target,
            name=self._name(key, "availability"),
            description=(
                f"Availability of {function.function_name} (neither failed nor throttled) over "
                f"{window // 3600} h below {availability_floor:g} %: the {slo.availability_percent:g} % objective's "
                f"budget burns {FAST_BURN.factor:g} × too fast"
            ),
            rule=AlarmRule("LessThanThreshold", availability_floor, 1, 1, "notBreaching"),
            metrics={
                "errors": metric("Errors", "Sum", window),
                "throttles": metric("Throttles", "Sum", window),
                "invocations": metric("Invocations", "Sum", window),
            },
            expression="100 - 100 * (errors + throttles) / (invocations + throttles)",
        )
        for kind, alarm in alarms.items():
            self.slo_alarm_arns[self._name(key, kind)] = alarm.arn
            self._slo_alarm_names.append(alarm.alarm_name)

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
        window = FAST_BURN.window_seconds
        floor = availability_floor_percent(slo)
        alarms = {
            "availability": metric_alarm(
                self,
                "availability",
                target=target,
                name=context.id("edge", "availability"),
                description=(
                    f"Share of viewer requests not answered 5xx over {window // 3600} h below {floor:g} %: "
                    f"the {slo.availability_percent:g} % objective's budget burns {FAST_BURN.factor:g} × too fast"
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
