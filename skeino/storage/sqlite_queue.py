"""The run queue's SQL: claims, compare-and-set transitions, leases, cancels, the event log.

Each function is the body of one transaction (or read) on a `SyncSession`; `SqliteStorage`
hands it to the database in one hop. The statuses come from `skeino.lifecycle`; here they
are only applied, always conditioned on the status the transition starts from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, cast

import orjson

from skeino.ids import iso_at
from skeino.lifecycle import ACTIVE, THREAD_WITH, Event, RunStatus, transition
from skeino.storage.base import NO_OUTPUT, CancelAction, Claim, EventBatch, Run, RunChange
from skeino.storage.filters import apply_changes
from skeino.storage.sqlite_db import RUNS, THREADS, SyncSession, Table, Where, dumps

LEASE_FIELDS = "attempt, cancel_requested, api_url, lease_until"
INSERT_RUN = (
    f"INSERT INTO runs ({RUNS.column_list}, not_before, api_url)"
    f" VALUES ({', '.join('?' * (len(RUNS.columns) + 2))}) ON CONFLICT DO NOTHING"
)
"""A run with what the queue keeps beside it, in one statement (the backends share it)."""


def insert(db: SyncSession, run: Run, not_before: float | None, api_url: str) -> bool:
    return db.run(INSERT_RUN, [*RUNS.to_row(run), not_before, api_url]) > 0


def has_running(db: SyncSession, thread_id: str) -> bool:
    sql = "SELECT 1 FROM runs WHERE thread_id = ? AND status = 'running'"
    return bool(db.rows(sql, [thread_id]))


def update_record(
    db: SyncSession, table: Table, key: str, changes: dict[str, Any]
) -> dict[str, Any] | None:
    current = db.get(table, key)
    if current is None:
        return None
    updated = apply_changes(current, changes, table.key)
    db.replace(table, updated)
    return updated


def _statuses(where: Where, statuses: Iterable[str]) -> Where:
    ordered = sorted(statuses)
    return where.add(f"status IN ({', '.join('?' * len(ordered))})", *ordered)


def claim(
    db: SyncSession, worker_id: str, now: float, lease_until: float, thread_id: str | None
) -> Claim | None:
    step = transition(Event.CLAIM)
    where = _statuses(Where(), step.sources).add("(not_before IS NULL OR not_before <= ?)", now)
    if thread_id is not None:
        where.equals("thread_id", thread_id)
    where.add(
        "NOT EXISTS (SELECT 1 FROM runs AS r WHERE r.thread_id = runs.thread_id"
        " AND r.status = 'running')"
    )
    found = db.select(RUNS, where, "created_at, run_id", limit=1)
    if not found:
        return None
    run = cast(Run, {**found[0], "status": step.target, "updated_at": iso_at(now)})
    db.run(
        "UPDATE runs SET status = ?, updated_at = ?, worker_id = ?, lease_until = ?,"
        " attempt = attempt + 1 WHERE run_id = ?",
        [run["status"], run["updated_at"], worker_id, lease_until, run["run_id"]],
    )
    db.run(
        "UPDATE threads SET status = ?, updated_at = ? WHERE thread_id = ?",
        [THREAD_WITH[Event.CLAIM], run["updated_at"], run["thread_id"]],
    )
    ((attempt, cancel, api_url, held),) = db.rows(
        f"SELECT {LEASE_FIELDS} FROM runs WHERE run_id = ?", [run["run_id"]]
    )
    return Claim(run, attempt, cancel, api_url, held)


def change(db: SyncSession, run_id: str, change: RunChange) -> dict[str, Any] | None:
    if change.events:
        append_events(db, change.events)
    step = change.transition
    where = _statuses(Where().equals("run_id", run_id), step.sources)
    if change.worker_id is not None:
        where.equals("worker_id", change.worker_id)
    if change.expired_by is not None:
        where.add("(lease_until IS NULL OR lease_until < ?)", change.expired_by)
    found = db.select(RUNS, where, limit=1)
    if not found:
        return None
    current = found[0]
    if step.target is None:
        db.delete(RUNS, run_id)
        updated = current
    else:
        updated = apply_changes(current, {**change.fields, "status": step.target}, "run_id")
        db.replace(RUNS, updated)
        if step.target != "running":  # a lease belongs to a running run only
            output = None if change.output is NO_OUTPUT else dumps(change.output)
            db.run(
                "UPDATE runs SET worker_id = NULL, lease_until = NULL, output = ? WHERE run_id = ?",
                [output, run_id],
            )
    if change.thread is not None:
        update_record(db, THREADS, current["thread_id"], change.thread)
    return updated


def request_cancel(db: SyncSession, run_id: str, action: CancelAction) -> RunStatus | None:
    where = _statuses(Where().equals("run_id", run_id), ACTIVE)
    sql = f"UPDATE runs SET cancel_requested = coalesce(cancel_requested, ?){where}"
    db.run(sql, [action, *where.params])
    rows = db.rows("SELECT status FROM runs WHERE run_id = ?", [run_id])
    return cast(RunStatus, rows[0][0]) if rows else None


def cancel_requests(db: SyncSession, worker_id: str) -> dict[str, CancelAction]:
    sql = (
        "SELECT run_id, cancel_requested FROM runs WHERE worker_id = ? AND status = 'running'"
        " AND cancel_requested IS NOT NULL"
    )
    return dict(db.rows(sql, [worker_id]))


def renew(
    db: SyncSession, worker_id: str, run_ids: Collection[str], lease_until: float
) -> set[str]:
    sql = (
        "UPDATE runs SET lease_until = ? WHERE worker_id = ? AND status = 'running'"
        " AND run_id IN (SELECT value FROM json_each(?)) RETURNING run_id"
    )
    return {run_id for (run_id,) in db.rows(sql, [lease_until, worker_id, dumps(list(run_ids))])}


def expired(db: SyncSession, now: float) -> list[Claim]:
    where = Where().equals("status", "running").add("(lease_until IS NULL OR lease_until < ?)", now)
    runs = db.select(RUNS, where, "created_at, run_id")
    claims = []
    for run in runs:
        (fields,) = db.rows(f"SELECT {LEASE_FIELDS} FROM runs WHERE run_id = ?", [run["run_id"]])
        claims.append(Claim(cast(Run, run), *fields))
    return claims


def output(db: SyncSession, run_id: str) -> tuple[RunStatus, Any] | None:
    rows = db.rows("SELECT status, output FROM runs WHERE run_id = ?", [run_id])
    if not rows:
        return None
    status, text = rows[0]
    return status, NO_OUTPUT if text is None else orjson.loads(text)


def append_events(db: SyncSession, batches: Sequence[EventBatch]) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO run_events"
        " (run_id, thread_id, first_ms, first_seq, last_ms, last_seq, events)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(b.run_id, b.thread_id, *b.first, *b.last, b.events) for b in batches],
    )


def read_events(
    db: SyncSession, run_id: str, after: tuple[int, int], limit: int
) -> list[EventBatch]:
    ms, seq = after
    rows = db.rows(
        "SELECT run_id, thread_id, first_ms, first_seq, last_ms, last_seq, events"
        " FROM run_events WHERE run_id = ? AND (last_ms > ? OR (last_ms = ? AND last_seq > ?))"
        " ORDER BY first_ms, first_seq LIMIT ?",
        [run_id, ms, ms, seq, limit],
    )
    return [EventBatch(r[0], r[1], (r[2], r[3]), (r[4], r[5]), bytes(r[6])) for r in rows]
