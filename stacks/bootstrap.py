"""`<set>-bootstrap`: the state bucket and, for an environment, its CI roles; for the account, what
every environment looks up (the GitHub OIDC provider, the CloudFront policies). Local state at first."""

from __future__ import annotations

from environments.schema import AccountConfig, EnvironmentConfig
from modules.cdn.policies import CloudFrontPolicies
from modules.core.cdk import Construct, LocalBackend, TerraformOutput, TerraformStack
from modules.delivery.module import PLANS_PREFIX, DeliveryRoles, GitHubOidcProvider, StateAccess
from modules.state.module import StateBucket
from stacks.names import bootstrap_stack_name
from stacks.providers import aws_provider


class BootstrapStack(TerraformStack):
    """The state bucket and the CI roles. Its backend is local: the first apply cannot keep its state
    in the bucket it creates; the CLI then moves the state there and gives later runs that S3
    backend in an override file (cli/terraform.py, `bootstrap`)."""

    def __init__(self, scope: Construct, *, config: EnvironmentConfig | AccountConfig) -> None:
        super().__init__(scope, bootstrap_stack_name(config.name))
        LocalBackend(self, path="terraform.tfstate")
        aws_provider(self, config)
        state = StateBucket(self, "state", config=config.state, context=config.context, account_id=config.account_id)
        TerraformOutput(self, "state_bucket_name", value=state.bucket_name)
        TerraformOutput(self, "state_bucket_arn", value=state.bucket_arn)
        TerraformOutput(self, "state_kms_key_arn", value=state.kms_key_arn)
        # No IAM condition tells one environment's CloudFront policies from another's: the account owns
        # them (or an environment alone in an account of its own, like its OIDC provider), and every
        # environment's distribution looks them up by name.
        owned = config.cdn_policies if isinstance(config, AccountConfig) else config.own_cdn_policies
        if owned is not None:
            policies = CloudFrontPolicies(self, "cdn", owner=config.context, config=owned)
            for name, policy_id in vars(policies.ids).items():  # for whoever reviews the bootstrap
                TerraformOutput(self, f"cdn_{name}_policy_id", value=policy_id)
        if isinstance(config, AccountConfig):
            # The account set is applied by a person: it changes rarely and spans environments.
            # IAM holds one OIDC provider per URL and account: the environments' bootstraps look it up.
            github = GitHubOidcProvider(self, "github_oidc", context=config.context)
            TerraformOutput(self, "ci_oidc_provider_arn", value=github.arn)
            return
        delivery = DeliveryRoles(
            self,
            "delivery",
            config=config.delivery,
            context=config.context,
            region=config.region,
            state=StateAccess(bucket_arn=state.bucket_arn, state_key=config.state_key, kms_key_arn=state.kms_key_arn),
            hosted_zone_id=config.cdn.domain.hosted_zone_id if config.cdn.domain else None,
        )
        state.keep_saved_plans(PLANS_PREFIX, reader_arn=delivery.apply_role_arn)
        TerraformOutput(self, "ci_oidc_provider_arn", value=delivery.oidc_provider_arn)
        TerraformOutput(self, "ci_plan_role_arn", value=delivery.plan_role_arn)
        TerraformOutput(self, "ci_apply_role_arn", value=delivery.apply_role_arn)
        if delivery.pull_request_plan_role_arn is not None:  # `delivery.plan_pull_requests` (dev)
            TerraformOutput(self, "ci_pr_plan_role_arn", value=delivery.pull_request_plan_role_arn)
