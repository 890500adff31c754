"""WAF: web ACLs and their rules, and the requests they inspect (at the edge: before the cache)."""

from __future__ import annotations

from collections.abc import Iterator

from cli.cost.lines import Line, fixed, usage
from cli.cost.pricers.base import Context, pricer
from cli.cost.pricers.cloudfront import edge_requests


@pricer("aws_wafv2_web_acl")
def web_acls(context: Context) -> Iterator[Line]:
    waf, assumed = context.prices.wafv2, context.usage
    at_the_edge = edge_requests(context)
    for address, acl in context.stack.of("aws_wafv2_web_acl"):
        rules = acl.get("rule") or []
        count = len(rules) if isinstance(rules, list) else 1
        cost = waf.web_acl_month.usd + count * waf.rule_month.usd
        yield fixed(
            address,
            "waf",
            "WAF",
            cost,
            cost,
            f"1 web ACL + {count} rules",
            "wafv2.web_acl_month",
            "wafv2.rule_month",
        )
        at_edge = str(acl.get("scope", "")).upper() == "CLOUDFRONT"
        requests = at_the_edge if at_edge else assumed.requests_per_month
        yield usage(
            address,
            "waf",
            "WAF",
            requests / 1e6 * waf.requests_per_million.usd,
            f"{requests:,.0f} requests",
            "wafv2.requests_per_million",
        )
