"""Postgres for the bench: a fresh database per configuration, and what a workload costs it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from urllib.parse import quote

from bench.workloads import Figures


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new schema in the database `server` names (a libpq URI), as the URI of a fresh
    database (its `search_path`), dropped afterwards: the bench stays in the one database
    it was given."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in server else "?"
    try:
        yield f"{server}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _commits(uri: str) -> int:
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


async def counting_transactions(uri: str, workload: Awaitable[Figures]) -> Figures:
    """The workload's figures, plus the database transactions it committed per run (a
    round-trip proxy: Postgres counts commits, not statements). Statistics reach
    pg_stat_database with a delay of up to a second, so this is approximate."""
    import time

    before = _commits(uri)
    figures = await workload
    time.sleep(1.0)
    runs = figures.get("wait_c32_runs") or 0
    after = _commits(uri)
    if runs:
        figures["transactions_per_run"] = (after - before) / runs
    return figures
