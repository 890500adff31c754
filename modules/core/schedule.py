"""A weekly window in local time: when provisioned concurrency is raised, when a database runs."""

from __future__ import annotations

import zoneinfo
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from modules.core.base import StrictModel

_DAY = r"(MON|TUE|WED|THU|FRI|SAT|SUN)"
_DAYS = rf"^{_DAY}(-{_DAY})?(,{_DAY}(-{_DAY})?)*$"
_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _known_time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown IANA time zone, e.g. Europe/Berlin or UTC") from None
    return value


TimeZone = Annotated[str, AfterValidator(_known_time_zone)]
"""An IANA time zone (`Europe/Berlin`), the one EventBridge Scheduler and Application Auto Scaling read."""


class WeeklyWindow(StrictModel):
    """From `start` to `end` on `days`, local time."""

    days: str = Field(default="MON-FRI", pattern=_DAYS, description="Cron day-of-week, e.g. `MON-FRI`.")
    start: str = Field(default="07:00", pattern=_CLOCK, description="Local start time, `HH:MM`.")
    end: str = Field(default="20:00", pattern=_CLOCK, description="Local end time, `HH:MM`.")

    @model_validator(mode="after")
    def _start_before_end(self) -> WeeklyWindow:
        if self.start >= self.end:
            raise ValueError(f"start ({self.start}) must be before end ({self.end}) on the same day")
        return self

    def cron(self, clock: str) -> str:
        """`cron(M H ? * DAYS *)`: the six-field cron of Application Auto Scaling and EventBridge Scheduler."""
        hour, minute = (int(part) for part in clock.split(":"))
        return f"cron({minute} {hour} ? * {self.days} *)"
