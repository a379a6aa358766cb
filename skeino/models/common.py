"""Pieces shared by several request models."""

from __future__ import annotations

from typing import Any, Literal

from skeino.errors import BadRequest

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


BOTH_CONFIGURABLE_AND_CONTEXT = (
    "Cannot specify both configurable and context. Prefer setting context alone. Context was "
    "introduced in LangGraph 0.6.0 and is the long term planned replacement for configurable."
)


def check_configurable_or_context(
    config: dict[str, Any] | None, context: dict[str, Any] | None
) -> None:
    """Assistants and runs take one of the two (both non-empty is a 400, as upstream)."""
    if (config or {}).get("configurable") and context:
        raise BadRequest(BOTH_CONFIGURABLE_AND_CONTEXT)
