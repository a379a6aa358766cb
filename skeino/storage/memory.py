"""Process-local storage in dicts, for `memory://`: tests and throwaway servers.

It must be indistinguishable from SQLite through the protocol, so every rule (containment,
ordering, pagination, merging) comes from `filters`, and every record crosses the boundary
as a JSON round-tripped copy: callers can never alias the stored state, exactly as with a
database. No method awaits, so each is atomic under asyncio without a lock.
"""

from __future__ import annotations

from typing import Any, cast

from skeino.storage.base import (
    Assistant,
    AssistantQuery,
    AssistantVersion,
    Page,
    Run,
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
    is_due,
    next_version,
    paginate,
    promote,
    thread_matches,
    version_record,
)


class MemoryStorage:
    """The storage protocol over plain dicts; data lives as long as the instance."""

    def __init__(self) -> None:
        self._assistants: dict[str, Assistant] = {}
        self._versions: dict[str, dict[int, AssistantVersion]] = {}
        self._threads: dict[str, Thread] = {}
        self._runs: dict[str, Run] = {}
        self._usage: dict[str, int] = {}

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

    async def update_thread(self, thread_id: str, changes: dict[str, Any]) -> Thread | None:
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
        for run in self._thread_runs(thread_id):
            del self._runs[run["run_id"]]
            self._usage.pop(run["run_id"], None)
        return True

    async def thread_ids_older_than(self, cutoff: str, limit: int) -> list[str]:
        old = [t for t in self._threads.values() if t["updated_at"] < cutoff]
        old.sort(key=lambda t: (t["updated_at"], t["thread_id"]))
        return [t["thread_id"] for t in paginate(old, limit, 0)]

    # runs
    async def create_run(self, run: Run) -> Run:
        if run["run_id"] in self._runs:
            raise ValueError(f"run {run['run_id']} exists already")
        stored = copy(run)
        self._runs[stored["run_id"]] = stored
        return copy(stored)

    async def get_run(self, thread_id: str, run_id: str) -> Run | None:
        run = self._runs.get(run_id)
        return copy(run) if run is not None and run["thread_id"] == thread_id else None

    async def list_runs(
        self, thread_id: str, status: RunStatus | None, limit: int, offset: int
    ) -> list[Run]:
        runs = [r for r in self._thread_runs(thread_id) if status in (None, r["status"])]
        return copy(paginate(runs[::-1], limit, offset))

    async def update_run(self, run_id: str, changes: dict[str, Any]) -> Run | None:
        current = self._runs.get(run_id)
        if current is None:
            return None
        updated = cast(Run, copy(apply_changes(current, changes, "run_id")))
        self._runs[run_id] = updated
        return copy(updated)

    async def delete_run(self, thread_id: str, run_id: str) -> bool:
        if await self.get_run(thread_id, run_id) is None:
            return False
        del self._runs[run_id]
        self._usage.pop(run_id, None)
        return True

    async def claim_run(self, thread_id: str, now: str) -> Run | None:
        runs = self._thread_runs(thread_id)
        if any(r["status"] == "running" for r in runs):
            return None
        due = [r for r in runs if r["status"] == "pending" and is_due(r["kwargs"], now)]
        if not due:
            return None
        due[0].update(status="running", updated_at=now)
        return copy(due[0])

    async def runs_with_status(self, statuses: list[RunStatus]) -> list[Run]:
        runs = [r for r in self._runs.values() if r["status"] in statuses]
        return copy(sorted(runs, key=_run_age))

    async def set_run_usage(self, run_id: str, total_tokens: int) -> None:
        if run_id in self._runs:
            self._usage[run_id] = total_tokens

    async def get_run_usage(self, run_id: str) -> int | None:
        return self._usage.get(run_id)

    def _thread_runs(self, thread_id: str) -> list[Run]:
        """The thread's runs, oldest first (the order of the runs queue)."""
        return sorted((r for r in self._runs.values() if r["thread_id"] == thread_id), key=_run_age)


def _run_age(run: Run) -> tuple[str, str]:
    return run["created_at"], run["run_id"]
