"""The gaps of moto that the emulator's server fills: one module per gap, applied in `PATCHES`' order.

Each module's docstring says the gap it fills and names the moto version it was written against
(tests/unit/test_emulator_patches.py fails once the installed moto is another: re-check each
patch then); each is tested in tests/integration/test_emulator.py. `_elasticache` is what the
ElastiCache patches share, not a patch. The order is the one the server has always applied; some
patches build on others: the replication groups' members are made before they echo their group's
settings, which precedes `ModifyReplicationGroup`; user groups before serverless caches; anomaly
monitors before the subscriptions that name them.
"""

from __future__ import annotations

from collections.abc import Callable

from cli.emulator.patches.application_autoscaling_elasticache import _application_auto_scaling_knows_elasticache
from cli.emulator.patches.application_autoscaling_tags import _application_auto_scaling_keeps_tags
from cli.emulator.patches.budgets import _budgets_describe_subscribers_and_keep_tags
from cli.emulator.patches.cloudfront_distribution_arns import _cloudfront_distribution_arns_have_an_empty_region
from cli.emulator.patches.cloudfront_distribution_config import _cloudfront_distributions_echo_their_config
from cli.emulator.patches.cloudfront_monitoring_subscriptions import _fill_cloudfront_monitoring_subscriptions
from cli.emulator.patches.cloudfront_policies import _fill_cloudfront_policies
from cli.emulator.patches.cloudwatch_composite_alarms import _fill_composite_alarms
from cli.emulator.patches.cost_explorer import (
    _fill_anomaly_monitors,
    _fill_anomaly_subscriptions,
    _fill_cost_allocation_tags,
)
from cli.emulator.patches.ec2_security_group_rule_descriptions import _security_group_rules_echo_descriptions
from cli.emulator.patches.elasticache_member_echoes import _cache_members_echo_encryption_and_security_groups
from cli.emulator.patches.elasticache_modify_replication_group import _replication_groups_can_be_modified
from cli.emulator.patches.elasticache_parameter_groups import _fill_cache_parameter_groups
from cli.emulator.patches.elasticache_replication_group_members import _fill_replication_group_members
from cli.emulator.patches.elasticache_serverless_caches import _fill_serverless_caches
from cli.emulator.patches.elasticache_user_groups import _fill_user_groups
from cli.emulator.patches.lambda_function_config import (
    _lambda_functions_echo_their_dead_letter_target,
    _lambda_functions_echo_their_kms_key,
)
from cli.emulator.patches.lambda_permissions import _lambda_permissions_are_removed_where_they_were_added
from cli.emulator.patches.rds_default_ca import _db_instances_get_the_default_ca_of_aws
from cli.emulator.patches.rds_insights_and_monitoring import _db_instances_keep_insights_and_monitoring
from cli.emulator.patches.rds_managed_secret import _db_instances_keep_their_managed_secret
from cli.emulator.patches.rds_parameter_sources import _db_parameters_set_by_the_user_say_so
from cli.emulator.patches.rds_resource_ids import _db_instances_have_resource_ids_of_their_own
from cli.emulator.patches.s3_canonical_owner import _s3_has_one_canonical_owner
from cli.emulator.patches.s3_secure_transport import _evaluate_secure_transport_conditions

PATCHES: tuple[Callable[[], None], ...] = (
    _evaluate_secure_transport_conditions,
    _budgets_describe_subscribers_and_keep_tags,
    _fill_composite_alarms,
    _fill_cache_parameter_groups,
    _fill_replication_group_members,
    _cache_members_echo_encryption_and_security_groups,
    _replication_groups_can_be_modified,
    _fill_user_groups,
    _fill_serverless_caches,
    _fill_cloudfront_policies,
    _cloudfront_distribution_arns_have_an_empty_region,
    _lambda_permissions_are_removed_where_they_were_added,
    _application_auto_scaling_keeps_tags,
    _application_auto_scaling_knows_elasticache,
    _fill_cloudfront_monitoring_subscriptions,
    _security_group_rules_echo_descriptions,
    _lambda_functions_echo_their_kms_key,
    _lambda_functions_echo_their_dead_letter_target,
    _db_instances_keep_insights_and_monitoring,
    _db_instances_have_resource_ids_of_their_own,
    _db_instances_keep_their_managed_secret,
    _db_parameters_set_by_the_user_say_so,
    _db_instances_get_the_default_ca_of_aws,
    _s3_has_one_canonical_owner,
    _cloudfront_distributions_echo_their_config,
    _fill_anomaly_monitors,
    _fill_anomaly_subscriptions,
    _fill_cost_allocation_tags,
)
"""Every patch, in the order `apply_all` applies them."""


def apply_all() -> None:
    """Patch moto in this process (the server's, before it serves), in `PATCHES`' order."""
    for patch in PATCHES:
        patch()
