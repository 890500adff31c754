"""Lambda functions with a `live` alias, reserved and provisioned concurrency."""
