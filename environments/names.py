"""The names of the stack sets, importable without pydantic (the CLI's fast path reads them)."""

ENVIRONMENT_NAMES = ("dev", "staging", "prod")
ACCOUNT = "account"
STACK_SETS = (*ENVIRONMENT_NAMES, ACCOUNT)
"""Every name `--env` accepts: the environments and the account-level stack set."""
