"""A Valkey/Redis replication group with replica autoscaling."""
