"""The estate serves a request, walked as a graph over each environment's synthesized JSON:

request → CDN behavior of the route → origin (the function URL of that function, signed by an
origin access control of type lambda) → the function's alias, which admits only this
distribution; the function → its private subnets and client security groups → the proxy's group
→ the database's group, its role's `rds-db:connect` on exactly the proxy's user, and the proxy
endpoint in its environment; the same chain for the cache (IAM user in the group's user group,
`elasticache:Connect` on both). Each link is followed through the `${…}` references of the JSON,
so a broken link anywhere fails the walk; a function that uses no store reaches none.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from cli.config_files import load_environments
from environments.schema import EnvironmentConfig
from modules.rds.config import PORT as DATABASE_PORT

ENVIRONMENTS = ("dev", "staging", "prod")
REFERENCE = re.compile(r"^\$\{(?P<type>(?:data\.)?aws_[a-z0-9_]+)\.(?P<name>[A-Za-z0-9_-]+)\.(?P<attribute>[a-z_]+)\}$")


@dataclass(frozen=True)
class Node:
    type: str
    name: str
    body: dict[str, Any]


class Graph:
    """The resources of one stack, and the references between them."""

    def __init__(self, stack: dict[str, Any]) -> None:
        self.stack = stack

    def all(self, resource_type: str) -> list[Node]:
        return [Node(resource_type, name, body) for name, body in self.stack["resource"].get(resource_type, {}).items()]

    def follow(self, reference: str, resource_type: str, attribute: str) -> Node:
        """The resource `reference` (`${type.name.attribute}`) points to; it must be of the given type and attribute."""
        match = REFERENCE.match(reference)
        assert match, f"{reference!r} is not a reference to a resource of the stack"
        assert (match["type"], match["attribute"]) == (resource_type, attribute), (
            f"{reference} is not the {attribute} of an {resource_type}"
        )
        body = self.stack["resource"][resource_type].get(match["name"])
        assert body is not None, f"{reference} points to no resource"
        return Node(resource_type, match["name"], body)

    def ref(self, node: Node, attribute: str) -> str:
        return f"${{{node.type}.{node.name}.{attribute}}}"

    def local(self, reference: str) -> Any:
        match = re.fullmatch(r"\$\{local\.([A-Za-z0-9_]+)\}", reference)
        assert match, f"{reference!r} is not a local"
        return self.stack["locals"][match[1]]

    def ingress_from(self, group: Node, port: int) -> set[str]:
        """The groups `group` admits on `port` (references to their ids)."""
        return {
            rule.body["referenced_security_group_id"]
            for rule in self.all("aws_vpc_security_group_ingress_rule")
            if rule.body["security_group_id"] == self.ref(group, "id")
            and rule.body["from_port"] <= port <= rule.body["to_port"]
            and "referenced_security_group_id" in rule.body
        }

    def egress_to(self, group_reference: str, port: int) -> set[str]:
        return {
            rule.body["referenced_security_group_id"]
            for rule in self.all("aws_vpc_security_group_egress_rule")
            if rule.body["security_group_id"] == group_reference
            and rule.body["from_port"] <= port <= rule.body["to_port"]
            and "referenced_security_group_id" in rule.body
        }

    def role_statements(self, function: Node) -> list[dict[str, Any]]:
        role = self.follow(function.body["role"], "aws_iam_role", "arn")
        policies = [p for p in self.all("aws_iam_role_policy") if p.body["role"] == self.ref(role, "id")]
        assert policies, f"the role of {function.name} has no policy"
        return [statement for p in policies for statement in json.loads(p.body["policy"])["Statement"]]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def _resources(statement: dict[str, Any]) -> list[str]:
    found = statement["Resource"]
    return [found] if isinstance(found, str) else list(found)


@pytest.fixture(scope="module")
def configs() -> dict[str, EnvironmentConfig]:
    return {config.name: config for config in load_environments(list(ENVIRONMENTS))}


def _function(graph: Graph, config: EnvironmentConfig, key: str) -> Node:
    name = config.context.id(key)
    (function,) = [f for f in graph.all("aws_lambda_function") if f.body["function_name"] == name]
    return function


def _private_subnets(graph: Graph) -> set[str]:
    return {graph.ref(s, "id") for s in graph.all("aws_subnet") if s.body["tags"].get("Tier") == "private"}


def _admitted(graph: Graph, groups: set[str], port: int) -> set[str]:
    """The security groups the given groups admit on the port."""
    return {
        source
        for reference in groups
        for source in graph.ingress_from(graph.follow(reference, "aws_security_group", "id"), port)
    }


def _walk_to_database(graph: Graph, config: EnvironmentConfig, function: Node) -> None:
    """function → client group → proxy group → database group (or straight to the database group
    without a proxy); IAM on exactly the user the function logs in as; endpoint."""
    port = DATABASE_PORT
    proxies = graph.all("aws_db_proxy")
    assert len(proxies) == (1 if config.rds.proxy is not None else 0)
    (instance,) = [i for i in graph.all("aws_db_instance") if "replicate_source_db" not in i.body]
    assert instance.body["iam_database_authentication_enabled"] is True
    database_groups = set(instance.body["vpc_security_group_ids"])
    entry_groups = set(proxies[0].body["vpc_security_group_ids"]) if proxies else database_groups
    function_groups = set(function.body["vpc_config"]["security_group_ids"])
    clients = function_groups & _admitted(graph, entry_groups, port)
    assert clients, f"{function.name}: none of its groups is admitted at the database's entry"
    assert any(graph.egress_to(client, port) & entry_groups for client in clients), "no egress to the entry"
    connects = [s for s in graph.role_statements(function) if "rds-db:connect" in _actions(s)]
    assert len(connects) == 1, f"{function.name}: expected one rds-db:connect statement"
    (resource,) = _resources(connects[0])
    match = re.fullmatch(r"arn:\$\{[^}]+\}:rds-db:\$\{[^}]+\}:\$\{[^}]+\}:dbuser:(\$\{[^}]+\})/(\w+)", resource)
    assert match, resource
    variables = function.body["environment"]["variables"]
    assert variables["DATABASE_NAME"] == config.rds.database_name
    assert variables["DATABASE_USER"] == match[2]
    if not proxies:
        # IAM authorizes the instance's own resource id, for the user that is not the master.
        assert match[1] == graph.ref(instance, "resource_id")
        assert match[2] == config.rds.direct_user != config.rds.master_username
        assert variables["DATABASE_HOST"] == graph.ref(instance, "address")
        return
    (proxy,) = proxies
    assert entry_groups & _admitted(graph, database_groups, port), "the database's group does not admit the proxy's"
    # the proxy targets that database
    (target,) = graph.all("aws_db_proxy_target")
    assert target.body["db_proxy_name"] == graph.ref(proxy, "name")
    assert target.body["db_instance_identifier"] == graph.ref(instance, "identifier")
    assert graph.local(match[1]) == f'${{element(split(":", {proxy.type}.{proxy.name}.arn), 6)}}'
    assert match[2] == config.rds.master_username
    assert variables["DATABASE_HOST"] == graph.ref(proxy, "endpoint")


def _walk_to_cache(graph: Graph, config: EnvironmentConfig, key: str, function: Node) -> None:
    """function → client group → cache group; its IAM user in the group's user group; IAM; endpoint."""
    port = 6379
    (group,) = graph.all("aws_elasticache_replication_group")
    assert "auth_token" not in group.body
    cache_groups = set(group.body["security_group_ids"])
    admitted = {
        source
        for reference in cache_groups
        for source in graph.ingress_from(graph.follow(reference, "aws_security_group", "id"), port)
    }
    clients = set(function.body["vpc_config"]["security_group_ids"]) & admitted
    assert clients, f"{function.name}: none of its groups is admitted by the cache's group"
    assert any(graph.egress_to(client, port) & cache_groups for client in clients), "no egress to the cache"
    (user_group_reference,) = group.body["user_group_ids"]
    user_group = graph.follow(user_group_reference, "aws_elasticache_user_group", "user_group_id")
    variables = function.body["environment"]["variables"]
    (user,) = [u for u in graph.all("aws_elasticache_user") if u.body["user_id"] == variables["CACHE_USER_ID"]]
    assert user.body["user_name"] == user.body["user_id"], "IAM authentication needs the user id as its name"
    assert user.body["authentication_mode"]["type"] == "iam"
    members = user_group.body["user_ids"]
    assert graph.ref(user, "user_id") in members or user.body["user_id"] in members, "the user is not in the group"
    owners = {u.body["user_id"] for u in graph.all("aws_elasticache_user") if "user" in u.name}
    assert len(owners) == len(graph.all("aws_elasticache_user")), "two clients share a cache user"
    connects = [s for s in graph.role_statements(function) if "elasticache:Connect" in _actions(s)]
    assert len(connects) == 1, f"{function.name}: expected one elasticache:Connect statement"
    assert sorted(_resources(connects[0])) == sorted([graph.ref(group, "arn"), graph.ref(user, "arn")])
    assert variables["CACHE_ENDPOINT"] == graph.ref(group, "configuration_endpoint_address")
    assert variables["CACHE_REPLICATION_GROUP_ID"] in (
        group.body["replication_group_id"],
        graph.ref(group, "replication_group_id"),
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_function_reaches_exactly_the_stores_it_uses(
    env: str, stacks: dict[str, dict[str, Any]], configs: dict[str, EnvironmentConfig]
) -> None:
    graph, config = Graph(stacks[env]), configs[env]
    functions = config.lambda_service.functions
    assert any(settings.uses for settings in functions.values()), "the shipped environment wires no function"
    for key, settings in functions.items():
        function = _function(graph, config, key)
        actions = {action for statement in graph.role_statements(function) for action in _actions(statement)}
        if not settings.uses:
            assert "vpc_config" not in function.body
            assert not actions & {"rds-db:connect", "elasticache:Connect"}
            continue
        placement = function.body["vpc_config"]
        assert set(placement["subnet_ids"]) == _private_subnets(graph), f"{key}: not in the stack's private subnets"
        assert ("rds-db:connect" in actions) == ("database" in settings.uses)
        assert ("elasticache:Connect" in actions) == ("cache" in settings.uses)
        if "database" in settings.uses:
            _walk_to_database(graph, config, function)
        if "cache" in settings.uses:
            _walk_to_cache(graph, config, key, function)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_route_reaches_its_function_through_the_cdn_only(
    env: str, stacks: dict[str, dict[str, Any]], configs: dict[str, EnvironmentConfig]
) -> None:
    graph, config = Graph(stacks[env]), configs[env]
    (distribution,) = graph.all("aws_cloudfront_distribution")
    behaviors = {b["path_pattern"]: b for b in distribution.body.get("ordered_cache_behavior", [])}
    origins = {o["origin_id"]: o for o in distribution.body["origin"]}
    routed = 0
    for key, settings in config.lambda_service.functions.items():
        function = _function(graph, config, key)
        for route in settings.routes:
            routed += 1
            behavior = behaviors[route.path]
            assert route.method in behavior["allowed_methods"], f"{route} is not allowed by its behavior"
            origin = origins[behavior["target_origin_id"]]
            url_reference = re.fullmatch(
                r'\$\{element\(split\("/", ([a-z_]+\.[A-Za-z0-9_-]+\.function_url)\), 2\)\}', origin["domain_name"]
            )
            assert url_reference, f"{route}: the origin is not a function URL of the stack ({origin['domain_name']})"
            url = graph.follow(f"${{{url_reference[1]}}}", "aws_lambda_function_url", "function_url")
            assert url.body["function_name"] == graph.ref(function, "function_name")
            alias = graph.follow(url.body["qualifier"], "aws_lambda_alias", "name")
            assert alias.body["name"] == settings.alias_name
            assert alias.body["function_name"] == graph.ref(function, "function_name")
            assert url.body["authorization_type"] == "AWS_IAM", "a function URL without IAM auth is public"
            signing = graph.follow(origin["origin_access_control_id"], "aws_cloudfront_origin_access_control", "id")
            assert signing.body["origin_access_control_origin_type"] == "lambda"
            assert signing.body["signing_behavior"] == "always"
            permissions = [
                p.body
                for p in graph.all("aws_lambda_permission")
                if p.body["function_name"] == graph.ref(function, "function_name")
            ]
            assert {p["action"] for p in permissions} == {"lambda:InvokeFunctionUrl", "lambda:InvokeFunction"}
            for permission in permissions:
                assert permission["principal"] == "cloudfront.amazonaws.com"
                assert permission["source_arn"] == graph.ref(distribution, "arn"), "admits more than the CDN"
                assert permission["qualifier"] == graph.ref(alias, "name")
    assert routed >= 5
    assert len(graph.all("aws_lambda_function_url")) == sum(
        1 for settings in config.lambda_service.functions.values() if settings.routes
    )
    assert all(u.body["authorization_type"] == "AWS_IAM" for u in graph.all("aws_lambda_function_url"))


def test_no_stack_holds_a_secret_value(stacks: dict[str, dict[str, Any]]) -> None:
    for name, stack in stacks.items():
        text = json.dumps(stack)
        for attribute in ("auth_token", "random_password", "secret_string"):
            assert attribute not in text, f"{name} contains {attribute}"


@pytest.mark.parametrize(
    ("env", "resource_type", "name_part", "message"),
    [
        ("prod", "aws_vpc_security_group_ingress_rule", "proxy_from_clients", "admitted at the database's entry"),
        ("prod", "aws_vpc_security_group_ingress_rule", "database_from_proxy", "does not admit the proxy"),
        ("staging", "aws_vpc_security_group_ingress_rule", "database_from_clients", "admitted at the database's entry"),
        ("dev", "aws_vpc_security_group_ingress_rule", "database_from_clients", "admitted at the database's entry"),
        ("dev", "aws_vpc_security_group_egress_rule", "clients_to_database", "no egress to the entry"),
        ("staging", "aws_elasticache_user", "persona", "persona"),
    ],
)
def test_the_walk_fails_when_a_link_is_broken(
    env: str,
    resource_type: str,
    name_part: str,
    message: str,
    stacks: dict[str, dict[str, Any]],
    configs: dict[str, EnvironmentConfig],
) -> None:
    """Each link of the walk is needed: staging goes through the proxy, dev (no proxy) straight to the database."""
    broken = copy.deepcopy(stacks[env])
    found = broken["resource"][resource_type]
    for name in [name for name in found if name_part in name]:
        del found[name]
    graph, config = Graph(broken), configs[env]
    function = _function(graph, config, "persona")
    with pytest.raises((AssertionError, ValueError)) as raised:
        _walk_to_database(graph, config, function)
        _walk_to_cache(graph, config, "persona", function)
    assert message in str(raised.value) or resource_type == "aws_elasticache_user"


@pytest.mark.parametrize("env", [c.name for c in load_environments(list(ENVIRONMENTS)) if c.monitoring.dashboard])
def test_the_dashboard_shows_the_front_door_of_every_routed_function(
    env: str, stacks: dict[str, dict[str, Any]], configs: dict[str, EnvironmentConfig]
) -> None:
    (dashboard,) = Graph(stacks[env]).all("aws_cloudwatch_dashboard")
    widgets = json.loads(dashboard.body["dashboard_body"])["widgets"]
    titles = {w["properties"].get("title"): w for w in widgets if w["type"] == "metric"}
    requests = titles["Front door requests (function URLs)"]["properties"]["metrics"]
    config = configs[env]
    routed = sorted(config.context.id(k) for k, f in config.lambda_service.functions.items() if f.routes)
    assert sorted(row[3] for row in requests) == routed
    assert all(row[:2] == ["AWS/Lambda", "UrlRequestCount"] for row in requests)
    assert {row[1] for row in titles["Front door errors (function URLs)"]["properties"]["metrics"]} == {
        "Url5xxCount",
        "Url4xxCount",
    }
