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
from skeino.storage.postgres_db import (
    PgDatabase,
    PgWhere,
    fetch,
    get,
    pg,
    replace,
    run,
    to_record,
    to_row,
)
from skeino.storage.sqlite_db import RUNS, THREADS, Table
from skeino.storage.sqlite_queue import INSERT_RUN

Conn = AsyncConnection[Any]
RUN_COLUMNS = ", ".join(f"r.{c}" for c in RUNS.column_list.split(", "))
LEASE_FIELDS = "attempt, cancel_requested, api_url, lease_until"
CHANNEL = "skeino"


async def insert_run(
    conn: Conn,
    run_record: Run,
    not_before: float | None,
    api_url: str,
    thread: dict[str, Any] | None,
) -> bool:
    """The run, and the change of its thread, in one statement. No NOTIFY: the process that
    queues a run takes it itself (every other process would poll the queue for nothing);
    should it stop first, their polls find the run."""
    sql = f"{pg(INSERT_RUN)} RETURNING thread_id"
    params = [*to_row(RUNS, run_record), not_before, api_url]
    if thread is not None:
        sets, values = assignments(THREADS, thread)
        sql = (
            f"WITH created AS ({sql}), changed AS (UPDATE threads SET {sets}"
            " WHERE thread_id IN (SELECT thread_id FROM created)) SELECT thread_id FROM created"
        )
        params += values
    return bool(await fetch(conn, sql, params))


async def notify(conn: Conn, kind: str, key: str) -> None:
    """Tell every listening process, when this transaction commits: ids only, no data."""
    await conn.execute("SELECT pg_notify(%s, %s)", [CHANNEL, f"{kind}:{key}"])


def assignments(table: Table, changes: dict[str, Any]) -> tuple[str, list[Any]]:
    """The `SET` list of `changes` as `apply_changes` applies them: fields replaced, and
    `metadata` merged key by key (what jsonb's `||` does); an unknown field is refused."""
    unknown = set(changes) - set(table.columns[1:])
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    parts = [
        '"metadata" = "metadata" || %s' if column == "metadata" else f'"{column}" = %s'
        for column in changes
    ]
    params = [Jsonb(v) if c in table.json else v for c, v in changes.items()]
    return ", ".join(parts), params


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
    order = 'created_at COLLATE "C", run_id COLLATE "C"'
    updated_at = iso_at(now)
    # one statement: the pick, the compare-and-set and the thread's status in one round trip
    sql = (
        f"WITH picked AS (SELECT run_id FROM runs{where} ORDER BY {order} LIMIT 1"
        " FOR UPDATE SKIP LOCKED),"
        " taken AS (UPDATE runs AS r SET status = %s, updated_at = %s, worker_id = %s,"
        " lease_until = %s, attempt = attempt + 1 FROM picked WHERE r.run_id = picked.run_id"
        f" RETURNING {RUN_COLUMNS}, r.{LEASE_FIELDS.replace(', ', ', r.')}),"
        " busy AS (UPDATE threads AS t SET status = %s, updated_at = %s FROM taken"
        " WHERE t.thread_id = taken.thread_id)"
        " SELECT * FROM taken"
    )
    params = [*where.params, step.target, updated_at, worker_id, lease_until]
    params += [THREAD_WITH[Event.CLAIM], updated_at]
    try:
        async with db.statement() as conn:
            rows = await fetch(conn, sql, params)
    except errors.UniqueViolation:
        return None  # another worker started a run of this thread at the same moment
    return _claims(rows)[0] if rows else None


async def change(conn: Conn, run_id: str, change: RunChange) -> dict[str, Any] | None:
    """The transition as one statement, so one transaction with no BEGIN/COMMIT round trips:
    a compare-and-set (`UPDATE`/`DELETE … WHERE status IN (sources) … RETURNING`) that
    also logs the events and changes the thread (data-modifying `WITH` clauses, which run
    whether or not the change applies) and wakes other processes (`pg_notify`, delivered
    at commit)."""
    step = change.transition
    where = _statuses(PgWhere().equals("run_id", run_id), step.sources)
    if change.worker_id is not None:
        where.equals("worker_id", change.worker_id)
    if change.expired_by is not None:
        where.add("(lease_until IS NULL OR lease_until < %s)", change.expired_by)
    if step.target is None:
        sql, params = f"DELETE FROM runs{where}", where.params
    else:
        sets, params = assignments(RUNS, {**change.fields, "status": step.target})
        if step.target != "running":  # a lease belongs to a running run only
            sets += ", worker_id = NULL, lease_until = NULL, output = %s"
            params.append(None if change.output is NO_OUTPUT else Jsonb(change.output))
        sql, params = f"UPDATE runs SET {sets}{where}", [*params, *where.params]
    clauses = [f"changed AS ({sql} RETURNING {RUNS.column_list})"]
    if change.events:
        clauses.insert(0, f"logged AS ({_log_sql(len(change.events))})")
        params = [*_log_params(change.events), *params]
    if change.thread is not None:
        sets, values = assignments(THREADS, change.thread)
        clauses.append(
            f"thread AS (UPDATE threads SET {sets}"
            " WHERE thread_id IN (SELECT thread_id FROM changed))"
        )
        params += values
    signal = ""  # who hears of the change: waiters of an ended run, workers for a queued one
    if step.target in TERMINAL or step.target is None:
        signal, params = ", pg_notify(%s, 'ended:' || run_id)", [*params, CHANNEL]
    elif step.target == "pending":
        signal, params = ", pg_notify(%s, 'queued:' || thread_id)", [*params, CHANNEL]
    sql = f"WITH {', '.join(clauses)} SELECT {RUNS.column_list}{signal} FROM changed"
    rows = await fetch(conn, sql, params)
    return to_record(RUNS, rows[0][: len(RUNS.columns)]) if rows else None


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
    return _claims(rows)


def _claims(rows: list[Any]) -> list[Claim]:
    """Rows of the run's columns followed by `LEASE_FIELDS`."""
    width = len(RUNS.columns)
    return [Claim(cast(Run, to_record(RUNS, row[:width])), *row[width:]) for row in rows]


async def output(conn: Conn, run_id: str) -> tuple[RunStatus, Any] | None:
    rows = await fetch(
        conn, "SELECT status, output IS NULL, output FROM runs WHERE run_id = %s", [run_id]
    )
    if not rows:
        return None
    status, missing, value = rows[0]
    return status, NO_OUTPUT if missing else value


EVENT_ROWS = 1000  # per statement: well below Postgres' 65,535 parameters


def _log_sql(count: int) -> str:
    """Log `count` batches, each telling listeners of its run (only if it is new)."""
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * count)
    return (
        "INSERT INTO run_events (run_id, thread_id, first_ms, first_seq, last_ms, last_seq,"
        f" events) VALUES {rows} ON CONFLICT DO NOTHING"
        " RETURNING pg_notify(%s, 'events:' || run_id)"
    )


def _log_params(batches: Sequence[EventBatch]) -> list[Any]:
    rows = ((b.run_id, b.thread_id, *b.first, *b.last, b.events) for b in batches)
    return [*(value for row in rows for value in row), CHANNEL]


async def append_events(conn: Conn, batches: Sequence[EventBatch]) -> None:
    """One statement per `EVENT_ROWS` batches (of different runs: a run's are in order)."""
    for start in range(0, len(batches), EVENT_ROWS):
        chunk = batches[start : start + EVENT_ROWS]
        await run(conn, _log_sql(len(chunk)), _log_params(chunk))


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
