"""The storage protocol: everything skeino must remember, behind one async interface.

Records are plain JSON-ready dicts shaped as the wire shows them, so the API layer serialises
them without copying. Every method is a single atomic step against the database of record;
nothing here relies on one process's memory, so a shared backend (Postgres) can serve several
skeino processes: claiming a run (`claim_run`) is the only coordination point of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypedDict

SortOrder = Literal["asc", "desc"]
IfExists = Literal["raise", "do_nothing"]
ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
RunStatus = Literal["pending", "running", "error", "success", "timeout", "interrupted"]


class AssistantVersion(TypedDict):
    """One immutable version of an assistant."""

    assistant_id: str
    graph_id: str
    config: dict[str, Any]
    context: dict[str, Any]
    metadata: dict[str, Any]
    name: str
    description: str | None
    version: int
    created_at: str


class Assistant(AssistantVersion):
    """The version currently marked latest, and when that last changed."""

    updated_at: str


class Thread(TypedDict):
    thread_id: str
    created_at: str
    updated_at: str
    state_updated_at: str
    metadata: dict[str, Any]
    status: ThreadStatus
    config: dict[str, Any]
    values: dict[str, Any] | None
    interrupts: dict[str, list[dict[str, Any]]] | None
    """None until a run or state update first mirrors the checkpoint onto the thread."""
    error: Any


class Run(TypedDict):
    run_id: str
    thread_id: str
    assistant_id: str
    metadata: dict[str, Any]
    status: RunStatus
    kwargs: dict[str, Any]
    multitask_strategy: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Page:
    """Offset pagination and ordering shared by every search."""

    limit: int = 10
    offset: int = 0
    sort_by: str | None = None
    sort_order: SortOrder | None = None


@dataclass(frozen=True)
class AssistantQuery:
    """Filters of `POST /assistants/search` and `/count`; None means "any"."""

    metadata: dict[str, Any] = field(default_factory=dict)
    graph_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class ThreadQuery:
    """Filters of `POST /threads/search` and `/count`; None means "any"."""

    ids: list[str] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    status: ThreadStatus | None = None


class Storage(Protocol):
    """Async storage of assistants, threads and runs.

    Metadata and values filters use JSON containment: every key of the filter must be
    present with an equal value, nested objects compared the same way recursively.
    Searches return the page plus the total number of matches (for pagination headers).
    `update_*` methods take only the fields to change and return the new record, or None
    when the record does not exist.
    """

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    # assistants
    async def create_assistant(self, assistant: Assistant) -> Assistant | None:
        """Insert version 1; None when the id exists already (the caller decides 409/reuse)."""

    async def get_assistant(self, assistant_id: str) -> Assistant | None: ...

    async def add_assistant_version(
        self, assistant_id: str, changes: dict[str, Any], now: str
    ) -> Assistant | None:
        """Store a new version (max version + 1) from latest + changes and make it latest."""

    async def set_assistant_version(
        self, assistant_id: str, version: int, now: str
    ) -> Assistant | None:
        """Make an existing version latest; None when the assistant or version is missing."""

    async def list_assistant_versions(
        self, assistant_id: str, metadata: dict[str, Any], limit: int, offset: int
    ) -> list[AssistantVersion]:
        """Versions newest first."""

    async def search_assistants(
        self, query: AssistantQuery, page: Page
    ) -> tuple[list[Assistant], int]: ...

    async def delete_assistant(self, assistant_id: str) -> bool: ...

    # threads
    async def create_thread(self, thread: Thread) -> Thread | None:
        """Insert; None when the id exists already."""

    async def get_thread(self, thread_id: str) -> Thread | None: ...

    async def update_thread(self, thread_id: str, changes: dict[str, Any]) -> Thread | None:
        """Set fields; `metadata` in changes is merged key by key into the stored metadata."""

    async def search_threads(self, query: ThreadQuery, page: Page) -> tuple[list[Thread], int]: ...

    async def delete_thread(self, thread_id: str) -> bool:
        """Delete the thread and its runs."""

    async def thread_ids_older_than(self, cutoff: str, limit: int) -> list[str]:
        """Threads whose updated_at is before `cutoff` (for prune and TTL sweeps)."""

    # runs: the queue of record
    async def create_run(self, run: Run) -> Run: ...

    async def get_run(self, thread_id: str, run_id: str) -> Run | None: ...

    async def list_runs(
        self, thread_id: str, status: RunStatus | None, limit: int, offset: int
    ) -> list[Run]:
        """Runs of a thread, newest first."""

    async def update_run(self, run_id: str, changes: dict[str, Any]) -> Run | None: ...

    async def delete_run(self, thread_id: str, run_id: str) -> bool: ...

    async def claim_run(self, thread_id: str, now: str) -> Run | None:
        """Atomically move the oldest due pending run of a thread to `running`.

        Returns None while another run of that thread is running, or when none is due
        (a pending run with `kwargs["after_seconds"]`-derived `kwargs["not_before"]` later
        than `now` is not due).
        """

    async def runs_with_status(self, statuses: list[RunStatus]) -> list[Run]:
        """Every run in one of these statuses, oldest first (start-up recovery, scheduler)."""

    # token usage: kept beside the run record, so the run's wire shape never changes
    async def set_run_usage(self, run_id: str, total_tokens: int) -> None:
        """Record the tokens a run used; a no-op when the run does not exist."""

    async def get_run_usage(self, run_id: str) -> int | None:
        """The tokens recorded for a run; None when none were (or the run is gone)."""
