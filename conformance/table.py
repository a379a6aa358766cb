"""The endpoint x scenario table of the README, generated from the recordings."""

from __future__ import annotations

import re
from collections import defaultdict

from conformance import recording
from conformance.normalise import UUID_RE

_ID_NAMES = {"state": "checkpoint_id"}


def route(path: str) -> str:
    """`/threads/<uuid>/runs/<uuid>` -> `/threads/{thread_id}/runs/{run_id}`."""
    parts = path.split("/")
    for index, part in enumerate(parts):
        if UUID_RE.fullmatch(part) and index > 0:
            previous = parts[index - 1]
            parts[index] = "{" + _ID_NAMES.get(previous, re.sub(r"s$", "", previous) + "_id") + "}"
    return "/".join(parts)


def _names(names: list[str], shown: int = 4) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def endpoint_table() -> str:
    """A markdown table: each METHOD route seen on the wire, with the statuses and scenarios."""
    rows: dict[str, tuple[set[int], set[str]]] = defaultdict(lambda: (set(), set()))
    for name in recording.recorded_names():
        for exchange in recording.load(name).exchanges:
            request = exchange["request"]
            statuses, scenarios = rows[f"{request['method']} {route(request['path'])}"]
            statuses.add(exchange["response"]["status"])
            scenarios.add(name)
    lines = ["| endpoint | statuses | scenarios |", "|---|---|---|"]
    for endpoint in sorted(rows, key=lambda key: (key.split(" ")[1], key)):
        statuses, scenarios = rows[endpoint]
        codes = ", ".join(str(code) for code in sorted(statuses))
        lines.append(f"| `{endpoint}` | {codes} | {_names(sorted(scenarios))} |")
    return "\n".join(lines)
