"""Inputs of the CI roles: which repository, branch and GitHub environment may assume them."""

from __future__ import annotations

from pydantic import Field

from modules.core.base import StrictModel

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"


class DeliveryConfig(StrictModel):
    """GitHub Actions assumes the roles with OIDC tokens: no long-lived keys anywhere."""

    repository: str = Field(
        default="matbakh/autoscale-infra",
        pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
        description="`owner/repo` of this code on GitHub: only its workflows may assume the roles.",
    )
    branch: str = Field(
        default="main",
        pattern=r"^[A-Za-z0-9_./-]+$",
        description="The branch whose pushes plan (with the plan role) before the gated apply.",
    )
    github_environment: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="GitHub environment whose jobs may assume the apply role; default: the environment's name.",
    )
    oidc_provider_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$",
        description="Use this existing GitHub OIDC provider (one per account and URL: when environments share "
        "an account, one creates it and the others name it here); unset: create it.",
    )
