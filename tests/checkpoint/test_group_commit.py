"""The writer commits concurrent callers together, and one bad write fails only itself."""

from __future__ import annotations

import sqlite3
from functools import partial
from pathlib import Path

import anyio
import pytest

from skeino.checkpoint.group_commit import GroupWriter
from skeino.checkpoint.readers import connect
from skeino.checkpoint.sqlite_sql import transaction

pytestmark = pytest.mark.anyio
INSERT = "INSERT INTO t (k, v) VALUES (?, ?)"


def _table(path: Path) -> sqlite3.Connection:
    conn = connect(str(path))
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
    return conn


async def _write_all(writer: GroupWriter, rows: list[tuple[str, str | None]]) -> dict[str, str]:
    outcome: dict[str, str] = {}

    async def one(key: str, value: str | None) -> None:
        try:
            await writer.write([(INSERT, [(key, value)])])
            outcome[key] = "ok"
        except sqlite3.IntegrityError:
            outcome[key] = "refused"

    async with anyio.create_task_group() as callers:
        for key, value in rows:
            callers.start_soon(one, key, value)
    await writer.close()
    return outcome


async def test_concurrent_writes_share_commits(tmp_path: Path) -> None:
    conn = _table(tmp_path / "group.db")
    commits: list[str] = []
    conn.set_trace_callback(
        lambda statement: commits.append(statement) if statement == "COMMIT" else None
    )
    outcome = await _write_all(
        GroupWriter(partial(transaction, conn)), [(f"k{n}", "v") for n in range(50)]
    )
    assert outcome == {f"k{n}": "ok" for n in range(50)}
    assert len(commits) < 50
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (50,)


async def test_one_bad_write_fails_only_its_caller(tmp_path: Path) -> None:
    conn = _table(tmp_path / "bad.db")
    rows = [(f"k{n}", None if n == 7 else "v") for n in range(20)]
    outcome = await _write_all(GroupWriter(partial(transaction, conn)), rows)
    assert outcome == {f"k{n}": "refused" if n == 7 else "ok" for n in range(20)}
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (19,)
    assert not conn.in_transaction


async def test_a_closed_writer_refuses(tmp_path: Path) -> None:
    writer = GroupWriter(partial(transaction, _table(tmp_path / "closed.db")))
    await writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        await writer.write([(INSERT, [("k", "v")])])
