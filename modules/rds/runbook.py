"""Runbooks of the database alarms, rendered with jinja2 (StrictUndefined: a missing fact is an error).

Every alarm gets a full runbook (`RUNBOOK`) and a short one (`SUMMARY`) that fits the alarm's
description (AWS allows 1,024 characters there). Alarms that mean "the instance class is too
small" (CPU, connections) say what was observed, the next class up and the exact YAML change; its
monthly price difference is a report's (`make cost`), not the plan's: synthesis reads no price.

The templates live here as strings, not files: modules do no file I/O (`modules/core/text.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from modules.core.text import template
from modules.rds.config import InstanceClass

ALARM_DESCRIPTION_LIMIT = 1024
"""AWS caps a CloudWatch alarm's description at this many characters."""

Action = Literal["resize", "storage", "investigate"]

RUNBOOK = """\
Runbook: {{ alarm_name }} ({{ environment }})

Observed: {{ observed }}.
Instance: {{ identifier }}, {{ current.name }} ({{ current.memory_gib }} GiB memory, {{ current.vcpus }} vCPU, \
default max_connections {{ current.max_connections }}).

{% if action == "resize" %}
Sustained, this means the instance class is too small.

First rule out a cause that a bigger class would only hide:
{% for check in checks %}- {{ check }}
{% endfor %}

{% if next_class is not none %}
Next class up: {{ next_class.name }} ({{ next_class.memory_gib }} GiB memory, {{ next_class.vcpus }} vCPU, \
default max_connections {{ next_class.max_connections }}).
Monthly price difference: `make cost ENV={{ environment }}` shows it (database resize).

The change, in {{ yaml_file }}:

rds:
  instance_class: {{ next_class.name }}

Then `make plan ENV={{ environment }}` and `make apply ENV={{ environment }}`. If the gate refuses the class \
(CKV_MBK_4), add it to policies/caps.yaml under environments.{{ environment }}.rds_instance_classes in the same \
reviewed change. Terraform applies the new class in the next maintenance window ({{ maintenance_window }}); \
{% if multi_az %}with Multi-AZ, RDS resizes the standby first and fails over (about a minute of reconnects).\
{% else %}without Multi-AZ the instance is unavailable for several minutes while it resizes.{% endif %}
{% else %}
{{ current.name }} is the largest {{ current.name.split(".")[1] }} class this code knows: move to a larger family \
(rds.instance_class in {{ yaml_file }}, and add the class to the table in modules/rds/config.py), or move reads \
to read replicas (rds.read_replicas).
{% endif %}
{% elif action == "storage" %}
Storage autoscaling adds space when less than 10 % of the allocated storage is free, at most every 6 hours and \
up to {{ max_allocated_storage_gib }} GiB. This alarm means it reached that ceiling or cannot keep up.

The change, in {{ yaml_file }}:

rds:
  max_allocated_storage_gib: {{ max_allocated_storage_gib * 2 }}

Then `make plan ENV={{ environment }}` and `make apply ENV={{ environment }}` (policies/caps.yaml caps the ceiling \
per environment: CKV_MBK_6). Meanwhile find what grows: table and index bloat (VACUUM), WAL retained by a stalled \
replication slot, or temporary files of large sorts.
{% else %}
What to look at:
{% for check in checks %}- {{ check }}
{% endfor %}
If it persists and none of these explains it, treat it as capacity: see the CPU and connections runbooks \
(rds.instance_class in {{ yaml_file }}).
{% endif %}"""

SUMMARY = """\
{{ observed }} on {{ identifier }} ({{ current.name }}).{% if action == "resize" %}{% if next_class is not none %} \
Sustained: class too small. Next up: {{ next_class.name }}: set rds.instance_class: {{ next_class.name }} \
in {{ yaml_file }}, \
then make plan/apply ENV={{ environment }}.{% else %} Largest class of its family: change family or add read \
replicas.{% endif %}{% elif action == "storage" %} Storage autoscaling is at its ceiling or behind: raise \
rds.max_allocated_storage_gib in {{ yaml_file }}.{% else %} Investigate: {{ checks[0] }}.{% endif %} \
Full runbook: terraform output rds_runbooks ({{ alarm_key }})."""

_RUNBOOK = template(RUNBOOK)
_SUMMARY = template(SUMMARY)


@dataclass(frozen=True)
class AlarmFacts:
    """What a runbook says about one alarm of one environment."""

    alarm_key: str
    alarm_name: str
    environment: str
    identifier: str
    observed: str
    action: Action
    current: InstanceClass
    next_class: InstanceClass | None
    checks: tuple[str, ...]
    multi_az: bool
    maintenance_window: str
    max_allocated_storage_gib: int

    def variables(self) -> dict[str, object]:
        return {
            "alarm_key": self.alarm_key,
            "alarm_name": self.alarm_name,
            "environment": self.environment,
            "identifier": self.identifier,
            "observed": self.observed,
            "action": self.action,
            "current": self.current,
            "next_class": self.next_class,
            "checks": list(self.checks),
            "multi_az": self.multi_az,
            "maintenance_window": self.maintenance_window,
            "max_allocated_storage_gib": self.max_allocated_storage_gib,
            "yaml_file": f"environments/{self.environment}.yaml",
        }


def render_runbook(facts: AlarmFacts) -> str:
    return _RUNBOOK.render(**facts.variables())


def render_summary(facts: AlarmFacts) -> str:
    """The short runbook for the alarm's description; refuses to exceed AWS's limit."""
    text = " ".join(_SUMMARY.render(**facts.variables()).split())
    if len(text) > ALARM_DESCRIPTION_LIMIT:
        raise ValueError(f"the summary of {facts.alarm_name} has {len(text)} characters; AWS allows 1024")
    return text
