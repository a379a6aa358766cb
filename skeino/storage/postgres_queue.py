"""The run queue's SQL on Postgres: claims, compare-and-set transitions, leases, cancels.

Claims lock the row they take with `FOR UPDATE SKIP LOCKED`, so workers in many processes
never wait on one another; a claim takes only the oldest due run of its thread (a worker
that skipped a locked run never takes a later one in its place), and the unique index on
running runs per thread decides between two workers that race for one thread.
Statuses come from `skeino.lifecycle`; here they are only applied, always conditioned on
the status the transition starts from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, cast

from psycopg import AsyncConnection, errors
from psycopg.types.json import Jsonb

from skeino.ids import iso_at
from skeino.lifecycle import ACTIVE, TERMINAL, THREAD_WITH, Event, RunStatus, transition
from skeino.storage.base import NO_OUTPUT, CancelAction, Claim, EventBatch, Run, RunChange
from skeino.storage.filters import apply_changes
from skeino.storage.postgres_db import PgDatabase, PgWhere, fetch, get, insert, replace, run, select
from skeino.storage.sqlite_db import RUNS, THREADS, Table

Conn = AsyncConnection[Any]
RUN_COLUMNS = ", ".join(f"r.{c}" for c in RUNS.column_list.split(", "))
LEASE_FIELDS = "attempt, cancel_requested, api_url, lease_until"
CHANNEL = "skeino"


async def insert_run(conn: Conn, run_record: Run, not_before: float | None, api_url: str) -> bool:
    if not await insert(conn, RUNS, run_record, ignore=True):
        return False
    sql = "UPDATE runs SET not_before = %s, api_url = %s WHERE run_id = %s"
    await run(conn, sql, [not_before, api_url, run_record["run_id"]])
    await notify(conn, "queued", run_record["thread_id"])
    return True


async def notify(conn: Conn, kind: str, key: str) -> None:
    """Tell every listening process, when this transaction commits: ids only, no data."""
    await conn.execute("SELECT pg_notify(%s, %s)", [CHANNEL, f"{kind}:{key}"])


async def has_running(conn: Conn, thread_id: str) -> bool:
    sql = "SELECT 1 FROM runs WHERE thread_id = %s AND status = 'running'"
    return bool(await fetch(conn, sql, [thread_id]))


async def update_record(
    conn: Conn, table: Table, key: str, changes: dict[str, Any]
) -> dict[str, Any] | None:
    current = await get(conn, table, key, " FOR UPDATE")
    if current is None:
        return None
    updated = apply_changes(current, changes, table.key)
    await replace(conn, table, updated)
    return updated


def _statuses(where: PgWhere, statuses: Iterable[str]) -> PgWhere:
    return where.add("status = ANY(%s)", sorted(statuses))


async def claim(
    db: PgDatabase, worker_id: str, now: float, lease_until: float, thread_id: str | None
) -> Claim | None:
    step = transition(Event.CLAIM)
    where = _statuses(PgWhere(), step.sources).add("(not_before IS NULL OR not_before <= %s)", now)
    if thread_id is not None:
        where.equals("thread_id", thread_id)
    where.add(
        "NOT EXISTS (SELECT 1 FROM runs AS x WHERE x.thread_id = runs.thread_id"
        " AND x.status = 'running')"
    )
    # SKIP LOCKED passes over a run another worker is taking: never take a later run of
    # the same thread instead (a thread's runs execute in the order they were queued)
    where.add(
        "NOT EXISTS (SELECT 1 FROM runs AS y WHERE y.thread_id = runs.thread_id"
        " AND y.status = 'pending' AND (y.not_before IS NULL OR y.not_before <= %s)"
        ' AND (y.created_at COLLATE "C", y.run_id COLLATE "C")'
        ' < (runs.created_at COLLATE "C", runs.run_id COLLATE "C"))',
        now,
    )
    updated_at = iso_at(now)
    try:
        async with db.transaction() as conn:
            order = 'created_at COLLATE "C", run_id COLLATE "C"'
            found = await select(conn, RUNS, where, order, 1, lock=" FOR UPDATE SKIP LOCKED")
            if not found:
                return None
            run_id = found[0]["run_id"]
            ((attempt, cancel, api_url, held),) = await fetch(
                conn,
                "UPDATE runs SET status = %s, updated_at = %s, worker_id = %s,"
                f" lease_until = %s, attempt = attempt + 1 WHERE run_id = %s"
                f" RETURNING {LEASE_FIELDS}",
                [step.target, updated_at, worker_id, lease_until, run_id],
            )
            await run(
                conn,
                "UPDATE threads SET status = %s, updated_at = %s WHERE thread_id = %s",
                [THREAD_WITH[Event.CLAIM], updated_at, found[0]["thread_id"]],
            )
    except errors.UniqueViolation:
        return None  # another worker started a run of this thread at the same moment
    record = cast(Run, {**found[0], "status": step.target, "updated_at": updated_at})
    return Claim(record, attempt, cancel, api_url, held)


async def change(conn: Conn, run_id: str, change: RunChange) -> dict[str, Any] | None:
    if change.events:
        await append_events(conn, change.events)
    step = change.transition
    where = _statuses(PgWhere().equals("run_id", run_id), step.sources)
    if change.worker_id is not None:
        where.equals("worker_id", change.worker_id)
    if change.expired_by is not None:
        where.add("(lease_until IS NULL OR lease_until < %s)", change.expired_by)
    found = await select(conn, RUNS, where, limit=1, lock=" FOR UPDATE")
    if not found:
        return None
    current = found[0]
    if step.target is None:
        await run(conn, "DELETE FROM runs WHERE run_id = %s", [run_id])
        updated = current
    else:
        updated = apply_changes(current, {**change.fields, "status": step.target}, "run_id")
        await replace(conn, RUNS, updated)
        if step.target != "running":  # a lease belongs to a running run only
            output = None if change.output is NO_OUTPUT else Jsonb(change.output)
            await run(
                conn,
                "UPDATE runs SET worker_id = NULL, lease_until = NULL, output = %s"
                " WHERE run_id = %s",
                [output, run_id],
            )
    if change.thread is not None:
        await update_record(conn, THREADS, current["thread_id"], change.thread)
    if step.target in TERMINAL or step.target is None:
        await notify(conn, "ended", run_id)
    elif step.target == "pending":
        await notify(conn, "queued", current["thread_id"])
    return updated


async def request_cancel(conn: Conn, run_id: str, action: CancelAction) -> RunStatus | None:
    where = _statuses(PgWhere().equals("run_id", run_id), ACTIVE)
    sql = f"UPDATE runs SET cancel_requested = coalesce(cancel_requested, %s){where}"
    if await run(conn, sql, [action, *where.params]):
        await notify(conn, "cancel", run_id)
    rows = await fetch(conn, "SELECT status FROM runs WHERE run_id = %s", [run_id])
    return cast(RunStatus, rows[0][0]) if rows else None


async def cancel_requests(conn: Conn, worker_id: str) -> dict[str, CancelAction]:
    sql = (
        "SELECT run_id, cancel_requested FROM runs WHERE worker_id = %s AND status = 'running'"
        " AND cancel_requested IS NOT NULL"
    )
    return dict(await fetch(conn, sql, [worker_id]))


async def renew(
    conn: Conn, worker_id: str, run_ids: Collection[str], lease_until: float
) -> set[str]:
    sql = (
        "UPDATE runs SET lease_until = %s WHERE worker_id = %s AND status = 'running'"
        " AND run_id = ANY(%s) RETURNING run_id"
    )
    return {run_id for (run_id,) in await fetch(conn, sql, [lease_until, worker_id, list(run_ids)])}


async def expired(conn: Conn, now: float) -> list[Claim]:
    rows = await fetch(
        conn,
        f"SELECT {RUN_COLUMNS}, r.{LEASE_FIELDS.replace(', ', ', r.')} FROM runs AS r"
        " WHERE r.status = 'running' AND (r.lease_until IS NULL OR r.lease_until < %s)"
        ' ORDER BY r.created_at COLLATE "C", r.run_id COLLATE "C"',
        [now],
    )
    width = len(RUNS.columns)
    return [
        Claim(cast(Run, dict(zip(RUNS.columns, row[:width], strict=True))), *row[width:])
        for row in rows
    ]


async def output(conn: Conn, run_id: str) -> tuple[RunStatus, Any] | None:
    rows = await fetch(
        conn, "SELECT status, output IS NULL, output FROM runs WHERE run_id = %s", [run_id]
    )
    if not rows:
        return None
    status, missing, value = rows[0]
    return status, NO_OUTPUT if missing else value


async def append_events(conn: Conn, batches: Sequence[EventBatch]) -> None:
    async with conn.cursor() as cursor:
        await cursor.executemany(
            "INSERT INTO run_events"
            " (run_id, thread_id, first_ms, first_seq, last_ms, last_seq, events)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [(b.run_id, b.thread_id, *b.first, *b.last, b.events) for b in batches],
        )
    for run_id in {b.run_id for b in batches}:
        await notify(conn, "events", run_id)


async def read_events(
    conn: Conn, run_id: str, after: tuple[int, int], limit: int
) -> list[EventBatch]:
    ms, seq = after
    rows = await fetch(
        conn,
        "SELECT run_id, thread_id, first_ms, first_seq, last_ms, last_seq, events"
        " FROM run_events WHERE run_id = %s AND (last_ms, last_seq) > (%s, %s)"
        " ORDER BY first_ms, first_seq LIMIT %s",
        [run_id, ms, seq, limit],
    )
    return [EventBatch(r[0], r[1], (r[2], r[3]), (r[4], r[5]), bytes(r[6])) for r in rows]
