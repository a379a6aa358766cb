"""The SQLite schema: numbered migrations, applied in one write transaction at open.

Each entry upgrades the file from `PRAGMA user_version` == its index to index + 1; never
edit a shipped entry, append a new one. Several processes opening one new file take turns
(the open holds `BEGIN IMMEDIATE`, and the backend's set-up lock), so none runs one twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from skeino.storage.sqlite_db import SyncSession

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE assistants (
            assistant_id TEXT PRIMARY KEY, graph_id TEXT NOT NULL, config TEXT NOT NULL,
            context TEXT NOT NULL, metadata TEXT NOT NULL, name TEXT NOT NULL,
            description TEXT, version INTEGER NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX assistants_graph_id ON assistants (graph_id)",
        "CREATE INDEX assistants_created_at ON assistants (created_at)",
        """CREATE TABLE assistant_versions (
            assistant_id TEXT NOT NULL REFERENCES assistants (assistant_id),
            graph_id TEXT NOT NULL, config TEXT NOT NULL, context TEXT NOT NULL,
            metadata TEXT NOT NULL, name TEXT NOT NULL, description TEXT,
            version INTEGER NOT NULL, created_at TEXT NOT NULL,
            PRIMARY KEY (assistant_id, version))""",
        """CREATE TABLE threads (
            thread_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            state_updated_at TEXT NOT NULL, metadata TEXT NOT NULL, status TEXT NOT NULL,
            config TEXT NOT NULL, "values" TEXT NOT NULL, interrupts TEXT NOT NULL,
            error TEXT NOT NULL)""",
        "CREATE INDEX threads_created_at ON threads (created_at)",
        "CREATE INDEX threads_updated_at ON threads (updated_at)",
        """CREATE TABLE runs (
            run_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, assistant_id TEXT NOT NULL,
            metadata TEXT NOT NULL, status TEXT NOT NULL, kwargs TEXT NOT NULL,
            multitask_strategy TEXT NOT NULL, created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX runs_thread_status ON runs (thread_id, status, created_at)",
        "CREATE INDEX runs_status ON runs (status, created_at)",
    ),
    # Token usage lives outside the run record (not in `Run`), so it never reaches the wire.
    ("ALTER TABLE runs ADD COLUMN total_tokens INTEGER",),
    # Crons join the numbered migrations (files made before kept the table they created).
    (
        """CREATE TABLE IF NOT EXISTS crons (
            cron_id TEXT PRIMARY KEY, assistant_id TEXT NOT NULL, thread_id TEXT,
            user_id TEXT NOT NULL, end_time TEXT, schedule TEXT NOT NULL, timezone TEXT,
            payload TEXT NOT NULL, next_run_date TEXT, metadata TEXT NOT NULL,
            on_run_completed TEXT, enabled TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS crons_next_run_date ON crons (next_run_date)",
        "CREATE INDEX IF NOT EXISTS crons_thread_id ON crons (thread_id)",
    ),
    # The queue with leases: its own columns, not JSON inside kwargs. A run left running by
    # an older skeino has no lease to expire, so it goes back to the queue here.
    (
        "ALTER TABLE runs ADD COLUMN not_before REAL",
        "ALTER TABLE runs ADD COLUMN worker_id TEXT",
        "ALTER TABLE runs ADD COLUMN lease_until REAL",
        "ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE runs ADD COLUMN cancel_requested TEXT",
        "ALTER TABLE runs ADD COLUMN output TEXT",
        "ALTER TABLE runs ADD COLUMN api_url TEXT NOT NULL DEFAULT ''",
        """UPDATE runs SET not_before =
            (julianday(json_extract(kwargs, '$.not_before')) - 2440587.5) * 86400.0,
            kwargs = json_remove(kwargs, '$.not_before')
            WHERE json_type(kwargs, '$.not_before') = 'text'""",
        "UPDATE runs SET status = 'pending' WHERE status = 'running'",
        "CREATE UNIQUE INDEX runs_one_running ON runs (thread_id) WHERE status = 'running'",
        "CREATE INDEX runs_lease ON runs (status, lease_until)",
        "CREATE INDEX runs_worker ON runs (worker_id) WHERE worker_id IS NOT NULL",
    ),
    # Run events, a row per batch of one run's events: what a stream in another process
    # reads, and what resumable streams replay.
    (
        """CREATE TABLE run_events (
            run_id TEXT NOT NULL, thread_id TEXT, first_ms INTEGER NOT NULL,
            first_seq INTEGER NOT NULL, last_ms INTEGER NOT NULL, last_seq INTEGER NOT NULL,
            events BLOB NOT NULL, PRIMARY KEY (run_id, first_ms, first_seq))""",
        "CREATE INDEX run_events_thread ON run_events (thread_id, last_ms, last_seq)",
        "CREATE INDEX run_events_age ON run_events (last_ms)",
    ),
    # Thread TTLs (when each thread expires and what then happens to it), named leases that
    # let one process at a time do a periodic job such as the TTL sweep, and the user who
    # made each cron (kept off the wire), as whom it fires.
    (
        """CREATE TABLE thread_ttl (
            thread_id TEXT PRIMARY KEY, strategy TEXT NOT NULL, minutes REAL NOT NULL,
            expires_at REAL NOT NULL)""",
        "CREATE INDEX thread_ttl_expires ON thread_ttl (expires_at)",
        "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until REAL NOT NULL)",
        "ALTER TABLE crons ADD COLUMN creator TEXT",
    ),
)


def migrate(db: SyncSession) -> None:
    """Bring the file to the latest schema, inside the caller's write transaction."""
    ((version,),) = db.rows("PRAGMA user_version", [])
    if version > len(MIGRATIONS):
        raise RuntimeError(f"database schema v{version} is newer than this skeino supports")
    for number in range(version, len(MIGRATIONS)):
        for statement in MIGRATIONS[number]:
            db.run(statement, [])
        db.run(f"PRAGMA user_version = {number + 1}", [])
