"""Alerting, SLO alarms and dashboards."""
