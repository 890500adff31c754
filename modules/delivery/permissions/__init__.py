"""What the CI roles may do, by Terraform resource type: ONE table, from which both roles' policies are built.

For each resource and data-source type an environment stack contains, `PERMISSIONS[type]` lists the
grants a refresh needs (`read`: the plan role, and the apply role) and those create/update/delete need
(`write`: the apply role only). A grant is scoped in one of four ways:

* `named`: ARN patterns holding the environment's `<namespace>-<env>-<service>` prefix;
* `tagged` / `tagging`: the `Environment` tag of the resource (`aws:ResourceTag`) or of the request
  creating it (`aws:RequestTag`), where AWS names the resource by a generated id;
* `by_id`: the type's ARN in the account, for the few resources AWS names by a generated id AND cannot
  tag (CloudFront policies and origin access controls, RDS proxy target groups; see BY_ID_REASONS);
* `unscoped` (`Resource: "*"`): only actions AWS offers no resource for, each listed with its reason in
  policies/unscoped_actions.yaml.

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
