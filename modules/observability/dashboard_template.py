"""The dashboard's jinja2 template (a string: modules read no files). Its lines are JSON
fragments, kept whole for reading, hence no line-length limit in this file."""

from __future__ import annotations

from modules.core.text import template

# One CloudWatch dashboard per environment. Every metric names a resource of the stack.
DASHBOARD = template(
    r"""{% macro row(namespace, metric, dimensions, options) -%}
[{{ namespace | tojson }}, {{ metric | tojson }}{% for name, value in dimensions.items() %}, {{ name | tojson }}, {{ value | tojson }}{% endfor %}, {{ options | tojson }}]
{%- endmacro %}
{% macro metric_widget(title, rows, stat, view="timeSeries", annotation=None, in_region=None, annotations=[]) -%}
{% set lines = ([annotation] if annotation else []) + annotations %}
{"type": "metric", "width": 12, "height": 6, "properties": {"title": {{ title | tojson }}, "region": {{ (in_region or region) | tojson }}, "view": {{ view | tojson }}, "stat": {{ stat | tojson }}, "period": 300, "metrics": [{{ rows | join(", ") }}]{% if lines %}, "annotations": {"horizontal": [{{ lines | map("tojson") | join(", ") }}]}{% endif %}}}
{%- endmacro %}
{% set widgets = [] %}
{% do widgets.append('{"type": "text", "width": 24, "height": 2, "properties": {"markdown": ' ~ ("## " ~ title ~ "\nSLO: p95 < " ~ slo.latency_p95_ms ~ " ms, errors < " ~ slo.error_rate_percent ~ " %, availability ≥ " ~ slo.availability_percent ~ " %. Alarms go to the alert topic.") | tojson ~ '}}') %}
{% if slo_alarm_arns %}
{% do widgets.append('{"type": "alarm", "width": 24, "height": 4, "properties": {"title": "SLO status", "alarms": ' ~ (slo_alarm_arns | tojson) ~ '}}') %}
{% endif %}
{% set concurrency = [] %}{% set utilization = [] %}{% set invocations = [] %}{% set errors = [] %}{% set throttles = [] %}
{% for function in functions %}
{% do concurrency.append(row("AWS/Lambda", "ConcurrentExecutions", {"FunctionName": function.name}, {"label": function.key})) %}
{% do invocations.append(row("AWS/Lambda", "Invocations", function.dimensions, {"label": function.key})) %}
{% do errors.append(row("AWS/Lambda", "Errors", function.dimensions, {"label": function.key})) %}
{% do throttles.append(row("AWS/Lambda", "Throttles", function.dimensions, {"label": function.key})) %}
{% if function.provisioned %}
{% do utilization.append(row("AWS/Lambda", "ProvisionedConcurrencyUtilization", function.dimensions, {"label": function.key})) %}
{% endif %}
{% endfor %}
{% if functions %}
{% do widgets.append(metric_widget("Lambda concurrent executions", concurrency, "Maximum")) %}
{% if utilization %}
{% set targets = [] %}{% for target in utilization_targets %}{% do targets.append({"label": "target" if utilization_targets | length == 1 else "target " ~ target, "value": target}) %}{% endfor %}
{% do widgets.append(metric_widget("Provisioned concurrency utilization", utilization, "Maximum", annotations=targets)) %}
{% endif %}
{% do widgets.append(metric_widget("Lambda invocations", invocations, "Sum")) %}
{% do widgets.append(metric_widget("Lambda errors", errors, "Sum")) %}
{% do widgets.append(metric_widget("Lambda throttles", throttles, "Sum")) %}
{% endif %}
{% set url_requests = [] %}{% set url_errors = [] %}{% set url_latency = [] %}
{% for function in functions if function.routed %}
{% do url_requests.append(row("AWS/Lambda", "UrlRequestCount", function.dimensions, {"label": function.key})) %}
{% do url_errors.append(row("AWS/Lambda", "Url5xxCount", function.dimensions, {"label": function.key ~ " 5xx"})) %}
{% do url_errors.append(row("AWS/Lambda", "Url4xxCount", function.dimensions, {"label": function.key ~ " 4xx"})) %}
{% do url_latency.append(row("AWS/Lambda", "UrlRequestLatency", function.dimensions, {"label": function.key})) %}
{% endfor %}
{% if url_requests %}
{% do widgets.append(metric_widget("Front door requests (function URLs)", url_requests, "Sum")) %}
{% do widgets.append(metric_widget("Front door errors (function URLs)", url_errors, "Sum")) %}
{% do widgets.append(metric_widget("Front door latency p95 (ms)", url_latency, "p95", annotation={"label": "p95 objective", "value": slo.latency_p95_ms})) %}
{% endif %}
{% for function in functions %}
{% set durations = [] %}
{% for statistic in ["p50", "p95", "p99"] %}
{% do durations.append(row("AWS/Lambda", "Duration", function.dimensions, {"stat": statistic, "label": statistic})) %}
{% endfor %}
{% do widgets.append(metric_widget("Duration of " ~ function.key ~ " (ms)", durations, "p95", annotation={"label": "p95 objective", "value": slo.latency_p95_ms} if function.critical else None)) %}
{% endfor %}
{% set per_resource = [
  ("AWS/ElastiCache", cache.dimension if cache else "", cache.resources if cache else [], cache.panels if cache else []),
  ("AWS/RDS", "DBInstanceIdentifier", database_instances, [("CPUUtilization", "Average", "Database CPU (%)"), ("FreeableMemory", "Minimum", "Database freeable memory (bytes)"), ("DatabaseConnections", "Maximum", "Database connections"), ("FreeStorageSpace", "Minimum", "Database free storage (bytes)")]),
] %}
{% for namespace, dimension, resources, panels in per_resource if resources %}
{% for metric, stat, title in panels %}
{% set rows = [] %}
{% for resource in resources %}
{% do rows.append(row(namespace, metric, {dimension: resource}, {"label": resource})) %}
{% endfor %}
{% do widgets.append(metric_widget(title, rows, stat)) %}
{% endfor %}
{% endfor %}
{% if database_instances | length > 1 %}
{% set rows = [] %}
{% for instance in database_instances[1:] %}
{% do rows.append(row("AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": instance}, {"label": instance})) %}
{% endfor %}
{% do widgets.append(metric_widget("Database replica lag (s)", rows, "Maximum")) %}
{% endif %}
{% if database_proxy %}
{% do widgets.append(metric_widget("Database proxy client connections", [row("AWS/RDS", "ClientConnections", {"ProxyName": database_proxy}, {"label": "proxy"})], "Maximum")) %}
{% endif %}
{% do widgets.append(metric_widget("Edge requests", [row("AWS/CloudFront", "Requests", edge_dimensions, {"label": "requests"})], "Sum", in_region=edge_region)) %}
{% do widgets.append(metric_widget("Edge error rates (%)", [row("AWS/CloudFront", "4xxErrorRate", edge_dimensions, {"label": "4xx"}), row("AWS/CloudFront", "5xxErrorRate", edge_dimensions, {"label": "5xx"})], "Average", in_region=edge_region)) %}
{% if edge_additional_metrics %}
{% do widgets.append(metric_widget("Edge cache hit rate (%)", [row("AWS/CloudFront", "CacheHitRate", edge_dimensions, {"label": "hit rate"})], "Average", in_region=edge_region)) %}
{% do widgets.append(metric_widget("Edge origin latency (ms)", [row("AWS/CloudFront", "OriginLatency", edge_dimensions, {"stat": "p95", "label": "p95"})], "p95", in_region=edge_region, annotation={"label": "p95 objective", "value": slo.latency_p95_ms})) %}
{% endif %}
{"widgets": [
{{ widgets | join(",\n") }}
]}
"""
)
