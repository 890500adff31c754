"""The registry of pricers, one module per service, keyed by the Terraform resource types they price.

Each pricer (cli/cost/pricers/base.py) reads the stack's immutable index and yields the lines of
the resources of its types; `REGISTRY.price` concatenates them in the order below (the order of
an estimate's lines and of the report), then sweeps every resource none of them handled into
free (its type is in the price table's `free:`) or NOT PRICED. A new priced type gets a pricer
here; a type claimed by two pricers, or a line for a type its pricer does not declare, is a
`RegistryError`.
"""

from __future__ import annotations

from cli.cost.pricers import (
    budgets,
    cloudfront,
    cloudwatch,
    elasticache,
    kms,
    lambda_,
    rds,
    s3,
    scheduler,
    secretsmanager,
    vpc,
    waf,
)
from cli.cost.pricers.base import Context, Pricer, Registry, RegistryError, pricer, sweep, usage_quantity

__all__ = ["REGISTRY", "Context", "Pricer", "Registry", "RegistryError", "pricer", "sweep", "usage_quantity"]

REGISTRY = Registry(
    (
        lambda_.provisioned_concurrency,
        elasticache.replication_groups,
        elasticache.serverless_caches,
        rds.instances,
        rds.proxies,
        cloudfront.distributions,
        cloudfront.monitoring_subscriptions,
        waf.web_acls,
        cloudwatch.alarms,
        cloudwatch.dashboards,
        cloudwatch.log_groups,
        kms.keys,
        budgets.budgets,
        vpc.nat_gateways,
        vpc.endpoints,
        secretsmanager.secrets,
        scheduler.schedules,
        s3.buckets,
        lambda_.requests_and_duration,
    )
)
