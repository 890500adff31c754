"""Lambda: the functions and their aliases, and the front door (function URLs on the aliases, and the
CDN's permission to invoke them)."""

from __future__ import annotations

from collections.abc import Mapping

from modules.delivery.permissions.arns import LAMBDA
from modules.delivery.permissions.grants import Grant, Permissions, pass_role

PERMISSIONS: Mapping[str, Permissions] = {
    "aws_lambda_function": Permissions(
        read=(Grant(("lambda:Get*", "lambda:List*"), LAMBDA),),
        write=(
            Grant(
                (
                    "lambda:CreateFunction",
                    "lambda:UpdateFunctionCode",
                    "lambda:UpdateFunctionConfiguration",
                    "lambda:DeleteFunction",
                    "lambda:PublishVersion",
                    "lambda:PutFunctionConcurrency",
                    "lambda:DeleteFunctionConcurrency",
                    "lambda:TagResource",
                    "lambda:UntagResource",
                ),
                LAMBDA,
            ),
            pass_role("lambda.amazonaws.com"),
        ),
    ),
    "aws_lambda_alias": Permissions(
        read=(Grant(("lambda:GetAlias",), LAMBDA),),
        write=(Grant(("lambda:CreateAlias", "lambda:UpdateAlias", "lambda:DeleteAlias"), LAMBDA),),
    ),
    # The front door: function URLs on the aliases, and the CDN's permission to invoke them.
    "aws_lambda_function_url": Permissions(
        read=(Grant(("lambda:GetFunctionUrlConfig",), LAMBDA),),
        write=(
            Grant(
                ("lambda:CreateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig", "lambda:DeleteFunctionUrlConfig"),
                LAMBDA,
            ),
        ),
    ),
    "aws_lambda_permission": Permissions(
        read=(Grant(("lambda:GetPolicy",), LAMBDA),),
        write=(Grant(("lambda:AddPermission", "lambda:RemovePermission"), LAMBDA),),
    ),
}
