"""Bodies of the threads and state endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from skeino.models.common import IfExists, Json, SortOrder, check_page

ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
ThreadSortBy = Literal["thread_id", "status", "created_at", "updated_at", "state_updated_at"]
ThreadField = Literal[
    "thread_id",
    "created_at",
    "updated_at",
    "state_updated_at",
    "metadata",
    "config",
    "context",
    "status",
    "values",
    "interrupts",
    "error",
]


@dataclass(frozen=True)
class ThreadTTL:
    """Sweep the thread `ttl` minutes from now (`checkpointer.ttl`'s default when absent).

    Any number is accepted, as by the official server: zero or less expires at once."""

    ttl: float | None = None
    strategy: Literal["delete", "keep_latest"] = "delete"


@dataclass(frozen=True)
class SuperstepUpdate:
    values: Any = None
    as_node: str | None = None
    command: Json | None = None


@dataclass(frozen=True)
class Superstep:
    updates: list[SuperstepUpdate]


@dataclass(frozen=True)
class ThreadCreate:
    """Create a thread, optionally pre-filled by replaying supersteps of state updates."""

    thread_id: str | None = None
    metadata: Json = field(default_factory=dict)
    if_exists: IfExists = "raise"
    supersteps: list[Superstep] | None = None
    ttl: ThreadTTL | None = None


@dataclass(frozen=True)
class ThreadPatch:
    """Merge metadata into a thread."""

    metadata: Json | None = None
    ttl: ThreadTTL | None = None


@dataclass(frozen=True)
class ThreadCount:
    """Count threads matching the same filters as search."""

    metadata: Json = field(default_factory=dict)
    values: Json = field(default_factory=dict)
    status: ThreadStatus | None = None


@dataclass(frozen=True)
class ThreadSearch:
    """Filter, sort and page threads."""

    ids: list[str] | None = None
    metadata: Json = field(default_factory=dict)
    values: Json = field(default_factory=dict)
    status: ThreadStatus | None = None
    limit: int = 10
    offset: int = 0
    sort_by: ThreadSortBy | None = None
    sort_order: SortOrder | None = None
    select: list[ThreadField] | None = None
    extract: dict[str, str] | None = None

    def __post_init__(self) -> None:
        check_page(self.limit, self.offset)


@dataclass(frozen=True)
class ThreadPrune:
    """Delete threads, or keep only their latest checkpoint."""

    thread_ids: list[str]
    strategy: Literal["delete", "keep_latest"] = "delete"


@dataclass(frozen=True)
class ThreadGetQuery:
    include: str | None = None


@dataclass(frozen=True)
class StateQuery:
    """`subgraphs`: include the state of subgraphs in pending tasks."""

    subgraphs: bool = False


@dataclass(frozen=True)
class StateUpdate:
    """Write values into a thread's state as if `as_node` had returned them."""

    values: Any = None
    as_node: str | None = None
    checkpoint: Json | None = None
    checkpoint_id: str | None = None


@dataclass(frozen=True)
class StateAtCheckpoint:
    checkpoint: Json
    subgraphs: bool = False


@dataclass(frozen=True)
class HistorySearch:
    """Checkpoints newest first, before a given one, filtered by metadata."""

    limit: int = 10
    before: Json | str | None = None
    metadata: Json | None = None
    checkpoint: Json | None = None

    def __post_init__(self) -> None:
        check_page(self.limit, 0)
