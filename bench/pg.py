"""Postgres for the bench: a fresh database per configuration, and what a workload costs it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from bench.workloads import Figures


def _with_database(uri: str, name: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new database on `server` (a libpq URI), dropped afterwards."""
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield _with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


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
