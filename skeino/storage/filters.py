"""Query and record semantics shared by every backend, so memory and SQLite agree exactly.

The memory backend evaluates these functions directly; SQLite translates what it cheaply can
into SQL and calls `contains` (registered as an SQL function) for the rest. Keeping the one
definition here is what lets tests compare both backends result for result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import orjson

from skeino.storage.base import (
    Assistant,
    AssistantQuery,
    AssistantVersion,
    Page,
    Thread,
    ThreadQuery,
)

T = TypeVar("T")
Record = TypeVar("Record", bound=Mapping[str, Any])


def copy(value: T) -> T:
    """A deep, JSON-normalised copy: what a round trip through the database would return."""
    return orjson.loads(orjson.dumps(value))


def contains(document: Any, filter: Any) -> bool:
    """JSON containment: every key of a dict filter present in `document` with an equal value.

    Nested dicts are compared the same way recursively; anything else (lists included) must
    be equal. A null filter value matches only a present key whose value is null.
    """
    if isinstance(filter, dict):
        return isinstance(document, dict) and all(
            key in document and contains(document[key], value) for key, value in filter.items()
        )
    return json_equal(document, filter)


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON sees it: `true` is not `1` (Python alone would say it is)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(json_equal, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[key], b[key]) for key in a)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def name_matches(name: str, needle: str | None) -> bool:
    """The official server's assistant name filter: a case-insensitive substring."""
    return needle is None or needle.lower() in name.lower()


@dataclass(frozen=True)
class SortSpec:
    """Which columns a search may sort by; `key` breaks ties so every order is total."""

    key: str
    columns: frozenset[str]
    default: str = "created_at"

    def resolve(self, page: Page) -> tuple[str, bool]:
        """Return (column, descending); unknown columns are refused, never interpolated."""
        column = page.sort_by or self.default
        if column not in self.columns:
            raise ValueError(f"cannot sort by {column!r}")
        return column, page.sort_order != "asc"

    def sort(self, records: Iterable[Record], page: Page) -> list[Record]:
        column, descending = self.resolve(page)
        return sorted(records, key=lambda r: (r[column], r[self.key]), reverse=descending)


THREAD_SORT = SortSpec(
    "thread_id",
    frozenset({"thread_id", "status", "created_at", "updated_at", "state_updated_at"}),
)
ASSISTANT_SORT = SortSpec(
    "assistant_id", frozenset({"assistant_id", "graph_id", "name", "created_at", "updated_at"})
)


MAX_BOUND = 2**62  # a LIMIT or OFFSET past what SQL integers hold means "all" anyway


def bound(value: int) -> int:
    """A page bound as SQL takes it: negative is zero, huge is `MAX_BOUND`."""
    return min(max(value, 0), MAX_BOUND)


def paginate(records: list[Record], limit: int, offset: int) -> list[Record]:
    """Slice like SQL's LIMIT/OFFSET (negative values are clamped, not Python-indexed)."""
    start = max(offset, 0)
    return records[start : start + max(limit, 0)]


def apply_changes(
    record: Mapping[str, Any], changes: Mapping[str, Any], key: str
) -> dict[str, Any]:
    """`record` with `changes` applied: fields replaced, `metadata` merged key by key.

    Unknown fields and the primary key are refused so a typo cannot silently vanish.
    """
    unknown = set(changes) - (set(record) - {key})
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    updated = {**record, **changes}
    if "metadata" in changes:
        updated["metadata"] = {**record["metadata"], **changes["metadata"]}
    return updated


VERSION_FIELDS = tuple(name for name in AssistantVersion.__annotations__ if name != "created_at")
VERSIONED_FIELDS = frozenset(VERSION_FIELDS) - {"assistant_id", "version"}


def next_version(
    current: Assistant, changes: Mapping[str, Any], version: int, now: str
) -> tuple[Assistant, AssistantVersion]:
    """The new latest assistant and its version record: the current one plus changes."""
    unknown = set(changes) - VERSIONED_FIELDS
    if unknown:
        raise ValueError(f"cannot version {sorted(unknown)}")
    fields = apply_changes(current, changes, "assistant_id")
    assistant = cast(Assistant, {**fields, "version": version, "updated_at": now})
    return assistant, version_record(assistant, now)


def version_record(assistant: Assistant, created_at: str) -> AssistantVersion:
    """The immutable version row describing `assistant` as of `created_at`."""
    fields = {name: assistant[name] for name in VERSION_FIELDS}  # type: ignore[literal-required]
    return cast(AssistantVersion, {**fields, "created_at": created_at})


def promote(current: Assistant, version: AssistantVersion, now: str) -> Assistant:
    """The assistant row once an older `version` is made latest again."""
    fields = {name: version[name] for name in VERSION_FIELDS}  # type: ignore[literal-required]
    return cast(Assistant, {**current, **fields, "updated_at": now})


def assistant_matches(assistant: Assistant, query: AssistantQuery) -> bool:
    return (
        (query.graph_id is None or assistant["graph_id"] == query.graph_id)
        and name_matches(assistant["name"], query.name)
        and contains(assistant["metadata"], query.metadata)
    )


def thread_matches(thread: Thread, query: ThreadQuery) -> bool:
    """A thread with null values never matches a non-empty values filter."""
    return (
        (query.ids is None or thread["thread_id"] in query.ids)
        and (query.status is None or thread["status"] == query.status)
        and contains(thread["metadata"], query.metadata)
        and (not query.values or contains(thread["values"], query.values))
    )
