"""The stacks of every stack set, assembled from `modules/` and configured by `environments/`.

* `<env>-bootstrap`: the environment's state bucket, and the CI roles that plan and apply the
  environment (trusting the account's GitHub OIDC provider). Applied by a person (`make
  bootstrap`), after `account-bootstrap`; synthesized with local state, which the CLI moves into
  the bucket once it exists (`bootstrap/<env>.tfstate`, cli/terraform.py).
* `<env>`: everything else, with its state in that bucket under the environment's own key,
  locked with S3-native lock files.
* `account-bootstrap` and `account`: the same pair for what the account has once, whatever the
  environments: the GitHub OIDC provider (account-bootstrap); the total budget, cost anomaly
  detection and the cost-allocation tags (account).

Every AWS provider of every stack is pinned to the configured account (`allowed_account_ids`);
prod's stateful resources carry `lifecycle.prevent_destroy` (stacks/protection.py).
Stack outputs are made here and nowhere else. The layers: `stacks/` imports `modules/` and
`environments/`; `modules/` imports neither (tests/unit/test_import_layers.py). This package's
`__init__` imports nothing, so `stacks.names` stays cheap for the CLI's fast path.
"""
