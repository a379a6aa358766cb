"""A page of search results and what the pagination headers say about it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Paged(Generic[T]):
    """Rows of one page; `next_offset` is None on the last page.

    `shown_total` follows the official server's `X-Pagination-Total`, which counts the rows
    up to this page plus one when more follow (a look-ahead), not every match.
    """

    rows: list[T]
    offset: int
    total: int

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.rows)
        return end if end < self.total else None

    @property
    def shown_total(self) -> int:
        end = self.offset + len(self.rows)
        return end + 1 if self.next_offset is not None else end


def select(rows: Iterable[dict[str, Any]], fields: list[str] | None) -> list[dict[str, Any]]:
    """Keep only the requested fields of each row (the `select` of search bodies)."""
    if not fields:
        return list(rows)
    return [{k: row[k] for k in fields if k in row} for row in rows]
