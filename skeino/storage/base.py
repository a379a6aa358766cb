"""The storage protocol: everything skeino must remember, behind one async interface.

Records are plain JSON-ready dicts shaped as the wire shows them, so the API layer serialises
them without copying. Every method is a single atomic step against the database of record;
nothing here relies on one process's memory, so several skeino processes can share one
database. Run statuses change only by `change_run` and `claim_run`, compare-and-sets of the
transitions `skeino.lifecycle` defines; a running run is leased to one worker at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypedDict

from skeino.lifecycle import RunStatus, ThreadStatus, Transition

SortOrder = Literal["asc", "desc"]
IfExists = Literal["raise", "do_nothing"]
CancelAction = Literal["interrupt", "rollback"]


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
class Claim:
    """A run a worker took from the queue, with what the queue keeps beside the record."""

    run: Run
    attempt: int
    """1 the first time the run is taken; more when a worker died or shut down holding it."""
    cancel: CancelAction | None
    """Set when a cancel was asked for before (or while) the run was taken."""
    api_url: str
    lease_until: float


@dataclass(frozen=True, slots=True)
class EventBatch:
    """Consecutive stream events of one run as the event log keeps them: `first` and `last`
    are the `(ms, seq)` keys that order and name them; `events` packs them (see `relay`)."""

    run_id: str
    thread_id: str | None
    first: tuple[int, int]
    last: tuple[int, int]
    events: bytes


NO_OUTPUT: Any = object()
"""A run's output when it ended without one (cancelled before it started)."""


@dataclass(frozen=True)
class RunChange:
    """A lifecycle transition as storage applies it, in one transaction.

    Applied only when the run's status is among `transition.sources` (and, when given, the
    run is leased to `worker_id`, or its lease ended before `expired_by`); the thread's
    fields in `thread` change in the same transaction. `output` is what `wait` and `join`
    answer for a run that ended. `events` (the run's last stream events) are logged in that
    transaction too, whether or not the change applies.
    """

    transition: Transition
    fields: dict[str, Any] = field(default_factory=dict)
    thread: dict[str, Any] | None = None
    output: Any = NO_OUTPUT
    worker_id: str | None = None
    expired_by: float | None = None
    events: Sequence[EventBatch] = ()


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

    async def update_thread(
        self, thread_id: str, changes: dict[str, Any], *, at_rest: bool = False
    ) -> Thread | None:
        """Set fields; `metadata` in changes is merged key by key into the stored metadata.

        With `at_rest`, a `status` in changes applies only while no run of the thread is
        running: a running run's thread is `busy` until that run's own transition ends it.
        """

    async def search_threads(self, query: ThreadQuery, page: Page) -> tuple[list[Thread], int]: ...

    async def delete_thread(self, thread_id: str) -> bool:
        """Delete the thread and its runs."""

    async def thread_ids_older_than(self, cutoff: str, limit: int) -> list[str]:
        """Threads whose updated_at is before `cutoff` (for prune and TTL sweeps)."""

    # TTLs (`storage.ttl`): when a thread expires, on the queue's clock
    async def set_thread_ttl(
        self, thread_id: str, strategy: str, minutes: float, now: float
    ) -> None:
        """Expire the thread `minutes` after `now`; the sweep then applies `strategy`."""

    async def touch_thread_ttl(self, thread_id: str, now: float) -> None:
        """Count a thread's TTL again from `now`; a no-op for a thread without one."""

    async def expired_threads(self, now: float, limit: int) -> list[tuple[str, str]]:
        """`(thread_id, strategy)` of threads expired by `now`, the longest expired first."""

    async def take_lease(self, name: str, holder: str, now: float, until: float) -> bool:
        """Hold the lease `name` until `until` when it is free (ended by `now`) or `holder`'s
        already: True when `holder` now has it."""

    async def create_run(
        self,
        run: Run,
        *,
        not_before: float | None = None,
        api_url: str = "",
        thread: dict[str, Any] | None = None,
    ) -> Run:
        """Queue a pending run; not due before the epoch second `not_before` when given.

        `thread` changes the run's thread as `update_thread` does, in the same transaction.
        Other processes are not woken: the caller wakes its own worker, and a process that
        stops before taking the run leaves it to the others' polls."""

    async def get_run(self, thread_id: str, run_id: str) -> Run | None: ...

    async def list_runs(
        self, thread_id: str, status: RunStatus | None, limit: int, offset: int
    ) -> list[Run]:
        """Runs of a thread, newest first."""

    async def delete_run(self, thread_id: str, run_id: str) -> bool: ...

    async def runs_with_status(self, statuses: list[RunStatus]) -> list[Run]:
        """Every run in one of these statuses, oldest first."""

    async def claim_run(
        self, worker_id: str, now: float, lease_until: float, thread_id: str | None = None
    ) -> Claim | None:
        """Take the oldest due pending run (of `thread_id`, or of any thread) whose thread has
        no running run, leased to `worker_id` until `lease_until`; its thread turns busy."""

    async def change_run(self, run_id: str, change: RunChange) -> Run | None:
        """Apply a transition; the run as it now is (as it was, when deleted), or None when
        the run is gone or elsewhere (a lost race: nothing was written)."""

    async def request_cancel(self, run_id: str, action: CancelAction) -> RunStatus | None:
        """Ask for a pending or running run to be cancelled (the first action asked wins); its
        status, or None when it is gone. The worker holding it hears and ends it."""

    async def cancel_requests(self, worker_id: str) -> dict[str, CancelAction]:
        """The cancels asked for runs that `worker_id` holds."""

    async def renew_leases(
        self, worker_id: str, run_ids: Collection[str], lease_until: float
    ) -> set[str]:
        """Extend `worker_id`'s leases on these runs; the ids it still holds."""

    async def expired_runs(self, now: float) -> list[Claim]:
        """Running runs whose lease ended before `now`: their worker is gone."""

    async def run_output(self, run_id: str) -> tuple[RunStatus, Any] | None:
        """A run's status and the output recorded when it ended; None when it is gone."""

    # token usage: kept beside the run record, so the run's wire shape never changes
    async def set_run_usage(self, run_id: str, total_tokens: int) -> None:
        """Record the tokens a run used; a no-op when the run does not exist."""

    async def get_run_usage(self, run_id: str) -> int | None:
        """The tokens recorded for a run; None when none were (or the run is gone)."""


class EventLog(Protocol):
    """Run events kept in the database, for streams read from another process and for
    `Last-Event-ID` replay; a backend whose processes cannot share one has none."""

    async def append_events(self, batches: Sequence[EventBatch]) -> None: ...

    async def read_events(
        self, run_id: str, after: tuple[int, int], limit: int
    ) -> list[EventBatch]:
        """A run's batches holding events after `after` = (ms, seq), in order."""

    async def trim_events(self, before_ms: int) -> None:
        """Forget batches whose events are all older than `before_ms` (epoch ms)."""
