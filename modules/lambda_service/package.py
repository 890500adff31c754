"""The placeholder package's file name, importable without pydantic (the CLI's fast path checks it)."""

PLACEHOLDER_PACKAGE_FILE = "lambda-placeholder.zip"
"""Written beside each synthesized stack by the CLI; used by functions without `code`."""
