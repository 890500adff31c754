"""moto does not evaluate `Bool` conditions: a bucket policy that denies `aws:SecureTransport = false`
(our TLS-only state bucket) denies every request. Here such a statement applies only to plain-HTTP
requests, of which there are none: the emulator serves TLS only.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any


def _secure_transport_condition_holds(statement: dict[str, Any]) -> bool:
    """Every request here is TLS, so `Bool: aws:SecureTransport = false` never holds."""
    expected = statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
    values = expected if isinstance(expected, list) else [expected]
    return expected is None or any(str(value).lower() == "true" for value in values)


def _evaluate_secure_transport_conditions() -> None:
    """moto 5.2.1 does not evaluate `Bool` conditions, so a TLS-only bucket policy denies every request:
    `aws:SecureTransport` is evaluated here (always true: the emulator serves TLS only)."""
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    evaluate = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(
        self: IAMPolicyStatement,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> PermissionResult:
        if not _secure_transport_condition_holds(self._statement):
            return PermissionResult.NEUTRAL
        return evaluate(self, action, resource, principal, incoming_condition_values)

    IAMPolicyStatement.is_action_permitted = is_action_permitted  # type: ignore[method-assign]
