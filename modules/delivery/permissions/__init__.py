"""What the CI roles may do, by Terraform resource type: ONE table, from which both roles' policies are built.

For each resource and data-source type an environment stack contains, `PERMISSIONS[type]` lists the
grants a refresh needs (`read`: the plan role, and the apply role) and those create/update/delete need
(`write`: the apply role only). A grant is scoped in one of four ways:

* `named`: ARN patterns holding the environment's `<namespace>-<env>-<service>` prefix;
* `tagged` / `tagging`: the `Environment` tag of the resource (`aws:ResourceTag`) or of the request
  creating it (`aws:RequestTag`, while the resource has no `Environment` tag yet; EC2's tag writes at
  creation only with `ec2:CreateAction`), where AWS names the resource by a generated id; `untagged`:
  a resource AWS makes without tags (a VPC's default security group), tagged once; `of_databases`:
  RDS master secrets, by the `aws:rds:primaryDBInstanceArn` tag RDS puts on them;
* `by_id`: the type's ARN in the account, for the few resources AWS names by a generated id AND cannot
  tag (CloudFront policies and origin access controls, RDS proxy target groups, Route 53 changes), and
  RDS's default option group, which AWS names after the engine; see BY_ID_REASONS;
* `unscoped` (`Resource: "*"`): only actions AWS offers no resource for, each listed with its reason in
  policies/unscoped_actions.yaml; a creation among them is still bound to the request's `Environment`
  tag where the action takes it (`tag=Tag.REQUEST`: ACM certificates, the RDS proxy, KMS keys).

Since the tag scopes what AWS names by id, the write policies end with three Deny statements
(`compiler.tag_guards`): no tag write on another environment's resource, none setting `Environment`
to another value, no removal of `Environment` (issue 18: environments sharing one account).

The rows live in `services/`, one module per AWS service; the ARN patterns they are scoped to in
`arns.py`, what a row is made of in `grants.py`, and how grants become policy statements in
`compiler.py`.

tests/synth/test_ci_permissions.py fails when a stack contains a type this table lacks (so a new
resource type cannot ship without CI's permission to manage it) and when the table lists a type no stack
creates.
"""

from modules.delivery.permissions.arns import BY_ID_REASONS, Arn, Where
from modules.delivery.permissions.compiler import Account, statements
from modules.delivery.permissions.grants import Grant, Permissions, Tag
from modules.delivery.permissions.table import PERMISSIONS, read_grants, write_grants

__all__ = [
    "BY_ID_REASONS",
    "PERMISSIONS",
    "Account",
    "Arn",
    "Grant",
    "Permissions",
    "Tag",
    "Where",
    "read_grants",
    "statements",
    "write_grants",
]
