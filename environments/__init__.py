"""Typed per-environment configuration: `schema.py` defines it, `<env>.yaml` holds the differences."""
