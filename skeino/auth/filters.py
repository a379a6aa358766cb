"""The filters authorization handlers return, applied to records' metadata.

`{"k": v}` and `{"k": {"$eq": v}}` are exact matches; `{"k": {"$contains": v}}` asks for a
list holding `v` (or every item of a list `v`). Exact matches are pushed into the storage's
own metadata containment so searches keep their paging in the database; only `$contains`
makes a search read every candidate and filter here.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from skeino.storage.base import Page
from skeino.storage.filters import json_equal, paginate

Filter = Mapping[str, Any]
Row = TypeVar("Row", bound=Mapping[str, Any])
Search = Callable[[dict[str, Any], Page], Awaitable[tuple[list[Row], int]]]

EVERY_ROW = sys.maxsize


def _condition(expected: Any) -> dict[str, Any]:
    """A filter value as operators: anything but an operator object is `$eq`."""
    if isinstance(expected, dict) and expected and all(k.startswith("$") for k in expected):
        return expected
    return {"$eq": expected}


def _holds(present: bool, actual: Any, op: str, operand: Any) -> bool:
    if op == "$eq":
        return present and json_equal(actual, operand)
    if op == "$contains":
        wanted = operand if isinstance(operand, list) else [operand]
        return isinstance(actual, list) and all(
            any(json_equal(item, w) for item in actual) for w in wanted
        )
    raise ValueError(f"unsupported filter operator {op!r}")


def matches(metadata: Mapping[str, Any] | None, auth_filter: Filter | None) -> bool:
    """Whether a record with this metadata passes the filter (None passes everything)."""
    if not auth_filter:
        return True
    metadata = metadata or {}
    return all(
        _holds(key in metadata, metadata.get(key), op, operand)
        for key, expected in auth_filter.items()
        for op, operand in _condition(expected).items()
    )


def narrow(
    metadata: Mapping[str, Any], auth_filter: Filter
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The caller's metadata query with the filter's exact matches added, and what remains
    to check row by row; None when the two contradict (nothing can match)."""
    merged, rest = dict(metadata), {}
    for key, expected in auth_filter.items():
        condition = _condition(expected)
        if set(condition) != {"$eq"}:
            rest[key] = condition
            continue
        value = condition["$eq"]
        if key in merged and not json_equal(merged[key], value):
            return None, {}
        merged[key] = value
    return merged, rest


async def scoped_search(
    search: Search[Row], metadata: Mapping[str, Any], auth_filter: Filter | None, page: Page
) -> tuple[list[Row], int]:
    """`search(metadata, page)` limited to the rows the filter lets the caller see."""
    if not auth_filter:
        return await search(dict(metadata), page)
    merged, rest = narrow(metadata, auth_filter)
    if merged is None:
        return [], 0
    if not rest:
        return await search(merged, page)
    rows, _ = await search(merged, replace(page, limit=EVERY_ROW, offset=0))
    kept = [row for row in rows if matches(row["metadata"], rest)]
    return paginate(kept, page.limit, page.offset), len(kept)


def stamp(auth_filter: Filter | None) -> dict[str, Any]:
    """Metadata that makes a record the server creates on the caller's behalf (a run's new
    thread) pass the caller's filter, so they can read what they just made."""
    if not auth_filter:
        return {}
    merged, _ = narrow({}, auth_filter)
    return merged or {}
