"""Process-local storage in dicts, for `memory://`: tests and throwaway servers.

It must be indistinguishable from SQLite through the protocol, so every rule (containment,
ordering, pagination, merging) comes from `filters`, and every record crosses the boundary
as a JSON round-tripped copy: callers can never alias the stored state, exactly as with a
database. No method awaits, so each is atomic under asyncio without a lock.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, cast

from skeino.ids import iso_at
from skeino.lifecycle import ACTIVE, THREAD_WITH, Event, transition
from skeino.storage.base import (
    NO_OUTPUT,
    Assistant,
    AssistantQuery,
    AssistantVersion,
    CancelAction,
    Claim,
    Page,
    Run,
    RunChange,
    RunStatus,
    Thread,
    ThreadQuery,
)
from skeino.storage.filters import (
    ASSISTANT_SORT,
    THREAD_SORT,
    apply_changes,
    assistant_matches,
    contains,
    copy,
    next_version,
    paginate,
    promote,
    thread_matches,
    version_record,
)
from skeino.storage.ttl import MemorySweeps


@dataclass
class _Lease:
    """What the queue keeps beside a run record (columns of their own in SQL backends)."""

    not_before: float | None
    api_url: str
    worker_id: str | None = None
    lease_until: float | None = None
    attempt: int = 0
    cancel: CancelAction | None = None
    output: Any = NO_OUTPUT


class MemoryStorage(MemorySweeps):
    """The storage protocol over plain dicts; data lives as long as the instance."""

    def __init__(self) -> None:
        super().__init__()
        self._assistants: dict[str, Assistant] = {}
        self._versions: dict[str, dict[int, AssistantVersion]] = {}
        self._threads: dict[str, Thread] = {}
        self._runs: dict[str, Run] = {}
        self._usage: dict[str, int] = {}
        self._leases: dict[str, _Lease] = {}

    async def open(self) -> None:
        """Nothing to open; present so both backends share one lifecycle."""

    async def close(self) -> None:
        """Nothing to release; the data stays until the instance is dropped."""

    # assistants
    async def create_assistant(self, assistant: Assistant) -> Assistant | None:
        assistant_id = assistant["assistant_id"]
        if assistant_id in self._assistants:
            return None
        stored = copy(assistant)
        self._assistants[assistant_id] = stored
        self._versions[assistant_id] = {
            stored["version"]: version_record(stored, stored["created_at"])
        }
        return copy(stored)

    async def get_assistant(self, assistant_id: str) -> Assistant | None:
        return copy(self._assistants.get(assistant_id))

    async def add_assistant_version(
        self, assistant_id: str, changes: dict[str, Any], now: str
    ) -> Assistant | None:
        current = self._assistants.get(assistant_id)
        if current is None:
            return None
        versions = self._versions[assistant_id]
        assistant, version = next_version(current, copy(changes), max(versions) + 1, now)
        versions[version["version"]] = copy(version)
        self._assistants[assistant_id] = copy(assistant)
        return assistant

    async def set_assistant_version(
        self, assistant_id: str, version: int, now: str
    ) -> Assistant | None:
        current = self._assistants.get(assistant_id)
        chosen = self._versions.get(assistant_id, {}).get(version)
        if current is None or chosen is None:
            return None
        assistant = copy(promote(current, chosen, now))
        self._assistants[assistant_id] = assistant
        return copy(assistant)

    async def list_assistant_versions(
        self, assistant_id: str, metadata: dict[str, Any], limit: int, offset: int
    ) -> list[AssistantVersion]:
        versions = self._versions.get(assistant_id, {})
        newest_first = [versions[number] for number in sorted(versions, reverse=True)]
        matches = [v for v in newest_first if contains(v["metadata"], metadata)]
        return copy(paginate(matches, limit, offset))

    async def search_assistants(
        self, query: AssistantQuery, page: Page
    ) -> tuple[list[Assistant], int]:
        matches = [a for a in self._assistants.values() if assistant_matches(a, query)]
        ordered = ASSISTANT_SORT.sort(matches, page)
        return copy(paginate(ordered, page.limit, page.offset)), len(matches)

    async def delete_assistant(self, assistant_id: str) -> bool:
        self._versions.pop(assistant_id, None)
        return self._assistants.pop(assistant_id, None) is not None

    # threads
    async def create_thread(self, thread: Thread) -> Thread | None:
        if thread["thread_id"] in self._threads:
            return None
        stored = copy(thread)
        self._threads[stored["thread_id"]] = stored
        return copy(stored)

    async def get_thread(self, thread_id: str) -> Thread | None:
        return copy(self._threads.get(thread_id))

    async def update_thread(
        self, thread_id: str, changes: dict[str, Any], *, at_rest: bool = False
    ) -> Thread | None:
        if at_rest and any(r["status"] == "running" for r in self._thread_runs(thread_id)):
            changes = {k: v for k, v in changes.items() if k != "status"}
        return self._update_thread(thread_id, changes)

    def _update_thread(self, thread_id: str, changes: dict[str, Any]) -> Thread | None:
        current = self._threads.get(thread_id)
        if current is None:
            return None
        updated = cast(Thread, copy(apply_changes(current, changes, "thread_id")))
        self._threads[thread_id] = updated
        return copy(updated)

    async def search_threads(self, query: ThreadQuery, page: Page) -> tuple[list[Thread], int]:
        matches = [t for t in self._threads.values() if thread_matches(t, query)]
        ordered = THREAD_SORT.sort(matches, page)
        return copy(paginate(ordered, page.limit, page.offset)), len(matches)

    async def delete_thread(self, thread_id: str) -> bool:
        if self._threads.pop(thread_id, None) is None:
            return False
        self.forget_thread_ttl(thread_id)
        for run in self._thread_runs(thread_id):
            self._forget(run["run_id"])
        return True

    async def thread_ids_older_than(self, cutoff: str, limit: int) -> list[str]:
        old = [t for t in self._threads.values() if t["updated_at"] < cutoff]
        old.sort(key=lambda t: (t["updated_at"], t["thread_id"]))
        return [t["thread_id"] for t in paginate(old, limit, 0)]

    # runs
    async def create_run(
        self,
        run: Run,
        *,
        not_before: float | None = None,
        api_url: str = "",
        thread: dict[str, Any] | None = None,
    ) -> Run:
        if run["run_id"] in self._runs:
            raise ValueError(f"run {run['run_id']} exists already")
        if thread is not None:
            self._update_thread(run["thread_id"], thread)
        stored = copy(run)
        self._runs[stored["run_id"]] = stored
        self._leases[stored["run_id"]] = _Lease(not_before, api_url)
        return copy(stored)

    async def get_run(self, thread_id: str, run_id: str) -> Run | None:
        run = self._runs.get(run_id)
        return copy(run) if run is not None and run["thread_id"] == thread_id else None

    async def list_runs(
        self, thread_id: str, status: RunStatus | None, limit: int, offset: int
    ) -> list[Run]:
        runs = [r for r in self._thread_runs(thread_id) if status in (None, r["status"])]
        return copy(paginate(runs[::-1], limit, offset))

    async def delete_run(self, thread_id: str, run_id: str) -> bool:
        if await self.get_run(thread_id, run_id) is None:
            return False
        self._forget(run_id)
        return True

    async def runs_with_status(self, statuses: list[RunStatus]) -> list[Run]:
        runs = [r for r in self._runs.values() if r["status"] in statuses]
        return copy(sorted(runs, key=_run_age))

    async def claim_run(
        self, worker_id: str, now: float, lease_until: float, thread_id: str | None = None
    ) -> Claim | None:
        step = transition(Event.CLAIM)
        busy = {r["thread_id"] for r in self._runs.values() if r["status"] == "running"}
        for run in sorted(self._runs.values(), key=_run_age):
            lease = self._leases[run["run_id"]]
            if (
                run["status"] in step.sources
                and thread_id in (None, run["thread_id"])
                and run["thread_id"] not in busy
                and (lease.not_before is None or lease.not_before <= now)
            ):
                run.update({"status": step.target, "updated_at": iso_at(now)})  # type: ignore[typeddict-item]
                lease.worker_id, lease.lease_until = worker_id, lease_until
                lease.attempt += 1
                changes = {"status": THREAD_WITH[Event.CLAIM], "updated_at": run["updated_at"]}
                self._update_thread(run["thread_id"], changes)
                return Claim(copy(run), lease.attempt, lease.cancel, lease.api_url, lease_until)
        return None

    async def change_run(self, run_id: str, change: RunChange) -> Run | None:
        run, lease = self._runs.get(run_id), self._leases.get(run_id)
        step = change.transition
        if (
            run is None
            or lease is None
            or run["status"] not in step.sources
            or change.worker_id not in (None, lease.worker_id)
            or (change.expired_by is not None and (lease.lease_until or 0) >= change.expired_by)
        ):
            return None
        if step.target is None:
            self._forget(run_id)
            updated = run
        else:
            fields = {**change.fields, "status": step.target}
            updated = cast(Run, copy(apply_changes(run, fields, "run_id")))
            self._runs[run_id] = updated
            if step.target != "running":
                lease.worker_id, lease.lease_until = None, None
                lease.output = change.output
                if change.output is not NO_OUTPUT:
                    lease.output = copy(change.output)
        if change.thread is not None:
            self._update_thread(run["thread_id"], change.thread)
        return copy(updated)

    async def request_cancel(self, run_id: str, action: CancelAction) -> RunStatus | None:
        run = self._runs.get(run_id)
        if run is None:
            return None
        if run["status"] in ACTIVE:
            lease = self._leases[run_id]
            lease.cancel = lease.cancel or action
        return run["status"]

    async def cancel_requests(self, worker_id: str) -> dict[str, CancelAction]:
        return {
            run_id: lease.cancel
            for run_id, lease in self._leases.items()
            if lease.worker_id == worker_id and lease.cancel is not None
        }

    async def renew_leases(
        self, worker_id: str, run_ids: Collection[str], lease_until: float
    ) -> set[str]:
        held = {k for k in run_ids if k in self._leases and self._leases[k].worker_id == worker_id}
        for run_id in held:
            self._leases[run_id].lease_until = lease_until
        return held

    async def expired_runs(self, now: float) -> list[Claim]:
        claims = []
        for run in sorted(self._runs.values(), key=_run_age):
            lease = self._leases[run["run_id"]]
            if run["status"] == "running" and (lease.lease_until or 0) < now:
                held = lease.lease_until or 0.0
                claims.append(Claim(copy(run), lease.attempt, lease.cancel, lease.api_url, held))
        return claims

    async def run_output(self, run_id: str) -> tuple[RunStatus, Any] | None:
        run = self._runs.get(run_id)
        if run is None:
            return None
        output = self._leases[run_id].output
        return run["status"], output if output is NO_OUTPUT else copy(output)

    async def set_run_usage(self, run_id: str, total_tokens: int) -> None:
        if run_id in self._runs:
            self._usage[run_id] = total_tokens

    async def get_run_usage(self, run_id: str) -> int | None:
        return self._usage.get(run_id)

    def _forget(self, run_id: str) -> None:
        del self._runs[run_id]
        self._leases.pop(run_id, None)
        self._usage.pop(run_id, None)

    def _thread_runs(self, thread_id: str) -> list[Run]:
        """The thread's runs, oldest first (the order of the runs queue)."""
        return sorted((r for r in self._runs.values() if r["thread_id"] == thread_id), key=_run_age)


def _run_age(run: Run) -> tuple[str, str]:
    return run["created_at"], run["run_id"]
