"""Fixture stacks in the shape CDKTF synthesizes, with the resource types other issues add."""

from __future__ import annotations

import copy
import json
from typing import Any

from cli.cost.prices import load_exchange_rate, load_price_table
from environments.usage import UsageAssumptions

PRICES = load_price_table("eu-central-1")
EXCHANGE_RATE = load_exchange_rate()
USAGE = UsageAssumptions(
    requests_per_month=1_000_000,
    average_duration_ms=100,
    data_transfer_gb=10,
    cdn_cache_hit_ratio=0.5,
    bucket_storage_gb=8,
    log_gb_per_month=2,
)
RATE = 1.16


def _fixture() -> dict[str, Any]:
    target = "aws_appautoscaling_target.api_target"
    return {
        "provider": {"aws": [{"region": "eu-central-1"}]},
        "resource": {
            "aws_lambda_function": {
                "api": {
                    "function_name": "api",
                    "memory_size": 1024,
                    "architectures": ["arm64"],
                    "tracing_config": {"mode": "Active"},
                }
            },
            "aws_lambda_alias": {
                "api_live": {"function_name": "${aws_lambda_function.api.function_name}", "name": "live"}
            },
            "aws_appautoscaling_target": {
                "api_target": {
                    "min_capacity": 1,
                    "max_capacity": 4,
                    "resource_id": "function:${aws_lambda_function.api.function_name}:${aws_lambda_alias.api_live.name}",
                    "scalable_dimension": "lambda:function:ProvisionedConcurrency",
                    "service_namespace": "lambda",
                }
            },
            "aws_appautoscaling_scheduled_action": {
                "api_start": {
                    "resource_id": f"${{{target}.resource_id}}",
                    "schedule": "cron(0 8 ? * MON-FRI *)",
                    "timezone": "Europe/Berlin",
                    "scalable_target_action": {"min_capacity": "3", "max_capacity": "4"},
                },
                "api_end": {
                    "resource_id": f"${{{target}.resource_id}}",
                    "schedule": "cron(0 18 ? * MON-FRI *)",
                    "timezone": "Europe/Berlin",
                    "scalable_target_action": {"min_capacity": "1", "max_capacity": "4"},
                },
            },
            "aws_elasticache_replication_group": {
                "cache": {"node_type": "cache.t4g.small", "num_node_groups": 1, "replicas_per_node_group": 1}
            },
            "aws_db_instance": {
                "database": {
                    "instance_class": "db.t4g.small",
                    "multi_az": True,
                    "allocated_storage": 20,
                    "max_allocated_storage": 50,
                    "performance_insights_enabled": True,
                    "performance_insights_retention_period": 31,
                    "manage_master_user_password": True,
                }
            },
            "aws_db_proxy": {"proxy": {"name": "proxy"}},
            "aws_db_proxy_target": {
                "proxy_target": {
                    "db_proxy_name": "${aws_db_proxy.proxy.name}",
                    "db_instance_identifier": "${aws_db_instance.database.identifier}",
                }
            },
            "aws_cloudfront_distribution": {
                "cdn": {
                    "origin": [
                        {"domain_name": "x", "origin_shield": {"enabled": True, "origin_shield_region": "eu-central-1"}}
                    ]
                }
            },
            "aws_cloudfront_monitoring_subscription": {
                "cdn_metrics": {
                    "distribution_id": "${aws_cloudfront_distribution.cdn.id}",
                    "monitoring_subscription": {
                        "realtime_metrics_subscription_config": {"realtime_metrics_subscription_status": "Enabled"}
                    },
                }
            },
            "aws_wafv2_web_acl": {"acl": {"scope": "CLOUDFRONT", "rule": [{"name": "a"}, {"name": "b"}]}},
            "aws_cloudwatch_dashboard": {
                "board": {
                    "dashboard_name": "x",
                    "dashboard_body": json.dumps(
                        {
                            "widgets": [
                                {"type": "text", "properties": {"markdown": "x"}},
                                {"type": "metric", "properties": {"metrics": [["AWS/Lambda", "Errors"], ["...", "y"]]}},
                                {"type": "metric", "properties": {"metrics": [[{"expression": "m1 / m2"}]]}},
                            ]
                        }
                    ),
                }
            },
            "aws_cloudwatch_metric_alarm": {
                "math": {
                    "metric_query": [
                        {"id": "a", "metric": {"metric_name": "Hits", "period": 300}},
                        {"id": "b", "metric": {"metric_name": "Misses", "period": 300}},
                        {"id": "rate", "expression": "a / (a + b)", "return_data": True},
                    ]
                },
                "fast": {"metric_name": "Errors", "period": 10},
            },
            "aws_kms_key": {"key": {}, "rotating": {"enable_key_rotation": True, "rotation_period_in_days": 180}},
            "aws_budgets_budget": {"soft": {"name": "soft"}, "acting": {"name": "acting"}},
            "aws_budgets_budget_action": {"stop": {"budget_name": "${aws_budgets_budget.acting.name}"}},
            "aws_secretsmanager_secret": {"secret": {}},
            "aws_cloudwatch_log_group": {"logs": {"retention_in_days": 30}},
            "aws_iam_role": {"role": {}},
            "aws_s3_bucket": {"assets": {}, "uploads": {}},
            "aws_s3_bucket_versioning": {"assets_versioning": {"bucket": "${aws_s3_bucket.assets.id}"}},
            "aws_mystery_widget": {"widget": {}},
        },
    }


def fixture_stack() -> dict[str, Any]:
    """A fresh copy: tests change it."""
    return copy.deepcopy(_fixture())


def without_provisioned_concurrency(stack: dict[str, Any]) -> dict[str, Any]:
    """The fixture as an environment without provisioned concurrency (the Lambda free tier covers it)."""
    resources = stack["resource"]
    for kind in ("aws_appautoscaling_target", "aws_appautoscaling_scheduled_action"):
        del resources[kind]
    return stack


def bootstrap_stack() -> dict[str, Any]:
    """An environment's bootstrap stack: the state key (rotating yearly), its alias and the state bucket."""
    return {
        "resource": {
            "aws_kms_key": {"state_key": {"enable_key_rotation": True}},
            "aws_kms_alias": {"state_key_alias": {"target_key_id": "${aws_kms_key.state_key.key_id}"}},
            "aws_s3_bucket": {"state_bucket": {}},
            "aws_iam_openid_connect_provider": {"github": {}},
        }
    }


def account_stacks() -> dict[str, dict[str, Any]]:
    """The account stack set: the total budget, anomaly detection, the alert key and topic; its bootstrap."""
    return {
        "account": {
            "resource": {
                "aws_budgets_budget": {"total": {"name": "total"}},
                "aws_ce_anomaly_monitor": {"services": {}},
                "aws_kms_key": {"alerts_key": {"enable_key_rotation": True}},
                "aws_sns_topic": {"alerts": {}},
            }
        },
        "account-bootstrap": bootstrap_stack(),
    }
