"""Fresh databases for tests: memory, a SQLite file, or a throwaway Postgres schema on the
server `$SKEINO_TEST_POSTGRES` names.

`.ci/run` starts a server and sets the variable; without it the Postgres cases are
skipped, and the report header says so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

SERVER = os.environ.get("SKEINO_TEST_POSTGRES", "")
SKIPPED = "no Postgres for tests: set SKEINO_TEST_POSTGRES=postgresql://… (.ci/run does)"


@contextmanager
def fresh_schema() -> Iterator[str]:
    """The URI of a new, empty schema (as `search_path`), dropped afterwards."""
    if not SERVER:
        pytest.skip(SKIPPED)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in SERVER else "?"
    try:
        yield f"{SERVER}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        if not os.environ.get("SKEINO_TEST_KEEP_SCHEMA"):
            with psycopg.connect(SERVER, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def database(kind: str, sqlite_file: Path) -> Iterator[str]:
    """The URI of a fresh database of `kind` ("memory", "sqlite" or "postgres")."""
    if kind == "memory":
        yield "memory://"
    elif kind == "sqlite":
        yield f"sqlite:///{sqlite_file}"
    else:
        with fresh_schema() as uri:
            yield uri
