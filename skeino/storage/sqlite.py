"""SQLite storage: the embedded default, one aiosqlite connection in WAL mode.

Every method runs under one asyncio lock, so a transaction of one coroutine never sees (or
is interleaved with) another's statements on the shared connection; multi-statement writes
are explicit `BEGIN IMMEDIATE` transactions, so a crash leaves either all or nothing, and
several processes on one file serialise their writes through SQLite's own lock.
Semantics that SQL cannot express exactly are delegated to `filters`, registered as SQL
functions, so this backend and `MemoryStorage` answer identically.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

import aiosqlite

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
    SortSpec,
    apply_changes,
    copy,
    name_matches,
    next_version,
    promote,
    version_record,
)
from skeino.storage.sqlite_db import (
    ASSISTANTS,
    RUNS,
    THREADS,
    VERSIONS,
    Session,
    SyncSession,
    Table,
    Where,
    connect,
    dumps,
    in_transaction,
    migrate,
    transaction,
)

T = TypeVar("T")

NOT_DUE = "json_type(kwargs, '$.not_before') IS 'text' AND json_extract(kwargs, '$.not_before') > ?"


class SqliteStorage:
    """The storage protocol on one SQLite file (created with its directory on `open`)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        async def setup(db: aiosqlite.Connection) -> None:
            await db.create_function("skeino_name_match", 2, name_matches, deterministic=True)
            await migrate(db)

        self._db, self._lock = await connect(self.path, setup), asyncio.Lock()

    async def close(self) -> None:
        async with self._lock:
            db, self._db = self._db, None
            if db is not None:
                await db.close()

    async def _atomic(self, work: Callable[[SyncSession], T], begin: str = "BEGIN IMMEDIATE") -> T:
        """Run `work` as one transaction in a single hop to the connection's thread.

        The statements of a transaction go to SQLite back to back (no await, so no other
        coroutine's statement and no event-loop turn between them), committed together or
        rolled back on any exception; a cancelled caller does not interrupt a transaction
        already handed over, so it lands whole or not at all.
        """
        async with self._lock:
            db = self._db
            if db is None:
                raise RuntimeError("SqliteStorage is not open")
            return cast(T, await db._execute(in_transaction, db._conn, begin, work))

    @asynccontextmanager
    async def _tx(self, begin: str | None = "BEGIN IMMEDIATE") -> AsyncIterator[Session]:
        """The connection to ourselves; inside a transaction unless `begin` is None."""
        async with self._lock:
            if self._db is None:
                raise RuntimeError("SqliteStorage is not open")
            if begin is None:
                yield Session(self._db)
                return
            async with transaction(self._db, begin):
                yield Session(self._db)

    # assistants
    async def create_assistant(self, assistant: Assistant) -> Assistant | None:
        def work(db: SyncSession) -> bool:
            if not db.insert(ASSISTANTS, assistant, ignore=True):
                return False
            db.insert(VERSIONS, version_record(assistant, assistant["created_at"]))
            return True

        return copy(assistant) if await self._atomic(work) else None

    async def get_assistant(self, assistant_id: str) -> Assistant | None:
        async with self._tx(None) as db:
            return cast(Assistant | None, await db.get(ASSISTANTS, assistant_id))

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
        async with self._tx(None) as db:
            rows = await db.select(VERSIONS, where, "version DESC", limit, offset)
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
        async with self._tx(None) as db:
            return cast(Thread | None, await db.get(THREADS, thread_id))

    async def update_thread(self, thread_id: str, changes: dict[str, Any]) -> Thread | None:
        return cast(Thread | None, await self._update(THREADS, thread_id, changes))

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
            return db.delete(THREADS, thread_id)

        return await self._atomic(work)

    async def thread_ids_older_than(self, cutoff: str, limit: int) -> list[str]:
        async with self._tx(None) as db:
            rows = await db.rows(
                "SELECT thread_id FROM threads WHERE updated_at < ?"
                " ORDER BY updated_at, thread_id LIMIT ?",
                [cutoff, max(limit, 0)],
            )
        return [thread_id for (thread_id,) in rows]

    # runs
    async def create_run(self, run: Run) -> Run:
        if not await self._atomic(lambda db: db.insert(RUNS, run, ignore=True)):
            raise ValueError(f"run {run['run_id']} exists already")
        return copy(run)

    async def get_run(self, thread_id: str, run_id: str) -> Run | None:
        where = Where().equals("run_id", run_id).equals("thread_id", thread_id)
        async with self._tx(None) as db:
            rows = await db.select(RUNS, where, limit=1)
        return cast(Run, rows[0]) if rows else None

    async def list_runs(
        self, thread_id: str, status: RunStatus | None, limit: int, offset: int
    ) -> list[Run]:
        where = Where().equals("thread_id", thread_id)
        if status is not None:
            where.equals("status", status)
        async with self._tx(None) as db:
            rows = await db.select(RUNS, where, "created_at DESC, run_id DESC", limit, offset)
        return cast(list[Run], rows)

    async def update_run(self, run_id: str, changes: dict[str, Any]) -> Run | None:
        return cast(Run | None, await self._update(RUNS, run_id, changes))

    async def delete_run(self, thread_id: str, run_id: str) -> bool:
        sql = "DELETE FROM runs WHERE run_id = ? AND thread_id = ?"
        return await self._atomic(lambda db: db.run(sql, [run_id, thread_id]) > 0)

    async def claim_run(self, thread_id: str, now: str) -> Run | None:
        where = (
            Where()
            .equals("thread_id", thread_id)
            .equals("status", "pending")
            .add(f"NOT ({NOT_DUE})", now)
            .add(
                "NOT EXISTS (SELECT 1 FROM runs AS r WHERE r.thread_id = ? AND r.status = ?)",
                thread_id,
                "running",
            )
        )

        def work(db: SyncSession) -> Run | None:
            due = db.select(RUNS, where, "created_at, run_id", limit=1)
            if not due:
                return None
            run = cast(Run, {**due[0], "status": "running", "updated_at": now})
            db.replace(RUNS, run)
            return run

        return await self._atomic(work)

    async def runs_with_status(self, statuses: list[RunStatus]) -> list[Run]:
        where = Where().add("status IN (SELECT value FROM json_each(?))", _json_list(statuses))
        async with self._tx(None) as db:
            return cast(list[Run], await db.select(RUNS, where, "created_at, run_id"))

    async def set_run_usage(self, run_id: str, total_tokens: int) -> None:
        sql = "UPDATE runs SET total_tokens = ? WHERE run_id = ?"
        await self._atomic(lambda db: db.run(sql, [total_tokens, run_id]))

    async def get_run_usage(self, run_id: str) -> int | None:
        async with self._tx(None) as db:
            rows = await db.rows("SELECT total_tokens FROM runs WHERE run_id = ?", [run_id])
        return rows[0][0] if rows else None

    # shared steps
    async def _search(
        self, table: Table, spec: SortSpec, where: Where, page: Page
    ) -> tuple[list[dict[str, Any]], int]:
        """One page plus the total, read in one snapshot so they agree."""

        def work(db: SyncSession) -> tuple[list[dict[str, Any]], int]:
            ((total,),) = db.rows(f"SELECT count(*) FROM {table.name}{where}", where.params)
            return db.select(table, where, _order(spec, page), page.limit, page.offset), total

        return await self._atomic(work, "BEGIN")

    async def _update(
        self, table: Table, key: str, changes: dict[str, Any]
    ) -> dict[str, Any] | None:
        def work(db: SyncSession) -> dict[str, Any] | None:
            current = db.get(table, key)
            if current is None:
                return None
            updated = apply_changes(current, changes, table.key)
            db.replace(table, updated)
            return updated

        updated = await self._atomic(work)
        return None if updated is None else copy(updated)


def _order(spec: SortSpec, page: Page) -> str:
    column, descending = spec.resolve(page)
    direction = "DESC" if descending else "ASC"
    return f'"{column}" {direction}, "{spec.key}" {direction}'


def _json_list(values: Sequence[str]) -> str:
    """One parameter for an IN list of any length (via json_each), not one per value."""
    return dumps(list(values))
