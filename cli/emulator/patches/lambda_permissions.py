"""moto adds a permission to the qualified version's policy (`?Qualifier=live`) but removes it from
the unqualified function's, so the alias kept it and Terraform's destroy of a qualified
`aws_lambda_permission` waited for ever: here it is removed where it was added.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


def _lambda_permissions_are_removed_where_they_were_added() -> None:
    """moto 5.2.1 adds a permission to the qualified version's policy (`?Qualifier=live`) but
    removes it from the unqualified function's, so the alias keeps it and Terraform's destroy of
    a qualified `aws_lambda_permission` (the CDN's on a function URL) waits for ever."""
    from moto.awslambda.responses import LambdaResponse

    def remove_permission(self: LambdaResponse) -> tuple[int, dict[str, Any], str]:
        function_name = unquote(self.path.split("/")[-3])
        statement_id = self.path.split("/")[-1].split("?")[0]
        revision = self.querystring.get("RevisionId", [""])[0]
        qualifier = self.querystring.get("Qualifier", [None])[0]
        function = self.backend.get_function(function_name, qualifier)
        if not function:
            return 404, {"status": 404}, "{}"
        function.policy.del_statement(statement_id, revision)
        # A retried AddPermission may have left a second statement of the Sid (AWS keeps Sids
        # unique): remove every one, so the statement is gone as AWS would have it.
        function.policy.statements = [s for s in function.policy.statements if s.get("Sid") != statement_id]
        return 204, {"status": 204}, "{}"

    LambdaResponse.remove_permission = remove_permission  # type: ignore[method-assign]
