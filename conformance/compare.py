"""Compare one normalised recorded exchange with its replayed partner and say where they differ.

Values are compared exactly after normalisation; objects as key sets (order never
matters), arrays element by element; SSE events are aligned by name first, so one
extra or missing event is reported as such and the others are still compared. Every
difference has a `Kind`, which a profile (`profiles.py`) turns into a failure or a
note. Error wording is its own kind: a string `detail` of an error response; a 422
schema-validation `detail` is compared by its first line only (the rest is the
validator's rendering of schema paths, not a client contract).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, replace
from typing import Any

from conformance.pairing import aligner


class Kind(enum.StrEnum):
    """What sort of difference; profiles decide which kinds only count as notes."""

    VALUE = "value"
    MISSING_KEY = "missing-key"
    EXTRA_KEY = "extra-key"
    STATUS = "status"
    EVENTS = "events"
    ERROR_WORDING = "error-wording"
    REQUEST = "request"
    MISSING_EXCHANGE = "missing-exchange"
    UNEXPECTED_EXCHANGE = "unexpected-exchange"
    RAISED = "raised"
    SETUP = "setup"
    NO_RECORDING = "no-recording"


@dataclass(frozen=True)
class Difference:
    """One place where replay differs from recording (`exchange` is the recorded index)."""

    exchange: int | None
    path: str
    message: str
    kind: Kind = Kind.VALUE
    statuses: tuple[int | None, int | None] | None = None

    def __str__(self) -> str:
        where = f"exchange {self.exchange} " if self.exchange is not None else ""
        return f"{where}{self.path}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "exchange": self.exchange,
            "path": self.path,
            "kind": str(self.kind),
            "message": self.message,
        }


def _at(path: str, message: str, kind: Kind = Kind.VALUE) -> Difference:
    return Difference(None, path, message, kind)


def json_type(value: Any) -> str:
    """The JSON type name; int and float are both `number`, as on the wire."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {value!r}")


def diff_values(expected: Any, actual: Any, path: str = "$") -> list[Difference]:
    """Each difference between two JSON values (with `exchange` unset)."""
    kind, other = json_type(expected), json_type(actual)
    if kind != other:
        return [_at(path, f"expected {kind} {_short(expected)}, got {other} {_short(actual)}")]
    if kind == "object":
        return _diff_objects(expected, actual, path)
    if kind == "array":
        return _diff_arrays(expected, actual, path)
    if expected != actual:
        return [_at(path, f"expected {_short(expected)}, got {_short(actual)}")]
    return []


def _diff_objects(expected: dict[str, Any], actual: dict[str, Any], path: str) -> list[Difference]:
    found: list[Difference] = []
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        found.append(_at(path, f"missing keys {missing}", Kind.MISSING_KEY))
    if extra:
        found.append(_at(path, f"unexpected keys {extra}", Kind.EXTRA_KEY))
    for key in sorted(set(expected) & set(actual)):
        found.extend(diff_values(expected[key], actual[key], f"{path}.{key}"))
    return found


def _diff_arrays(expected: list[Any], actual: list[Any], path: str) -> list[Difference]:
    found: list[Difference] = []
    if len(expected) != len(actual):
        found.append(_at(path, f"expected {len(expected)} items, got {len(actual)}"))
    for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
        found.extend(diff_values(left, right, f"{path}[{index}]"))
    return found


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def diff_events(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]], path: str
) -> list[Difference]:
    """SSE: align the events (whole events first, then by name), report the name sequences
    when they differ, then compare the payloads of the aligned events (so one extra `end`
    event does not hide the rest)."""
    names = [event["event"] for event in expected]
    got = [event["event"] for event in actual]
    if names == got:
        return diff_values(expected, actual, path)
    message = f"event names differ:\n      expected {names}\n      got      {got}"
    found = [_at(path, message, Kind.EVENTS)]
    by_name = aligner(names, got)
    whole = aligner(_event_keys(expected), _event_keys(actual), by_name)
    for pair in whole(range(len(expected)), range(len(actual))):
        if pair.expected is not None and pair.actual is not None:
            found.extend(
                diff_values(
                    expected[pair.expected], actual[pair.actual], f"{path}[{pair.expected}]"
                )
            )
    return found


def _event_keys(events: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(event, sort_keys=True) for event in events]


def diff_exchange(expected: dict[str, Any], actual: dict[str, Any]) -> list[Difference]:
    """Differences between two paired exchanges (with `exchange` unset)."""
    found = [
        replace(difference, kind=Kind.REQUEST)
        for difference in diff_values(expected["request"], actual["request"], "request")
    ]
    left, right = expected["response"] or {}, actual["response"] or {}
    statuses = (left.get("status"), right.get("status"))
    if statuses[0] != statuses[1]:
        message = f"expected {statuses[0]}, got {statuses[1]}"
        found.append(Difference(None, "response.status", message, Kind.STATUS, statuses))
    found.extend(_body_diff(left, right))
    found.extend(diff_values(left.get("headers"), right.get("headers"), "response.headers"))
    return found


SCHEMA_ERROR = "\n\nFailed validating"


def _error_detail(response: dict[str, Any]) -> str | None:
    """The string `detail` of an error response, if it has one."""
    body = response.get("body")
    status = response.get("status") or 0
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if status >= 400 and isinstance(detail, str) else None


def _wording_diff(expected: str, actual: str) -> list[Difference]:
    """Error wording: a 422 schema error by its first line, any other detail exactly."""
    if SCHEMA_ERROR in expected:
        expected, actual = expected.split("\n", 1)[0], actual.split("\n", 1)[0]
        if expected == actual:
            return []
        message = f"expected first line {_short(expected)}, got {_short(actual)}"
    elif expected == actual:
        return []
    else:
        message = f"expected {_short(expected)}, got {_short(actual)}"
    return [_at("response.body.detail", message, Kind.ERROR_WORDING)]


def _body_diff(left: dict[str, Any], right: dict[str, Any]) -> list[Difference]:
    if "events" in left and "events" in right:
        return diff_events(left["events"], right["events"], "response.events")
    found: list[Difference] = []
    expected_detail, actual_detail = _error_detail(left), _error_detail(right)
    if expected_detail is not None and actual_detail is not None:
        found = _wording_diff(expected_detail, actual_detail)
        left = {**left, "body": {**left["body"], "detail": ""}}
        right = {**right, "body": {**right["body"], "detail": ""}}
    keys = ("body", "events", "error")
    found.extend(
        diff_values(
            {k: left.get(k) for k in keys if k in left},
            {k: right.get(k) for k in keys if k in right},
            "response",
        )
    )
    return found
