"""Bodies and query of the `/store` endpoints, as the SDK's `client.store` sends them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from skeino.models.common import Json


def _check_bounds(limit: int, offset: int) -> None:
    """Only negatives are refused: the official server takes any size of page here."""
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must be >= 0, got {offset}")


MAX_TTL_MINUTES = 1e9  # about 1,900 years: what a date from now can still reach


@dataclass(frozen=True)
class StorePut:
    """Create or replace an item; `index` False skips embedding, a list picks the fields;
    `ttl` is in minutes (the store's `default_ttl` when absent)."""

    namespace: list[str]
    key: str
    value: Json
    index: Literal[False] | list[str] | None = None
    ttl: float | None = None

    def __post_init__(self) -> None:
        """Upstream takes any number (204); past what a date offset holds it means "never
        before the end of time", below zero "already expired"."""
        if self.ttl is not None:
            object.__setattr__(self, "ttl", min(max(self.ttl, 0.0), MAX_TTL_MINUTES))


@dataclass(frozen=True)
class StoreGetQuery:
    """`namespace` comes dotted (`a.b`); `refresh_ttl` is read leniently, as officially."""

    namespace: str = ""
    key: str | None = None
    refresh_ttl: str | None = None


@dataclass(frozen=True)
class StoreDelete:
    key: str
    namespace: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StoreSearch:
    """Items under a namespace prefix, filtered by value, or ranked by `query` when the
    store has an index."""

    namespace_prefix: list[str] | None = None
    filter: Json | None = None
    limit: int = 10
    offset: int = 0
    query: str | None = None
    refresh_ttl: bool | None = None

    def __post_init__(self) -> None:
        _check_bounds(self.limit, self.offset)


@dataclass(frozen=True)
class StoreNamespaces:
    """Namespaces matching a prefix and suffix (`*` matches any label), cut at `max_depth`."""

    prefix: list[str] | None = None
    suffix: list[str] | None = None
    max_depth: int | None = None
    limit: int = 100
    offset: int = 0

    def __post_init__(self) -> None:
        _check_bounds(self.limit, self.offset)
        if self.max_depth is not None and self.max_depth < 1:
            raise ValueError(f"max_depth must be >= 1, got {self.max_depth}")
