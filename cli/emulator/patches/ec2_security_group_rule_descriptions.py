"""moto's `DescribeSecurityGroupRules` echoes only a CIDR rule's description: a rule that
references a security group or a prefix list echoes its description here too.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any


def _security_group_rules_echo_descriptions() -> None:
    """moto 5.2.1's `DescribeSecurityGroupRules` echoes the description of a CIDR rule only: one
    that references a security group or a prefix list came back without it, so every second plan
    updated such rules. Here a rule's description is also its referenced group's or prefix list's."""
    from moto.ec2.models.security_groups import SecurityGroupRule

    initialize = SecurityGroupRule.__init__

    def init(self: SecurityGroupRule, *args: Any, **kwargs: Any) -> None:
        prefix_list = kwargs.get("prefix_list_id", args[7] if len(args) > 7 else None)
        initialize(self, *args, **kwargs)
        self.__dict__["prefix_list_description"] = (prefix_list or {}).get("Description")

    def description(self: SecurityGroupRule) -> str | None:
        found: str | None = (
            self.ip_range.get("Description")
            or self.source_group.get("Description")
            or self.__dict__.get("prefix_list_description")
        )
        return found

    SecurityGroupRule.__init__ = init  # type: ignore[method-assign]
    SecurityGroupRule.description = property(description)  # type: ignore[method-assign,assignment]
