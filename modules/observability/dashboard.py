"""The environment's CloudWatch dashboard, rendered with jinja2 from the stack's real resources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from modules.cdn.module import EDGE_REGION
from modules.core.cdk import CloudwatchDashboard, Construct
from modules.core.label import Context
from modules.elasticache.alarms import CacheMetrics
from modules.lambda_service.module import DeployedFunction
from modules.observability.config import SloConfig
from modules.observability.dashboard_template import DASHBOARD


@dataclass(frozen=True)
class DatabaseMetrics:
    """The database's metric dimensions: the instance and its replicas, and the proxy."""

    instance_identifiers: Sequence[str]
    proxy_name: str | None


def dashboard_body(
    *,
    context: Context,
    region: str,
    slo: SloConfig,
    functions: Mapping[str, DeployedFunction],
    cache: CacheMetrics | None,
    database: DatabaseMetrics,
    edge_dimensions: Mapping[str, str],
    edge_additional_metrics: bool,
    slo_alarm_arns: Sequence[str],
) -> str:
    """The dashboard's JSON body; names only metrics of the resources passed in."""
    return DASHBOARD.render(
        title=f"{context.id()}: {context.environment}",
        region=region,
        slo=slo,
        functions=[
            {
                "key": key,
                "name": function.function_name,
                "dimensions": function.metric_dimensions(),
                "provisioned": function.autoscaling_resource_id is not None,
                "critical": function.critical,
                "routed": bool(function.routes),
            }
            for key, function in functions.items()
        ],
        # The target each function's provisioned-concurrency autoscaling holds (lambda.*.target_utilization).
        utilization_targets=sorted(
            {f.target_utilization for f in functions.values() if f.target_utilization is not None}
        ),
        cache=cache,
        database_instances=list(database.instance_identifiers),
        database_proxy=database.proxy_name,
        edge_dimensions=dict(edge_dimensions),
        edge_region=EDGE_REGION,
        edge_additional_metrics=edge_additional_metrics,
        slo_alarm_arns=list(slo_alarm_arns),
    )


class Dashboard(Construct):
    """One `aws_cloudwatch_dashboard` per environment."""

    def __init__(self, scope: Construct, id_: str, *, context: Context, body: str) -> None:
        super().__init__(scope, id_)
        dashboard = CloudwatchDashboard(self, "dashboard", dashboard_name=context.id(), dashboard_body=body)
        self.dashboard_name: str = dashboard.dashboard_name
