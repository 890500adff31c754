"""Inputs of the CI roles: which repository, branch, workflows and GitHub environment may assume them."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from modules.core.base import StrictModel

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"

SUBJECT_CLAIM_KEYS = ("repo", "context", "job_workflow_ref")
"""The repository's OIDC subject template (`include_claim_keys`, set once on GitHub: docs/delivery.md).

With it every token's `sub` is `repo:<owner>/<repo>:<context>:job_workflow_ref:<workflow>@<ref>`, so a
trust names the workflow file and the ref it ran from, not only the branch or environment: another
workflow of the repository (or one a pull request adds) gets another subject."""

_WORKFLOW_FILE = r"^\.github/workflows/[A-Za-z0-9_.-]+\.ya?ml$"


class DeliveryWorkflows(StrictModel):
    """The workflow files whose jobs assume the roles; each role pins the `job_workflow_ref` of its own."""

    deliver: str = Field(
        default=".github/workflows/deliver-environment.yml",
        pattern=_WORKFLOW_FILE,
        description="The reusable workflow whose jobs plan (plan role) and apply (apply role, in the GitHub "
        "environment) on pushes to `branch`.",
    )
    drift: str = Field(
        default=".github/workflows/drift.yml",
        pattern=_WORKFLOW_FILE,
        description="The workflow whose job looks for drift with the plan role, on `branch`.",
    )
    pull_request_plan: str = Field(
        default=".github/workflows/plan-pull-request.yml",
        pattern=_WORKFLOW_FILE,
        description="The reusable workflow that plans a pull request with the pull-request plan role; called "
        "at `branch`, so the token names `branch`'s copy of it (a pull request's own ref is never pinnable).",
    )


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
    plan_pull_requests: bool = Field(
        default=False,
        description="Create `<prefix>-ci-pr-plan`, the role pull requests plan with: it reads this environment's "
        "state and what its stack manages (no lock, no write), so only for an environment whose state a pull "
        "request's author may read (dev); the others are planned on `branch` only.",
    )
    workflows: DeliveryWorkflows = Field(
        default_factory=DeliveryWorkflows,
        description="The workflow files each role trusts (the `job_workflow_ref` of its OIDC subjects).",
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

    def subject(self, context: str, workflow: str) -> str:
        """The `sub` of a job of `workflow` (a path in the repository) run from `branch`, in `context`
        (`ref:refs/heads/<branch>`, `environment:<name>` or `pull_request`), under SUBJECT_CLAIM_KEYS."""
        return (
            f"repo:{self.repository}:{context}:job_workflow_ref:{self.repository}/{workflow}@refs/heads/{self.branch}"
        )
