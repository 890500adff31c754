"""The CDN: a CloudFront distribution in front of a private assets bucket and the API.

Static assets come from a private, versioned, SSE-KMS bucket that only this distribution may
read (origin access control), cached long and compressed; the API is a custom origin over HTTPS
(TLS 1.2), cached briefly and only as its Cache-Control allows, with viewer headers, cookies and
query strings forwarded. Viewers get HTTP/2 and HTTP/3, IPv6, TLS 1.2 (2021 policy) with the
configured ACM certificate, security headers on every response, and standard access logs. AWS
WAF and the alarms on CloudFront's metrics live in us-east-1 (the edge provider).

This module assembles the parts, one file per concern (buckets, distribution, domain, WAF, alarms;
the account's policies it is given); each creates its resources directly in the `CdnDistribution`,
so the construct ids, hence the Terraform addresses, are the same as when it was one class.
"""

from __future__ import annotations

from modules.cdn.alarms import edge_alarms
from modules.cdn.buckets import assets_bucket, log_bucket, serve_assets
from modules.cdn.config import CdnConfig
from modules.cdn.distribution import additional_metrics, cloudfront_distribution
from modules.cdn.domain import alias_records, certificate
from modules.cdn.edge import EDGE_REGION, NAMESPACE, metric_dimensions
from modules.cdn.policies import PolicyIds
from modules.cdn.waf import web_acl
from modules.core.account import AwsAccount
from modules.core.cdk import Construct, TerraformProvider
from modules.core.kms import PER_SERVICE_KEYS, KeySource
from modules.core.label import Context
from modules.front_door.module import FunctionUrlFrontDoor
from modules.observability.module import AlertTopic

__all__ = ["EDGE_REGION", "CdnDistribution"]


class CdnDistribution(Construct):
    """One environment's CloudFront distribution, its two buckets, policies, WAF and edge alarms.

    `edge_provider` is an AWS provider for us-east-1, created by the stack: WAF web ACLs of scope
    CLOUDFRONT must be created there, and CloudFront's metrics (hence its alarms) exist only there.
    The edge alarms notify a us-east-1 topic whose state changes EventBridge forwards to `alerts`,
    the environment's topic (modules/cdn/alarms.py), so whoever watches it sees them too.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: CdnConfig,
        context: Context,
        alerts: AlertTopic,
        edge_provider: TerraformProvider,
        policies: PolicyIds,
        front_door: FunctionUrlFrontDoor | None = None,
        account_id: str | None = None,
        keys: KeySource = PER_SERVICE_KEYS,
    ) -> None:
        """`policies`: the cache and response headers policies of the account (modules/cdn/policies.py).
        `front_door`: the API's function URLs; each becomes an origin signed with an origin
        access control, and only this distribution is admitted to them. `account_id`: the account,
        when configured; bucket names are global, so the buckets' names carry it."""
        super().__init__(scope, id_)
        account = AwsAccount.of(self)
        logs = log_bucket(
            self, context=context, keys=keys, account_id=account_id, retention_days=config.log_retention_days
        )
        assets = assets_bucket(self, context=context, account_id=account_id)
        acl = (
            web_acl(self, context=context, config=config.waf, edge_provider=edge_provider)
            if config.waf is not None
            else None
        )
        validation = (
            certificate(self, context=context, domain=config.domain, edge_provider=edge_provider)
            if config.domain is not None
            else None
        )
        distribution = cloudfront_distribution(
            self,
            config=config,
            context=context,
            assets=assets,
            logs=logs,
            web_acl=acl,
            front_door=front_door,
            certificate=validation,
            policies=policies,
        )
        serve_assets(self, assets, distribution, context=context, keys=keys, account=account)
        if front_door is not None:
            front_door.admit(distribution.arn)
        if config.domain is not None:
            alias_records(self, domain=config.domain, distribution=distribution)
        if config.additional_metrics:
            additional_metrics(self, distribution)

        self.distribution_id: str = distribution.id
        self.distribution_arn: str = distribution.arn
        self.domain_name: str = distribution.domain_name
        self.hosted_zone_id: str = distribution.hosted_zone_id
        self.assets_bucket_name: str = assets.bucket
        self.assets_bucket_arn: str = assets.arn
        self.log_bucket_name: str = logs.bucket
        self.web_acl_arn: str | None = acl.arn if acl is not None else None
        self.metric_namespace: str = NAMESPACE
        self.metric_region: str = EDGE_REGION
        self.metric_dimensions: dict[str, str] = metric_dimensions(distribution.id)

        self.edge_provider: TerraformProvider = edge_provider
        self.additional_metrics: bool = config.additional_metrics
        self.edge_alert_topic_arn: str | None = None
        if config.alarms is not None:
            edge_topic = edge_alarms(
                self,
                context=context,
                thresholds=config.alarms,
                additional_metrics=config.additional_metrics,
                distribution=distribution,
                alerts=alerts,
                edge_provider=edge_provider,
                account=account,
            )
            self.edge_alert_topic_arn = edge_topic.topic_arn
