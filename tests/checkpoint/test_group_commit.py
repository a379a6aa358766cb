"""The writer commits concurrent callers together, and one bad write fails only itself."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import anyio
import pytest

from skeino.checkpoint import group_commit
from skeino.checkpoint.group_commit import GroupWriter
from skeino.storage.sqlite_conn import connect

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
    outcome = await _write_all(GroupWriter(conn), [(f"k{n}", "v") for n in range(50)])
    assert outcome == {f"k{n}": "ok" for n in range(50)}
    assert len(commits) < 50
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (50,)


async def test_one_bad_write_fails_only_its_caller(tmp_path: Path) -> None:
    conn = _table(tmp_path / "bad.db")
    rows = [(f"k{n}", None if n == 7 else "v") for n in range(20)]
    outcome = await _write_all(GroupWriter(conn), rows)
    assert outcome == {f"k{n}": "refused" if n == 7 else "ok" for n in range(20)}
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (19,)
    assert not conn.in_transaction


async def test_a_closed_writer_refuses(tmp_path: Path) -> None:
    writer = GroupWriter(_table(tmp_path / "closed.db"))
    await writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        await writer.write([(INSERT, [("k", "v")])])


async def test_a_lock_held_elsewhere_is_waited_for_off_the_loop(tmp_path: Path) -> None:
    """Another process's write lock: the batch waits on a worker thread while the loop
    turns, and is committed once the lock is released."""
    path = tmp_path / "held.db"
    writer = GroupWriter(_table(path))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    written = anyio.Event()

    async def write() -> None:
        await writer.write([(INSERT, [("k", "v")])])
        written.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(write)
        await anyio.wait_all_tasks_blocked()
        assert not written.is_set()
        other.execute("COMMIT")
    await writer.close()
    assert other.execute("SELECT count(*) FROM t").fetchone() == (1,)
    other.close()


async def test_large_batches_are_committed_from_a_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(group_commit, "INLINE_BYTES", 1000)
    conn = _table(tmp_path / "large.db")
    committed_on: list[int] = []
    conn.set_trace_callback(
        lambda statement: (
            committed_on.append(threading.get_ident()) if statement == "COMMIT" else None
        )
    )
    writer = GroupWriter(conn)
    await writer.write([(INSERT, [("small", b"v")])])
    await writer.write([(INSERT, [("large", b"v" * 2000)])])
    await writer.close()
    assert committed_on[0] == threading.get_ident()
    assert committed_on[1] != threading.get_ident()
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (2,)
