"""Pieces shared by several request models."""

from __future__ import annotations

from typing import Any, Literal

SortOrder = Literal["asc", "desc"]
IfExists = Literal["raise", "do_nothing"]
Json = dict[str, Any]

MAX_LIMIT = 1000


def check_page(limit: int, offset: int) -> None:
    """Shared bounds of `limit`/`offset`; a ValueError here becomes a 422 naming the body."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must be >= 0, got {offset}")
