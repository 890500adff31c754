"""The local AWS emulator: moto server over TLS on 127.0.0.1, plus the few gaps it has.

`make plan ENV=dev` with no AWS account starts it (or reuses the running one) and points
Terraform at it with settings only (`AWS_ENDPOINT_URL`, `AWS_CA_BUNDLE`, test credentials),
so the synthesized JSON is the same one that would go to AWS.

Why TLS: the state bucket's policy denies plain HTTP, and moto enforces bucket policies.

The package (docs/emulator.md): `lifecycle` starts, finds and stops the emulator's process in its
folder of its own files; `tls` makes its certificate; `server` is that process
(`python -m cli.emulator serve`, see `__main__`); `patches` fills moto's gaps, one module per gap.
This module re-exports their public names.
"""

from __future__ import annotations

from cli.emulator.lifecycle import (
    BUSY_PATIENCE_SECONDS,
    LOG,
    OWN_FILES,
    PREVIOUS_LOG,
    REAL_ACCOUNT_VARIABLES,
    RECORD,
    Emulator,
    ensure,
    is_emulator,
    isolated_environment,
    running,
    start,
    stop,
)
from cli.emulator.patches._elasticache import SERVERLESS_CACHES_STORE, USER_GROUPS_STORE
from cli.emulator.patches.application_autoscaling_elasticache import EXTRA_SCALABLE_DIMENSIONS
from cli.emulator.patches.cloudfront_policies import CLOUDFRONT_POLICIES
from cli.emulator.patches.cost_explorer import (
    ANOMALY_MONITOR_KIND,
    ANOMALY_SUBSCRIPTION_KIND,
    COST_ALLOCATION_TAG_STATUSES,
    COST_ALLOCATION_TAGS_PER_UPDATE,
    SUBSCRIBER_TYPES,
    SUBSCRIPTION_FREQUENCIES,
)
from cli.emulator.patches.elasticache_serverless_caches import REGION_CODE_WORDS, SERVERLESS_ENGINES
from cli.emulator.patches.rds_insights_and_monitoring import DB_INSTANCE_SETTINGS_KEPT
from cli.emulator.patches.s3_canonical_owner import LIST_BUCKETS_OWNER
from cli.emulator.server import (
    ANSWERS_KEPT,
    HEALTH_PATH,
    HOST,
    main,
    one_request_at_a_time,
    retried_calls_get_their_first_answer,
    serve,
)

__all__ = [
    "ANOMALY_MONITOR_KIND",
    "ANOMALY_SUBSCRIPTION_KIND",
    "ANSWERS_KEPT",
    "BUSY_PATIENCE_SECONDS",
    "CLOUDFRONT_POLICIES",
    "COST_ALLOCATION_TAGS_PER_UPDATE",
    "COST_ALLOCATION_TAG_STATUSES",
    "DB_INSTANCE_SETTINGS_KEPT",
    "EXTRA_SCALABLE_DIMENSIONS",
    "HEALTH_PATH",
    "HOST",
    "LIST_BUCKETS_OWNER",
    "LOG",
    "OWN_FILES",
    "PREVIOUS_LOG",
    "REAL_ACCOUNT_VARIABLES",
    "RECORD",
    "REGION_CODE_WORDS",
    "SERVERLESS_CACHES_STORE",
    "SERVERLESS_ENGINES",
    "SUBSCRIBER_TYPES",
    "SUBSCRIPTION_FREQUENCIES",
    "USER_GROUPS_STORE",
    "Emulator",
    "ensure",
    "is_emulator",
    "isolated_environment",
    "main",
    "one_request_at_a_time",
    "retried_calls_get_their_first_answer",
    "running",
    "serve",
    "start",
    "stop",
]
