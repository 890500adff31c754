"""The GitHub OIDC provider (the account's, created once by `account-bootstrap`) and an
environment's CI roles, created by its bootstrap stack.

* plan role: reads what the environment's stack manages (a refresh needs it), reads the state,
  writes only its lock file and the saved plan (`plans/`, SSE-KMS with the state key); assumable
  only by the delivery and drift workflows on the delivery branch, never by a pull request.
* apply role: also creates, changes and deletes those resources, scoped by service and by the
  `<namespace>-<env>-<service>-…` names (or, where AWS names nothing, by the `Environment` tag);
  the only reader of the saved plans; assumable only by the delivery workflow's jobs of the
  environment's GitHub environment (prod: required reviewers).
* pull-request plan role (`delivery.plan_pull_requests`, dev only): the plan role's reads and the
  state object, nothing written (a pull request plans with `-lock=false`); assumable only by the
  pull-request plan workflow called at the delivery branch.

Every subject is in the repository's customised format (`SUBJECT_CLAIM_KEYS`), pinned with
`StringEquals`: repository, context (branch, environment or pull request) and the job's workflow.

Both roles' permissions come from the table in `permissions/` (keyed by Terraform resource type),
packed into as many managed policies as IAM's 6,144-character limit needs (a role's inline policies
share one 10 KB quota); every `Resource: "*"` action is one AWS cannot scope, listed in
policies/unscoped_actions.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

from modules.core.account import AwsAccount
from modules.core.arn import arn
from modules.core.cdk import (
    Construct,
    DataAwsIamOpenidConnectProvider,
    IamOpenidConnectProvider,
    IamPolicy,
    IamRole,
    IamRolePolicyAttachment,
)
from modules.core.iam import Statement, policy_document
from modules.core.label import Context
from modules.core.roles import boundary_policy_name
from modules.delivery.config import GITHUB_OIDC_URL, STS_AUDIENCE, DeliveryConfig
from modules.delivery.permissions import Account, read_grants, statements, write_grants

# IAM's limit for a managed policy, measured on the document with sample values for the references
# (the longest partition, a 12-digit account), whitespace included: the real document is never longer.
MANAGED_POLICY_LIMIT = 6144
MAX_MANAGED_POLICIES_PER_ROLE = 10
SAMPLE_PARTITION, SAMPLE_ACCOUNT = "aws-us-gov", "123456789012"

OIDC_HOST = GITHUB_OIDC_URL.removeprefix("https://")


PLAN_SESSION_SECONDS = 3600
"""The longest session of the plan roles: the plan workflows' jobs end within 40 minutes."""
APPLY_SESSION_SECONDS = 2 * 3600
"""The longest session of the apply role: the apply job may run 90 minutes (a prod apply waits on
a database and a cache), and its credentials must not expire midway (tests/synth/test_delivery.py
checks the workflows against both)."""
PLANS_PREFIX = "plans"
"""Where the plan job leaves its saved plan for the apply job, in the state bucket (`plans/<sha256>/`):
encrypted with the state key, written by the plan role, read (and removed) only by the apply role."""


def trust_policy(provider_arn: str, subjects: list[str]) -> str:
    """Web identity from GitHub's issuer, for STS, and only for these `sub` claims."""
    return policy_document(
        {
            "Sid": "GitHubActionsOidc",
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{OIDC_HOST}:aud": STS_AUDIENCE, f"{OIDC_HOST}:sub": sorted(subjects)},
            },
        }
    )


def boundary_document(environment: str) -> str:
    """The permissions boundary of the environment's roles (modules/core/roles.py): a ceiling, not a
    grant (each role's own policy grants); it takes IAM, STS and the account's settings away, and
    every resource tagged for another environment of the account."""
    return policy_document(
        {"Sid": "CeilingOfTheRolesOwnPolicies", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Sid": "NeverIamStsOrTheAccount",
            "Effect": "Deny",
            "Action": ["account:*", "iam:*", "organizations:*", "sts:*"],
            "Resource": "*",
        },
        {
            "Sid": "NeverAnotherEnvironment",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:ResourceTag/Environment": environment},
                "Null": {"aws:ResourceTag/Environment": "false"},
            },
        },
    )


def plan_subjects(config: DeliveryConfig) -> list[str]:
    """The delivery workflow's plan job and the drift job, on the delivery branch (no environment)."""
    context = f"ref:refs/heads/{config.branch}"
    return [config.subject(context, config.workflows.deliver), config.subject(context, config.workflows.drift)]


def apply_subjects(config: DeliveryConfig, environment: str) -> list[str]:
    """The delivery workflow's apply job, bound to the GitHub environment, called from the delivery branch."""
    return [config.subject(f"environment:{config.github_environment or environment}", config.workflows.deliver)]


def pull_request_subjects(config: DeliveryConfig) -> list[str]:
    """A pull request's plan job: the pull-request plan workflow as the delivery branch has it."""
    return [config.subject("pull_request", config.workflows.pull_request_plan)]


def state_statements(bucket_arn: str, state_key: str, kms_key_arn: str, *, write: bool) -> list[Statement]:
    """Read the environment's state (and its revision record). The plan role writes only the lock file
    and the saved plan (`plans/`, only with SSE-KMS under the state key); the apply role writes the
    state's prefix and reads and removes the saved plans, which nobody else reads."""
    prefix = state_key.rsplit("/", 1)[0]
    plans = f"{bucket_arn}/{PLANS_PREFIX}/*"
    writable = [f"{bucket_arn}/{prefix}/*"] if write else [f"{bucket_arn}/{state_key}.tflock"]
    statements: list[Statement] = [
        {"Sid": "ListStateBucket", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [bucket_arn]},
        {"Sid": "ReadState", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{bucket_arn}/{prefix}/*"]},
        {
            "Sid": "WriteStateOrLock" if write else "WriteLock",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": writable,
        },
    ]
    if write:
        statements.append(
            {
                "Sid": "ReadAndRemoveSavedPlans",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:DeleteObject"],
                "Resource": [plans],
            }
        )
    else:
        statements.append(
            {
                "Sid": "WriteSavedPlansEncrypted",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": [plans],
                "Condition": {
                    "StringEquals": {
                        "s3:x-amz-server-side-encryption": "aws:kms",
                        "s3:x-amz-server-side-encryption-aws-kms-key-id": kms_key_arn,
                    }
                },
            }
        )
    statements.append(
        {
            "Sid": "StateKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": [kms_key_arn],
        }
    )
    return statements


def pull_request_state_statements(bucket_arn: str, state_key: str, kms_key_arn: str) -> list[Statement]:
    """A pull request's plan reads the state object and decrypts it; it takes no lock (`-lock=false`),
    writes nothing, and reads neither the revision record, the errored states nor the saved plans."""
    return [
        {"Sid": "ListStateBucket", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [bucket_arn]},
        {
            "Sid": "ReadStateOnly",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [f"{bucket_arn}/{state_key}"],
        },
        {"Sid": "DecryptState", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [kms_key_arn]},
    ]


def read_statements(account: Account) -> list[Statement]:
    """What a refresh of the environment's stack reads: the table's `read` grants."""
    return statements(read_grants(), account, "Read")


def write_statements(account: Account, state: StateAccess) -> list[Statement]:
    """What an apply of the environment's stack changes: the table's `write` grants; never the CI roles
    themselves, nor the state bucket's settings or the state key (both in the bootstrap stack)."""

    def global_iam(resource: str) -> str:
        return arn(account.partition, "iam", resource, account_id=account.account_id)

    denies: list[Statement] = [
        {
            "Sid": "NeverTheCiRolesThemselves",
            "Effect": "Deny",
            "Action": ["iam:*"],
            "Resource": [global_iam(f"role/{account.prefix}-ci-*"), global_iam(f"policy/{account.prefix}-ci-*")],
        },
        {
            "Sid": "NeverTheStateBucketsSettings",
            "Effect": "Deny",
            "Action": ["s3:CreateBucket", "s3:DeleteBucket*", "s3:PutBucket*", "s3:Put*Configuration"],
            "Resource": [state.bucket_arn],
        },
        {
            "Sid": "NeverTheStateKeysSettings",
            "Effect": "Deny",
            "Action": [
                "kms:CreateAlias",
                "kms:CreateGrant",
                "kms:DeleteAlias",
                "kms:DisableKey*",
                "kms:PutKeyPolicy",
                "kms:ScheduleKeyDeletion",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:UpdateAlias",
                "kms:UpdateKeyDescription",
            ],
            "Resource": [state.kms_key_arn],
        },
    ]
    return denies + statements(write_grants(), account, "Write")


def pack(documents: list[Statement], limit: int = MANAGED_POLICY_LIMIT) -> list[list[int]]:
    """Indices of `documents`' statements, in order, grouped so that each group's policy fits `limit`."""
    groups: list[list[int]] = [[]]
    for index in range(len(documents)):
        candidate = [*groups[-1], index]
        if groups[-1] and len(policy_document(*(documents[i] for i in candidate))) > limit:
            groups.append([index])
        else:
            groups[-1] = candidate
    return groups


@dataclass(frozen=True)
class StateAccess:
    """The environment's state: bucket, object key, and the key that encrypts it."""

    bucket_arn: str
    state_key: str
    kms_key_arn: str


@dataclass(frozen=True)
class ManagedPolicy:
    """A CI managed policy as the roles attach it: its construct id and ARN (read once)."""

    construct_id: str
    arn: str


class GitHubOidcProvider(Construct):
    """GitHub's OIDC issuer for STS: IAM holds one provider per URL and account, so the account stack
    set creates it once (or an environment alone in its own account, `delivery.create_oidc_provider`)."""

    def __init__(self, scope: Construct, id_: str, *, context: Context) -> None:
        super().__init__(scope, id_)
        provider = IamOpenidConnectProvider(
            self, "github", url=GITHUB_OIDC_URL, client_id_list=[STS_AUDIENCE], tags=context.tags
        )
        self.arn: str = provider.arn


class DeliveryRoles(Construct):
    """The plan and apply roles of one environment, trusting the account's GitHub OIDC provider (looked up
    by URL), the one `oidc_provider_arn` names, or its own (`create_oidc_provider`)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeliveryConfig,
        context: Context,
        region: str,
        state: StateAccess,
        hosted_zone_id: str | None = None,
    ) -> None:
        """`hosted_zone_id`: the Route 53 zone of the environment's domain, whose records CI writes."""
        super().__init__(scope, id_)
        prefix, environment = context.id(), context.environment
        stack_account = AwsAccount.of(self)
        boundary = IamPolicy(
            self,
            "boundary",
            name=boundary_policy_name(context),
            description=f"Boundary of every role of {environment}'s stack: no IAM, no STS, no other environment",
            policy=boundary_document(environment),
            tags=context.tags,
        )
        account = Account(
            stack_account.partition,
            stack_account.account_id,
            region,
            prefix,
            environment,
            hosted_zone_id,
            boundary_arn=boundary.arn,
        )
        # The same statements with sample values, to measure the policies as IAM will see them.
        sample = Account(
            SAMPLE_PARTITION,
            SAMPLE_ACCOUNT,
            region,
            prefix,
            environment,
            hosted_zone_id,
            boundary_arn=arn(
                SAMPLE_PARTITION, "iam", f"policy/{boundary_policy_name(context)}", account_id=SAMPLE_ACCOUNT
            ),
        )
        sample_state = StateAccess(
            arn(SAMPLE_PARTITION, "s3", f"{prefix}-tfstate-{SAMPLE_ACCOUNT}"),
            state.state_key,
            arn(
                SAMPLE_PARTITION,
                "kms",
                "key/00000000-0000-0000-0000-000000000000",
                region=region,
                account_id=SAMPLE_ACCOUNT,
            ),
        )
        provider_arn = config.oidc_provider_arn
        if provider_arn is None and config.create_oidc_provider:
            provider_arn = GitHubOidcProvider(self, "github_provider", context=context).arn
        elif provider_arn is None:  # the account's, created once by `account-bootstrap`
            provider_arn = DataAwsIamOpenidConnectProvider(self, "github", url=GITHUB_OIDC_URL).arn

        def managed(name: str, purpose: str, statements: list[Statement]) -> ManagedPolicy:
            policy = IamPolicy(
                self,
                name,
                name=context.id("ci", name),
                description=f"{purpose} ({context.environment})",
                policy=policy_document(*statements),
                tags=context.tags,
            )
            return ManagedPolicy(name, policy.arn)

        def split(kind: str, purpose: str, real: list[Statement], measured: list[Statement]) -> list[ManagedPolicy]:
            """As many managed policies `<kind>-<n>` as the statements need (6,144 characters each)."""
            return [
                managed(f"{kind}-{number}", purpose, [real[i] for i in group])
                for number, group in enumerate(pack(measured), start=1)
            ]

        reads = split(
            "read", "CI: read what the environment's stack manages", read_statements(account), read_statements(sample)
        )
        writes = split(
            "write",
            "CI: change what the environment's stack manages",
            write_statements(account, state),
            write_statements(sample, sample_state),
        )
        plan_state = managed(
            "plan-state", "CI plan: read the state, write its lock", state_statements(**_state(state), write=False)
        )
        apply_state = managed(
            "apply-state", "CI apply: read and write the state", state_statements(**_state(state), write=True)
        )

        def ci_role(id_: str, name: str, description: str, subjects: list[str], session_seconds: int) -> IamRole:
            return IamRole(
                self,
                id_,
                name=context.id("ci", name),
                description=description,
                assume_role_policy=trust_policy(provider_arn, subjects),
                max_session_duration=session_seconds,
                tags=context.tags,
            )

        plan_role = ci_role(
            "plan",
            "plan",
            f"GitHub Actions plans {context.environment}: read-only, state lock",
            plan_subjects(config),
            PLAN_SESSION_SECONDS,
        )
        apply_role = ci_role(
            "apply",
            "apply",
            f"GitHub Actions applies {context.environment} from its GitHub environment",
            apply_subjects(config, context.environment),
            APPLY_SESSION_SECONDS,
        )
        attachments = {"plan": (plan_role, [*reads, plan_state]), "apply": (apply_role, [*reads, *writes, apply_state])}
        pull_request_role: IamRole | None = None
        if config.plan_pull_requests:
            pull_request_state = managed(
                "pr-plan-state",
                "CI pull-request plan: read the state, nothing written",
                pull_request_state_statements(**_state(state)),
            )
            pull_request_role = ci_role(
                "pr_plan",
                "pr-plan",
                f"GitHub Actions plans pull requests against {context.environment}: read-only, no lock",
                pull_request_subjects(config),
                PLAN_SESSION_SECONDS,
            )
            attachments["pr-plan"] = (pull_request_role, [*reads, pull_request_state])
        for which, (role, policies) in attachments.items():
            if len(policies) > MAX_MANAGED_POLICIES_PER_ROLE:
                raise ValueError(f"the {which} role would need {len(policies)} managed policies (IAM allows 10)")
            role_name = role.name
            for policy in policies:
                suffix = policy.construct_id.removeprefix(f"{which}-")
                IamRolePolicyAttachment(self, f"attach-{which}-{suffix}", role=role_name, policy_arn=policy.arn)

        self.oidc_provider_arn: str = provider_arn
        self.plan_role_arn: str = plan_role.arn
        self.apply_role_arn: str = apply_role.arn
        self.pull_request_plan_role_arn: str | None = pull_request_role.arn if pull_request_role else None
        """The pull-request plan role (`delivery.plan_pull_requests`), or None where pull requests plan nothing."""


def _state(state: StateAccess) -> dict[str, str]:
    return {"bucket_arn": state.bucket_arn, "state_key": state.state_key, "kms_key_arn": state.kms_key_arn}
