"""moto has no `PutCompositeAlarm` action; its `PutMetricAlarm` already stores an `AlarmRule` (and
`DescribeAlarms` returns such alarms as composite ones): the action is routed there.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations


def _fill_composite_alarms() -> None:
    """moto 5.2.1 has no PutCompositeAlarm action; its PutMetricAlarm already stores an `AlarmRule`
    (and DescribeAlarms returns such alarms as composite ones), so the action is routed there."""
    from moto.cloudwatch.responses import CloudWatchResponse

    CloudWatchResponse.put_composite_alarm = CloudWatchResponse.put_metric_alarm  # type: ignore[attr-defined]
