"""Terraform state storage: the encrypted, versioned S3 bucket of one environment."""
