"""Parse a whole `text/event-stream` body into events, as an SSE client would.

Comment lines (`: heartbeat`) are dropped: they carry no data and their number
depends on timing. `retry:` is ignored (the SDK does not act on it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")


def event_ends(body: bytes, after: int = 0) -> list[int]:
    """Offsets past `after` just beyond each blank line of a partly read body: where a
    whole event ends."""
    return [match.end() for match in EVENT_END.finditer(body) if match.end() > after]


@dataclass(frozen=True)
class Event:
    """One dispatched SSE event; `data` is parsed JSON when it parses."""

    event: str
    data: Any
    id: str | None = None

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"event": self.event, "data": self.data}
        if self.id is not None:
            record["id"] = self.id
        return record


def parse_data(raw: str) -> Any:
    """JSON when it is JSON, the raw text otherwise (some servers send plain text)."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def parse(body: str) -> list[Event]:
    """Split on blank lines (any of \\r\\n, \\r, \\n) and dispatch events per the SSE spec."""
    events: list[Event] = []
    name, data, event_id, seen = "", [], None, False
    for line in body.splitlines():
        if not line:
            if seen:
                events.append(Event(name or "message", parse_data("\n".join(data)), event_id))
            name, data, event_id, seen = "", [], None, False
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name, seen = value, True
        elif field == "data":
            data.append(value)
            seen = True
        elif field == "id":
            event_id, seen = value, True
    if seen:
        events.append(Event(name or "message", parse_data("\n".join(data)), event_id))
    return events
