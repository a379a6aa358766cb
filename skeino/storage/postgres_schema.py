"""The Postgres schema: numbered migrations, each in a transaction, one process at a time.

Every skeino process runs `migrate` at start under a transaction-scoped advisory lock, so
processes starting together on one database take turns and none applies a migration twice.
Never edit a shipped entry; append a new one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from psycopg import AsyncConnection

LOCK = 0x736B65696E6F  # "skeino": the advisory lock every process migrates under

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE assistants (
            assistant_id TEXT PRIMARY KEY, graph_id TEXT NOT NULL, config JSONB NOT NULL,
            context JSONB NOT NULL, metadata JSONB NOT NULL, name TEXT NOT NULL,
            description TEXT, version INTEGER NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX assistants_graph_id ON assistants (graph_id)",
        "CREATE INDEX assistants_created_at ON assistants (created_at)",
        """CREATE TABLE assistant_versions (
            assistant_id TEXT NOT NULL REFERENCES assistants (assistant_id),
            graph_id TEXT NOT NULL, config JSONB NOT NULL, context JSONB NOT NULL,
            metadata JSONB NOT NULL, name TEXT NOT NULL, description TEXT,
            version INTEGER NOT NULL, created_at TEXT NOT NULL,
            PRIMARY KEY (assistant_id, version))""",
        """CREATE TABLE threads (
            thread_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            state_updated_at TEXT NOT NULL, metadata JSONB NOT NULL, status TEXT NOT NULL,
            config JSONB NOT NULL, "values" JSONB NOT NULL, interrupts JSONB NOT NULL,
            error JSONB NOT NULL)""",
        "CREATE INDEX threads_created_at ON threads (created_at)",
        "CREATE INDEX threads_updated_at ON threads (updated_at)",
        "CREATE INDEX threads_metadata ON threads USING gin (metadata jsonb_path_ops)",
        """CREATE TABLE runs (
            run_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, assistant_id TEXT NOT NULL,
            metadata JSONB NOT NULL, status TEXT NOT NULL, kwargs JSONB NOT NULL,
            multitask_strategy TEXT NOT NULL, created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL, total_tokens INTEGER, not_before DOUBLE PRECISION,
            worker_id TEXT, lease_until DOUBLE PRECISION, attempt INTEGER NOT NULL DEFAULT 0,
            cancel_requested TEXT, output JSONB, api_url TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX runs_thread_status ON runs (thread_id, status, created_at)",
        "CREATE INDEX runs_status ON runs (status, created_at)",
        "CREATE UNIQUE INDEX runs_one_running ON runs (thread_id) WHERE status = 'running'",
        "CREATE INDEX runs_lease ON runs (lease_until) WHERE status = 'running'",
        """CREATE TABLE crons (
            cron_id TEXT PRIMARY KEY, assistant_id TEXT NOT NULL, thread_id TEXT,
            user_id TEXT NOT NULL, end_time TEXT, schedule TEXT NOT NULL, timezone TEXT,
            payload JSONB NOT NULL, next_run_date TEXT, metadata JSONB NOT NULL,
            on_run_completed TEXT, enabled JSONB NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX crons_next_run_date ON crons (next_run_date)",
        """CREATE TABLE run_events (
            run_id TEXT NOT NULL, thread_id TEXT, first_ms BIGINT NOT NULL,
            first_seq BIGINT NOT NULL, last_ms BIGINT NOT NULL, last_seq BIGINT NOT NULL,
            events BYTEA NOT NULL, PRIMARY KEY (run_id, first_ms, first_seq))""",
        "CREATE INDEX run_events_age ON run_events (last_ms)",
    ),
    # Thread TTLs, named leases for periodic jobs one process at a time (TTL sweeps), and
    # the user who made each cron (kept off the wire), as whom it fires.
    (
        """CREATE TABLE thread_ttl (
            thread_id TEXT PRIMARY KEY, strategy TEXT NOT NULL,
            minutes DOUBLE PRECISION NOT NULL, expires_at DOUBLE PRECISION NOT NULL)""",
        "CREATE INDEX thread_ttl_expires ON thread_ttl (expires_at)",
        """CREATE TABLE leases (
            name TEXT PRIMARY KEY, holder TEXT NOT NULL, until DOUBLE PRECISION NOT NULL)""",
        "ALTER TABLE crons ADD COLUMN creator JSONB",
    ),
)


@asynccontextmanager
async def set_up_alone(conn: AsyncConnection[Any], key: int) -> AsyncIterator[None]:
    """Hold a session advisory lock while setting up. It is waited for by trying again
    rather than by a blocked statement: a process waiting inside a statement would hold a
    snapshot, and another's `CREATE INDEX CONCURRENTLY` (langgraph's set-up) waits for every
    older snapshot to end, so they would wait on each other for ever."""
    while not await _try_lock(conn, key):
        await anyio.sleep(0.05)
    try:
        yield
    finally:
        await conn.execute("SELECT pg_advisory_unlock(%s)", [key])


async def _try_lock(conn: AsyncConnection[Any], key: int) -> bool:
    cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", [key])
    row = await cursor.fetchone()
    return bool(row and row[0])


async def migrate(conn: AsyncConnection[Any]) -> None:
    """Bring the database to the latest schema (the connection is in autocommit)."""
    async with set_up_alone(conn, LOCK), conn.transaction():
        await conn.execute("CREATE TABLE IF NOT EXISTS skeino_schema (version INTEGER NOT NULL)")
        cursor = await conn.execute("SELECT max(version) FROM skeino_schema")
        row = await cursor.fetchone()
        version = (row[0] if row else None) or 0
        if version > len(MIGRATIONS):
            raise RuntimeError(f"database schema v{version} is newer than this skeino supports")
        for number in range(version, len(MIGRATIONS)):
            for statement in MIGRATIONS[number]:
                await conn.execute(statement)
            await conn.execute("INSERT INTO skeino_schema VALUES (%s)", [number + 1])
