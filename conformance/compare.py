"""Compare a normalised recording with a normalised replay and say where they differ.

Values are compared exactly after normalisation; objects as key sets (order never
matters), arrays element by element. A difference names the JSON path. One documented
exception: a 422 schema-validation `detail` is compared by its first line only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_DIFFERENCES = 20


@dataclass(frozen=True)
class Difference:
    """One place where replay differs from recording."""

    exchange: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"exchange {self.exchange} " if self.exchange is not None else ""
        return f"{where}{self.path}: {self.message}"


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


def diff_values(expected: Any, actual: Any, path: str = "$") -> list[tuple[str, str]]:
    """(path, message) for each difference between two JSON values."""
    kind, other = json_type(expected), json_type(actual)
    if kind != other:
        return [(path, f"expected {kind} {_short(expected)}, got {other} {_short(actual)}")]
    if kind == "object":
        return _diff_objects(expected, actual, path)
    if kind == "array":
        return _diff_arrays(expected, actual, path)
    if expected != actual:
        return [(path, f"expected {_short(expected)}, got {_short(actual)}")]
    return []


def _diff_objects(
    expected: dict[str, Any], actual: dict[str, Any], path: str
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        found.append((path, f"missing keys {missing}"))
    if extra:
        found.append((path, f"unexpected keys {extra}"))
    for key in sorted(set(expected) & set(actual)):
        found.extend(diff_values(expected[key], actual[key], f"{path}.{key}"))
    return found


def _diff_arrays(expected: list[Any], actual: list[Any], path: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if len(expected) != len(actual):
        found.append((path, f"expected {len(expected)} items, got {len(actual)}"))
    for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
        found.extend(diff_values(left, right, f"{path}[{index}]"))
    return found


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def diff_events(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]], path: str
) -> list[tuple[str, str]]:
    """SSE: the sequence of event names first (the clearest message), then each payload."""
    names = [event["event"] for event in expected]
    got = [event["event"] for event in actual]
    if names != got:
        return [(path, f"event names differ:\n      expected {names}\n      got      {got}")]
    return diff_values(expected, actual, path)


def diff_exchanges(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]]
) -> list[Difference]:
    """Differences between two normalised runs, at most `MAX_DIFFERENCES`."""
    found: list[Difference] = []
    if len(expected) != len(actual):
        found.append(
            Difference(None, "$", f"expected {len(expected)} exchanges, got {len(actual)}")
        )
    for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
        found.extend(
            Difference(index, path, message) for path, message in _diff_exchange(left, right)
        )
        if len(found) >= MAX_DIFFERENCES:
            break
    return found[:MAX_DIFFERENCES]


def _diff_exchange(expected: dict[str, Any], actual: dict[str, Any]) -> list[tuple[str, str]]:
    found = diff_values(expected["request"], actual["request"], "request")
    left, right = expected["response"] or {}, actual["response"] or {}
    if left.get("status") != right.get("status"):
        found.append(
            ("response.status", f"expected {left.get('status')}, got {right.get('status')}")
        )
    found.extend(_body_diff(left, right))
    found.extend(diff_values(left.get("headers"), right.get("headers"), "response.headers"))
    return found


SCHEMA_ERROR = "\n\nFailed validating"


def _schema_error_diff(left: dict[str, Any], right: dict[str, Any]) -> list[tuple[str, str]] | None:
    """422 schema errors: the first line (the JSON Schema message) must match exactly; the
    rest is the validator's rendering of schema and instance paths, not a client contract."""
    detail = (left.get("body") or {}).get("detail") if isinstance(left.get("body"), dict) else None
    if left.get("status") != 422 or not isinstance(detail, str) or SCHEMA_ERROR not in detail:
        return None
    body = right.get("body")
    got = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(got, str):
        return [("response.body.detail", f"expected a string, got {_short(got)}")]
    if got.split("\n", 1)[0] != detail.split("\n", 1)[0]:
        return [
            (
                "response.body.detail",
                f"expected first line {_short(detail.split(chr(10))[0])},"
                f" got {_short(got.split(chr(10))[0])}",
            )
        ]
    return []


def _body_diff(left: dict[str, Any], right: dict[str, Any]) -> list[tuple[str, str]]:
    if "events" in left and "events" in right:
        return diff_events(left["events"], right["events"], "response.events")
    schema_error = _schema_error_diff(left, right)
    if schema_error is not None:
        return schema_error
    return diff_values(
        {k: left.get(k) for k in ("body", "events", "error") if k in left},
        {k: right.get(k) for k in ("body", "events", "error") if k in right},
        "response",
    )
