"""Postgres storage: the shared backend for many skeino processes on many machines.

Every method is one transaction on the pool of `PgDatabase`; the queue's compare-and-sets
live in `postgres_queue`. Records, ordering and filters answer exactly as `MemoryStorage`
and `SqliteStorage` do (text sorts in byte order, `COLLATE "C"`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

from skeino.storage import postgres_queue as queue
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
    bound,
    copy,
    next_version,
    promote,
    version_record,
)
from skeino.storage.postgres_db import (
    PgDatabase,
    PgWhere,
    delete,
    fetch,
    get,
    insert,
    pg,
    replace,
    run,
    select,
)
from skeino.storage.postgres_ttl import PostgresSweeps
from skeino.storage.sqlite_db import ASSISTANTS, RUNS, THREADS, VERSIONS, Table
from skeino.storage.ttl import FORGET_TTL


class PostgresStorage(PostgresSweeps):
    """The storage protocol on a Postgres database, through the backend's pool."""

    def __init__(self, db: PgDatabase) -> None:
        self.db = db

    async def open(self) -> None:
        """The backend opens the pool; present so every backend shares one lifecycle."""

    async def close(self) -> None:
        """The backend closes the pool."""

    # assistants
    async def create_assistant(self, assistant: Assistant) -> Assistant | None:
        async with self.db.transaction() as conn:
            if not await insert(conn, ASSISTANTS, assistant, ignore=True):
                return None
            await insert(conn, VERSIONS, version_record(assistant, assistant["created_at"]))
        return copy(assistant)

    async def get_assistant(self, assistant_id: str) -> Assistant | None:
        async with self.db.statement() as conn:
            return cast(Assistant | None, await get(conn, ASSISTANTS, assistant_id))

    async def add_assistant_version(
        self, assistant_id: str, changes: dict[str, Any], now: str
    ) -> Assistant | None:
        async with self.db.transaction() as conn:
            current = await get(conn, ASSISTANTS, assistant_id, " FOR UPDATE")
            if current is None:
                return None
            ((latest,),) = await fetch(
                conn,
                "SELECT max(version) FROM assistant_versions WHERE assistant_id = %s",
                [assistant_id],
            )
            assistant, version = next_version(cast(Assistant, current), changes, latest + 1, now)
            await insert(conn, VERSIONS, version)
            await replace(conn, ASSISTANTS, assistant)
        return copy(assistant)

    async def set_assistant_version(
        self, assistant_id: str, version: int, now: str
    ) -> Assistant | None:
        async with self.db.transaction() as conn:
            current = await get(conn, ASSISTANTS, assistant_id, " FOR UPDATE")
            where = PgWhere().equals("assistant_id", assistant_id).equals("version", version)
            chosen = await select(conn, VERSIONS, where, limit=1)
            if current is None or not chosen:
                return None
            assistant = promote(cast(Assistant, current), cast(AssistantVersion, chosen[0]), now)
            await replace(conn, ASSISTANTS, assistant)
        return assistant

    async def list_assistant_versions(
        self, assistant_id: str, metadata: dict[str, Any], limit: int, offset: int
    ) -> list[AssistantVersion]:
        where = PgWhere().equals("assistant_id", assistant_id).contains("metadata", metadata)
        async with self.db.statement() as conn:
            rows = await select(conn, VERSIONS, where, "version DESC", limit, offset)
        return cast(list[AssistantVersion], rows)

    async def search_assistants(
        self, query: AssistantQuery, page: Page
    ) -> tuple[list[Assistant], int]:
        where = PgWhere().contains("metadata", query.metadata)
        if query.graph_id is not None:
            where.equals("graph_id", query.graph_id)
        if query.name is not None:
            where.add("strpos(lower(name), lower(%s)) > 0", query.name)
        found = await self._search(ASSISTANTS, ASSISTANT_SORT, where, page)
        return cast(tuple[list[Assistant], int], found)

    async def delete_assistant(self, assistant_id: str) -> bool:
        async with self.db.transaction() as conn:
            sql = "DELETE FROM assistant_versions WHERE assistant_id = %s"
            await run(conn, sql, [assistant_id])
            return await delete(conn, ASSISTANTS, assistant_id)

    # threads
    async def create_thread(self, thread: Thread) -> Thread | None:
        async with self.db.statement() as conn:
            if not await insert(conn, THREADS, thread, ignore=True):
                return None
        return copy(thread)

    async def get_thread(self, thread_id: str) -> Thread | None:
        async with self.db.statement() as conn:
            return cast(Thread | None, await get(conn, THREADS, thread_id))

    async def update_thread(
        self, thread_id: str, changes: dict[str, Any], *, at_rest: bool = False
    ) -> Thread | None:
        async with self.db.transaction() as conn:
            if at_rest and await queue.has_running(conn, thread_id):
                changes = {k: v for k, v in changes.items() if k != "status"}
            updated = await queue.update_record(conn, THREADS, thread_id, changes)
        return None if updated is None else cast(Thread, copy(updated))

    async def search_threads(self, query: ThreadQuery, page: Page) -> tuple[list[Thread], int]:
        where = PgWhere().contains("metadata", query.metadata)
        if query.values:
            where.contains("values", query.values)
        if query.ids is not None:
            where.add("thread_id = ANY(%s)", list(query.ids))
        if query.status is not None:
            where.equals("status", query.status)
        found = await self._search(THREADS, THREAD_SORT, where, page)
        return cast(tuple[list[Thread], int], found)

    async def delete_thread(self, thread_id: str) -> bool:
        async with self.db.transaction() as conn:
            await run(conn, "DELETE FROM runs WHERE thread_id = %s", [thread_id])
            await run(conn, pg(FORGET_TTL), [thread_id])
            return await delete(conn, THREADS, thread_id)

    async def thread_ids_older_than(self, cutoff: str, limit: int) -> list[str]:
        rows = await self.db.rows(
            'SELECT thread_id FROM threads WHERE updated_at < %s ORDER BY updated_at COLLATE "C",'
            ' thread_id COLLATE "C" LIMIT %s',
            [cutoff, bound(limit)],
        )
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
        async with self.db.statement() as conn:
            if not await queue.insert_run(conn, run, not_before, api_url, thread):
                raise ValueError(f"run {run['run_id']} exists already")
        return copy(run)

    async def get_run(self, thread_id: str, run_id: str) -> Run | None:
        where = PgWhere().equals("run_id", run_id).equals("thread_id", thread_id)
        async with self.db.statement() as conn:
            rows = await select(conn, RUNS, where, limit=1)
        return cast(Run, rows[0]) if rows else None

    async def list_runs(
        self, thread_id: str, status: RunStatus | None, limit: int, offset: int
    ) -> list[Run]:
        where = PgWhere().equals("thread_id", thread_id)
        if status is not None:
            where.equals("status", status)
        order = 'created_at COLLATE "C" DESC, run_id COLLATE "C" DESC'
        async with self.db.statement() as conn:
            return cast(list[Run], await select(conn, RUNS, where, order, limit, offset))

    async def delete_run(self, thread_id: str, run_id: str) -> bool:
        sql = "DELETE FROM runs WHERE run_id = %s AND thread_id = %s"
        async with self.db.statement() as conn:
            return await run(conn, sql, [run_id, thread_id]) > 0

    async def runs_with_status(self, statuses: list[RunStatus]) -> list[Run]:
        where = PgWhere().add("status = ANY(%s)", list(statuses))
        order = 'created_at COLLATE "C", run_id COLLATE "C"'
        async with self.db.statement() as conn:
            return cast(list[Run], await select(conn, RUNS, where, order))

    async def claim_run(
        self, worker_id: str, now: float, lease_until: float, thread_id: str | None = None
    ) -> Claim | None:
        return await queue.claim(self.db, worker_id, now, lease_until, thread_id)

    async def change_run(self, run_id: str, change: RunChange) -> Run | None:
        async with self.db.statement() as conn:
            changed = await queue.change(conn, run_id, change)
        return None if changed is None else cast(Run, copy(changed))

    async def request_cancel(self, run_id: str, action: CancelAction) -> RunStatus | None:
        async with self.db.transaction() as conn:
            return await queue.request_cancel(conn, run_id, action)

    async def cancel_requests(self, worker_id: str) -> dict[str, CancelAction]:
        async with self.db.statement() as conn:
            return await queue.cancel_requests(conn, worker_id)

    async def renew_leases(
        self, worker_id: str, run_ids: Collection[str], lease_until: float
    ) -> set[str]:
        async with self.db.statement() as conn:
            return await queue.renew(conn, worker_id, run_ids, lease_until)

    async def expired_runs(self, now: float) -> list[Claim]:
        async with self.db.statement() as conn:
            return await queue.expired(conn, now)

    async def run_output(self, run_id: str) -> tuple[RunStatus, Any] | None:
        async with self.db.statement() as conn:
            return await queue.output(conn, run_id)

    async def set_run_usage(self, run_id: str, total_tokens: int) -> None:
        sql = "UPDATE runs SET total_tokens = %s WHERE run_id = %s"
        async with self.db.statement() as conn:
            await run(conn, sql, [total_tokens, run_id])

    async def get_run_usage(self, run_id: str) -> int | None:
        rows = await self.db.rows("SELECT total_tokens FROM runs WHERE run_id = %s", [run_id])
        return rows[0][0] if rows else None

    # run events
    async def append_events(self, batches: Sequence[EventBatch]) -> None:
        async with self.db.statement() as conn:
            await queue.append_events(conn, batches)

    async def read_events(
        self, run_id: str, after: tuple[int, int], limit: int
    ) -> list[EventBatch]:
        async with self.db.statement() as conn:
            return await queue.read_events(conn, run_id, after, limit)

    async def trim_events(self, before_ms: int) -> None:
        async with self.db.statement() as conn:
            await run(conn, "DELETE FROM run_events WHERE last_ms < %s", [before_ms])

    async def _search(
        self, table: Table, spec: SortSpec, where: PgWhere, page: Page
    ) -> tuple[list[dict[str, Any]], int]:
        """One page plus the total, read in one snapshot so they agree."""
        column, descending = spec.resolve(page)
        direction = "DESC" if descending else "ASC"
        order = f'"{column}" COLLATE "C" {direction}, "{spec.key}" COLLATE "C" {direction}'
        async with self.db.transaction() as conn:
            await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            ((total,),) = await fetch(
                conn, f"SELECT count(*) FROM {table.name}{where}", where.params
            )
            rows = await select(conn, table, where, order, page.limit, page.offset)
        return rows, total
