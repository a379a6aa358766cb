"""SQLite storage: the embedded default, on skeino's one connection to the file (WAL).

Every method is one unit of work on `Database` (see `sqlite_conn` for where it runs):
multi-statement writes are `BEGIN IMMEDIATE` transactions, so a crash leaves all or nothing,
and several processes on one file serialise their writes through SQLite's own lock. The queue's
compare-and-sets live in `sqlite_queue`; semantics that SQL cannot express exactly are
delegated to `filters`, registered as SQL functions, so this backend and `MemoryStorage`
answer identically.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from functools import partial
from typing import Any, TypeVar, cast

from skeino.storage import sqlite_queue as queue
from skeino.storage.base import (
    Assistant,
    AssistantQuery,
    AssistantVersion,
    CancelAction,
    Claim,
    EventBatch,
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
    SortSpec,
    copy,
    name_matches,
    next_version,
    promote,
    version_record,
)
from skeino.storage.sqlite_conn import Database
from skeino.storage.sqlite_db import (
    ASSISTANTS,
    RUNS,
    THREADS,
    VERSIONS,
    SyncSession,
    Table,
    Where,
    dumps,
)
from skeino.storage.ttl import FORGET_TTL, SqliteSweeps

T = TypeVar("T")


class SqliteStorage(SqliteSweeps):
    """The storage protocol on one SQLite file (created with its directory on `open`)."""

    def __init__(self, path: str, database: Database | None = None) -> None:
        self.path = path
        self._db = database
        self._owned = database is None

    @property
    def database(self) -> Database:
        if self._db is None:
            raise RuntimeError("SqliteStorage is not open")
        return self._db

    async def open(self) -> None:
        if self._db is None:
            self._db = await Database.open(self.path)
        await self._db.read(_register_functions)

    async def close(self) -> None:
        db, self._db = self._db, None
        if db is not None and self._owned:
            await db.close()

    async def _atomic(self, work: Callable[[SyncSession], T]) -> T:
        return await self.database.atomic(work)

    async def _read(self, work: Callable[[SyncSession], T]) -> T:
        return await self.database.read(work)

    # assistants
    async def create_assistant(self, assistant: Assistant) -> Assistant | None:
        def work(db: SyncSession) -> bool:
            if not db.insert(ASSISTANTS, assistant, ignore=True):
                return False
            db.insert(VERSIONS, version_record(assistant, assistant["created_at"]))
            return True

        return copy(assistant) if await self._atomic(work) else None

    async def get_assistant(self, assistant_id: str) -> Assistant | None:
        return cast(Assistant | None, await self._read(lambda db: db.get(ASSISTANTS, assistant_id)))

    async def add_assistant_version(
        self, assistant_id: str, changes: dict[str, Any], now: str
    ) -> Assistant | None:
        def work(db: SyncSession) -> Assistant | None:
            current = db.get(ASSISTANTS, assistant_id)
            if current is None:
                return None
            ((latest,),) = db.rows(
                "SELECT max(version) FROM assistant_versions WHERE assistant_id = ?",
                [assistant_id],
            )
            assistant, version = next_version(cast(Assistant, current), changes, latest + 1, now)
            db.insert(VERSIONS, version)
            db.replace(ASSISTANTS, assistant)
            return assistant

        assistant = await self._atomic(work)
        return None if assistant is None else copy(assistant)

    async def set_assistant_version(
        self, assistant_id: str, version: int, now: str
    ) -> Assistant | None:
        def work(db: SyncSession) -> Assistant | None:
            current = db.get(ASSISTANTS, assistant_id)
            where = Where().equals("assistant_id", assistant_id).equals("version", version)
            chosen = db.select(VERSIONS, where, limit=1)
            if current is None or not chosen:
                return None
            assistant = promote(cast(Assistant, current), cast(AssistantVersion, chosen[0]), now)
            db.replace(ASSISTANTS, assistant)
            return assistant

        return await self._atomic(work)

    async def list_assistant_versions(
        self, assistant_id: str, metadata: dict[str, Any], limit: int, offset: int
    ) -> list[AssistantVersion]:
        where = Where().equals("assistant_id", assistant_id).contains("metadata", metadata)
        rows = await self._read(
            lambda db: db.select(VERSIONS, where, "version DESC", limit, offset)
        )
        return cast(list[AssistantVersion], rows)

    async def search_assistants(
        self, query: AssistantQuery, page: Page
    ) -> tuple[list[Assistant], int]:
        where = Where().contains("metadata", query.metadata)
        if query.graph_id is not None:
            where.equals("graph_id", query.graph_id)
        if query.name is not None:
            where.add("skeino_name_match(name, ?)", query.name)
        return cast(
            tuple[list[Assistant], int], await self._search(ASSISTANTS, ASSISTANT_SORT, where, page)
        )

    async def delete_assistant(self, assistant_id: str) -> bool:
        def work(db: SyncSession) -> bool:
            db.run("DELETE FROM assistant_versions WHERE assistant_id = ?", [assistant_id])
            return db.delete(ASSISTANTS, assistant_id)

        return await self._atomic(work)

    # threads
    async def create_thread(self, thread: Thread) -> Thread | None:
        if not await self._atomic(lambda db: db.insert(THREADS, thread, ignore=True)):
            return None
        return copy(thread)

    async def get_thread(self, thread_id: str) -> Thread | None:
        return cast(Thread | None, await self._read(lambda db: db.get(THREADS, thread_id)))

    async def update_thread(
        self, thread_id: str, changes: dict[str, Any], *, at_rest: bool = False
    ) -> Thread | None:
        def work(db: SyncSession) -> dict[str, Any] | None:
            given = changes
            if at_rest and queue.has_running(db, thread_id):
                given = {k: v for k, v in changes.items() if k != "status"}
            return queue.update_record(db, THREADS, thread_id, given)

        updated = await self._atomic(work)
        return None if updated is None else cast(Thread, copy(updated))

    async def search_threads(self, query: ThreadQuery, page: Page) -> tuple[list[Thread], int]:
        where = Where().contains("metadata", query.metadata)
        if query.values:
            where.contains("values", query.values)
        if query.ids is not None:
            where.add("thread_id IN (SELECT value FROM json_each(?))", _json_list(query.ids))
        if query.status is not None:
            where.equals("status", query.status)
        return cast(tuple[list[Thread], int], await self._search(THREADS, THREAD_SORT, where, page))

    async def delete_thread(self, thread_id: str) -> bool:
        def work(db: SyncSession) -> bool:
            db.run("DELETE FROM runs WHERE thread_id = ?", [thread_id])
            db.run(FORGET_TTL, [thread_id])
            return db.delete(THREADS, thread_id)

        return await self._atomic(work)

    async def thread_ids_older_than(self, cutoff: str, limit: int) -> list[str]:
        sql = (
            "SELECT thread_id FROM threads WHERE updated_at < ?"
            " ORDER BY updated_at, thread_id LIMIT ?"
        )
        rows = await self._read(lambda db: db.rows(sql, [cutoff, max(limit, 0)]))
        return [thread_id for (thread_id,) in rows]

    # runs
    async def create_run(
        self,
        run: Run,
        *,
        not_before: float | None = None,
        api_url: str = "",
        thread: dict[str, Any] | None = None,
    ) -> Run:
        def work(db: SyncSession) -> bool:
            if not queue.insert(db, run, not_before, api_url):
                return False
            if thread is not None:
                queue.update_record(db, THREADS, run["thread_id"], thread)
            return True

        if not await self._atomic(work):
            raise ValueError(f"run {run['run_id']} exists already")
        return copy(run)

    async def get_run(self, thread_id: str, run_id: str) -> Run | None:
        where = Where().equals("run_id", run_id).equals("thread_id", thread_id)
        rows = await self._read(lambda db: db.select(RUNS, where, limit=1))
        return cast(Run, rows[0]) if rows else None

    async def list_runs(
        self, thread_id: str, status: RunStatus | None, limit: int, offset: int
    ) -> list[Run]:
        where = Where().equals("thread_id", thread_id)
        if status is not None:
            where.equals("status", status)
        order = "created_at DESC, run_id DESC"
        return cast(
            list[Run], await self._read(lambda db: db.select(RUNS, where, order, limit, offset))
        )

    async def delete_run(self, thread_id: str, run_id: str) -> bool:
        sql = "DELETE FROM runs WHERE run_id = ? AND thread_id = ?"
        return await self._atomic(lambda db: db.run(sql, [run_id, thread_id]) > 0)

    async def runs_with_status(self, statuses: list[RunStatus]) -> list[Run]:
        where = Where().add("status IN (SELECT value FROM json_each(?))", _json_list(statuses))
        return cast(
            list[Run], await self._read(lambda db: db.select(RUNS, where, "created_at, run_id"))
        )

    async def claim_run(
        self, worker_id: str, now: float, lease_until: float, thread_id: str | None = None
    ) -> Claim | None:
        return await self._atomic(
            partial(
                queue.claim,
                worker_id=worker_id,
                now=now,
                lease_until=lease_until,
                thread_id=thread_id,
            )
        )

    async def change_run(self, run_id: str, change: RunChange) -> Run | None:
        changed = await self._atomic(partial(queue.change, run_id=run_id, change=change))
        return None if changed is None else cast(Run, copy(changed))

    async def request_cancel(self, run_id: str, action: CancelAction) -> RunStatus | None:
        return await self._atomic(partial(queue.request_cancel, run_id=run_id, action=action))

    async def cancel_requests(self, worker_id: str) -> dict[str, CancelAction]:
        return await self._read(partial(queue.cancel_requests, worker_id=worker_id))

    async def renew_leases(
        self, worker_id: str, run_ids: Collection[str], lease_until: float
    ) -> set[str]:
        renew = partial(queue.renew, worker_id=worker_id, run_ids=run_ids, lease_until=lease_until)
        return await self._atomic(renew)

    async def expired_runs(self, now: float) -> list[Claim]:
        return await self._read(partial(queue.expired, now=now))

    async def run_output(self, run_id: str) -> tuple[RunStatus, Any] | None:
        return await self._read(partial(queue.output, run_id=run_id))

    async def set_run_usage(self, run_id: str, total_tokens: int) -> None:
        sql = "UPDATE runs SET total_tokens = ? WHERE run_id = ?"
        await self._atomic(lambda db: db.run(sql, [total_tokens, run_id]))

    async def get_run_usage(self, run_id: str) -> int | None:
        sql = "SELECT total_tokens FROM runs WHERE run_id = ?"
        rows = await self._read(lambda db: db.rows(sql, [run_id]))
        return rows[0][0] if rows else None

    # run events: the log that streams in other processes read
    async def append_events(self, batches: Sequence[EventBatch]) -> None:
        await self._atomic(partial(queue.append_events, batches=batches))

    async def read_events(
        self, run_id: str, after: tuple[int, int], limit: int
    ) -> list[EventBatch]:
        return await self._read(partial(queue.read_events, run_id=run_id, after=after, limit=limit))

    async def trim_events(self, before_ms: int) -> None:
        sql = "DELETE FROM run_events WHERE last_ms < ?"
        await self._atomic(lambda db: db.run(sql, [before_ms]))

    # shared steps
    async def _search(
        self, table: Table, spec: SortSpec, where: Where, page: Page
    ) -> tuple[list[dict[str, Any]], int]:
        """One page plus the total, read in one snapshot so they agree."""

        def work(db: SyncSession) -> tuple[list[dict[str, Any]], int]:
            ((total,),) = db.rows(f"SELECT count(*) FROM {table.name}{where}", where.params)
            return db.select(table, where, _order(spec, page), page.limit, page.offset), total

        return await self.database.scan(work)


def _register_functions(db: SyncSession) -> None:
    db.conn.create_function("skeino_name_match", 2, name_matches, deterministic=True)


def _order(spec: SortSpec, page: Page) -> str:
    column, descending = spec.resolve(page)
    direction = "DESC" if descending else "ASC"
    return f'"{column}" {direction}, "{spec.key}" {direction}'


def _json_list(values: Sequence[str]) -> str:
    """One parameter for an IN list of any length (via json_each), not one per value."""
    return dumps(list(values))
