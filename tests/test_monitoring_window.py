"""The captured data a label-merging monitor reads is one schedule interval, ending when the
labels have arrived: the interval is the time between two runs of the schedule."""

from __future__ import annotations

import pytest

from components.monitoring import labelled_window

LABEL_DELAY_HOURS = 24


@pytest.mark.parametrize(
    ("schedule", "interval_hours"),
    [
        ("hourly", 1),
        ("daily", 24),
        ("cron(0 * ? * * *)", 1),  # every hour
        ("cron(0 3 ? * * *)", 24),  # once a day, at 03:00
        ("cron(0 0/6 ? * * *)", 6),  # every 6 hours
        ("cron(0 8-17 ? * * *)", 1),  # every hour from 08:00 to 17:00
        ("cron(0 8-17/3 ? * * *)", 3),  # every 3 hours from 08:00 to 17:00
    ],
)
def test_the_window_is_one_interval_of_the_schedule(schedule: str, interval_hours: int) -> None:
    assert labelled_window(schedule, LABEL_DELAY_HOURS) == {
        "StartTimeOffset": f"-PT{LABEL_DELAY_HOURS + interval_hours}H",
        "EndTimeOffset": f"-PT{LABEL_DELAY_HOURS}H",
    }
