"""Next firings in UTC and in a timezone, and what the schedule module refuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from skeino.crons.schedule import check_schedule, next_firing, next_run_date, parse_instant, zone
from skeino.errors import InvalidInput

NOON = datetime(2026, 11, 21, 12, 59, 14, 500000, tzinfo=UTC)


def test_next_firing_in_utc() -> None:
    assert next_firing("0 0 1 1 *", None, NOON) == datetime(2027, 1, 1, tzinfo=UTC)
    assert next_firing("*/15 * * * *", None, NOON) == datetime(2026, 11, 21, 13, 0, tzinfo=UTC)
    assert next_run_date("0 0 1 1 *", None, NOON) == "2027-01-01T00:00:00+00:00"


def test_a_sixth_field_counts_seconds() -> None:
    assert next_firing("* * * * * *", None, NOON) == datetime(2026, 11, 21, 12, 59, 15, tzinfo=UTC)


def test_next_firing_is_strictly_after() -> None:
    on_the_hour = datetime(2026, 11, 21, 13, 0, tzinfo=UTC)
    assert next_firing("0 * * * *", None, on_the_hour) == datetime(2026, 11, 21, 14, tzinfo=UTC)


def test_next_firing_in_a_timezone() -> None:
    # 09:00 in New York is 14:00 UTC in November (EST, UTC-5) ...
    assert next_firing("0 9 * * *", "America/New_York", NOON) == datetime(
        2026, 11, 21, 14, tzinfo=UTC
    )
    # ... and 13:00 UTC in July (EDT, UTC-4): the wall clock is kept across DST
    july = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
    assert next_firing("0 9 * * *", "America/New_York", july) == datetime(
        2026, 7, 1, 13, tzinfo=UTC
    )
    assert next_firing("0 9 * * *", "Asia/Kolkata", NOON) == datetime(
        2026, 11, 22, 3, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("schedule", ["not a cron", "61 * * * *", "", "* * *"])
def test_bad_schedules_are_refused_as_the_official_server_words_it(schedule: str) -> None:
    with pytest.raises(InvalidInput, match=r"^Invalid cron schedule: '.*'\. Reason: Invalid cron"):
        check_schedule(schedule)


def test_aliases_and_names_are_accepted() -> None:
    assert check_schedule("@hourly") == "@hourly"
    assert check_schedule("0 9 * * MON-FRI") == "0 9 * * MON-FRI"


def test_timezones() -> None:
    assert zone(None) is UTC
    assert str(zone("Europe/Paris")) == "Europe/Paris"
    with pytest.raises(InvalidInput, match="Invalid timezone: 'Not/AZone'"):
        zone("Not/AZone")
    with pytest.raises(InvalidInput, match="Invalid timezone"):
        zone("../etc/passwd")


def test_end_times_are_normalised_to_utc() -> None:
    assert parse_instant("2030-01-01T00:00:00Z") == "2030-01-01T00:00:00+00:00"
    assert parse_instant("2030-01-01T02:00:00+02:00") == "2030-01-01T00:00:00+00:00"
    assert parse_instant("2030-01-01T00:00:00") == "2030-01-01T00:00:00+00:00"
    with pytest.raises(InvalidInput, match="end_time"):
        parse_instant("garbage")
