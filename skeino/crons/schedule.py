"""Cron expressions: validation and the next firing, as a UTC instant.

Parsing is croniter's, as on the official server, so the same expressions are accepted:
five fields, an optional sixth for seconds (`* * * * * *` fires every second) and the
`@hourly`-style aliases. An expression is read in its cron's IANA timezone (UTC when
none), so `0 9 * * *` in `America/New_York` follows the wall clock across DST changes.
Instants are stored as UTC ISO-8601 text, which sorts chronologically.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from skeino.errors import InvalidInput

_HINT = (
    "Invalid cron schedule. Ensure the schedule uses the standard cron format "
    "(minute hour day_of_month month day_of_week). Example: '*/5 * * * *' for every 5 minutes."
)


def check_schedule(schedule: str) -> str:
    """The expression itself, or a 422 worded as the official server words it."""
    if not croniter.is_valid(schedule):
        raise InvalidInput(f"Invalid cron schedule: '{schedule}'. Reason: {_HINT}")
    return schedule


def zone(name: str | None) -> tzinfo:
    """The IANA zone called `name` (UTC for None), or a 422."""
    if name is None:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"Invalid timezone: '{name}'. Use IANA timezone format (e.g. 'America/New_York')."
        ) from None


def parse_instant(text: str) -> str:
    """An ISO-8601 date-time as UTC text; a naive one is taken to be UTC already."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"Invalid end_time: '{text}' is not an ISO-8601 date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def next_firing(schedule: str, timezone: str | None, after: datetime) -> datetime:
    """The first firing strictly after `after`, in UTC."""
    local = after.astimezone(zone(timezone))
    following: datetime = croniter(schedule, local).get_next(datetime)
    return following.astimezone(UTC)


def next_run_date(schedule: str, timezone: str | None, after: datetime) -> str:
    """`next_firing` as the stored and shown text."""
    return next_firing(schedule, timezone, after).isoformat()
