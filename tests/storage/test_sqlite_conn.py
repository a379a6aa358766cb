"""Work on the loop's thread never waits for a lock there, and checkpoints leave the loop."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest
from anyio.abc import TaskStatus

from skeino.checkpoint.readers import ReaderPool
from skeino.storage import sqlite_conn
from skeino.storage.sqlite_conn import Database
from skeino.storage.sqlite_db import SyncSession

pytestmark = pytest.mark.anyio


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(str(tmp_path / "x.db"))
    await database.atomic(lambda s: s.run("CREATE TABLE notes (n INTEGER)", []))
    try:
        yield database
    finally:
        await database.close()


def _insert(n: int) -> Callable[[SyncSession], int]:
    return lambda s: s.run("INSERT INTO notes VALUES (?)", [n])


def _count(session: SyncSession) -> int:
    return int(session.rows("SELECT count(*) FROM notes", [])[0][0])


async def test_a_write_waits_for_another_writer_off_the_loop(db: Database, tmp_path: Path) -> None:
    """Another process's write lock sends the transaction to a worker thread: the loop goes
    on meanwhile, and the write lands once the lock is released."""
    other = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes VALUES (1)")
    written = anyio.Event()

    async def write(task_status: TaskStatus[None]) -> None:
        task_status.started()
        await db.atomic(_insert(2))
        written.set()

    async with anyio.create_task_group() as tg:
        await tg.start(write)
        await anyio.wait_all_tasks_blocked()
        assert not written.is_set()  # waiting for the lock, and the loop still turns
        other.execute("COMMIT")
        await written.wait()
    other.close()
    assert await db.read(_count) == 2


async def test_reads_see_commits_while_another_process_writes(db: Database, tmp_path: Path) -> None:
    await db.atomic(_insert(1))
    other = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes VALUES (2)")
    assert await db.read(_count) == 1  # WAL: a reader never waits for a writer
    assert await db.scan(_count) == 1
    pool = ReaderPool(str(tmp_path / "x.db"), 2)
    try:
        rows = await pool.read(lambda conn: conn.execute("SELECT n FROM notes").fetchall())
    finally:
        pool.close()
    other.execute("COMMIT")
    other.close()
    assert rows == [(1,)]


async def test_writes_reach_the_database_file_through_checkpoints(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop's connection never checkpoints on commit; every CHECKPOINT_EVERY writes one
    checkpoint copies the WAL into the file (read here without the WAL, as `immutable`)."""
    monkeypatch.setattr(sqlite_conn, "CHECKPOINT_EVERY", 10)
    for n in range(9):  # the table's creation was the first of the ten writes
        await db.atomic(_insert(n))
    main_file = sqlite3.connect(f"file:{tmp_path / 'x.db'}?immutable=1", uri=True)
    try:
        (count,) = main_file.execute("SELECT count(*) FROM notes").fetchone()
    finally:
        main_file.close()
    assert count == 9


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    def half(session: SyncSession) -> None:
        session.run("INSERT INTO notes VALUES (1)", [])
        raise ValueError("no")

    with pytest.raises(ValueError):
        await db.atomic(half)
    assert await db.read(_count) == 0
