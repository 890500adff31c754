"""PostgreSQL on RDS with storage autoscaling, RDS Proxy and capacity alarms."""
