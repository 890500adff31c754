"""`make discover ENV=…`: inventory an AWS account read-only and assess its scaling readiness.

aws.py (every boto3 call: retries, pagination, clear errors) → inventory.py (what exists) →
readiness.py (what stands between it and the configured scaling) → draft.py, imports.py,
render.py (YAML draft, `terraform import` blocks, table and JSON) → command.py (files, CLI).
"""
