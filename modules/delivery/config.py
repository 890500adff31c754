"""Inputs of the CI roles: which repository, branch and GitHub environment may assume them."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

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
        description="Use this existing GitHub OIDC provider (one per account and URL); unset: look up the one "
        "the account stack set (`account-bootstrap`) creates, by its URL.",
    )
    create_oidc_provider: bool = Field(
        default=False,
        description="Create the GitHub OIDC provider in this environment's bootstrap: only for an environment "
        "alone in an account of its own (its `account_id`), where no account stack set runs.",
    )

    @model_validator(mode="after")
    def _one_source_of_the_provider(self) -> Self:
        if self.create_oidc_provider and self.oidc_provider_arn is not None:
            raise ValueError(
                "create_oidc_provider: true and oidc_provider_arn name two providers; set one of them "
                "(an account holds one provider per URL)"
            )
        return self
