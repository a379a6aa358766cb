"""`kill -9` of a process writing checkpoints for 100 concurrent runs loses no write that a
caller was told about: every put that returned is in the database, with its pending write,
as langgraph's own saver of that database reads it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from tests.postgres import fresh_schema

HERE = Path(__file__).resolve().parent
ACKS_BEFORE_KILL = 3000


@contextmanager
def sqlite_file(tmp_path: Path) -> Iterator[tuple[str, BaseCheckpointSaver[str]]]:
    path = str(tmp_path / "crash.db")
    with sqlite3.connect(path, check_same_thread=False) as conn:
        saver = SqliteSaver(conn)
        saver.setup()
        yield path, saver


@contextmanager
def postgres_schema(tmp_path: Path) -> Iterator[tuple[str, BaseCheckpointSaver[str]]]:
    with fresh_schema() as uri, PostgresSaver.from_conn_string(uri) as saver:
        saver.setup()
        yield uri, saver


@pytest.mark.parametrize("database", [sqlite_file, postgres_schema])
def test_kill_9_loses_no_acknowledged_write(tmp_path: Path, database: Any) -> None:
    with database(tmp_path) as (target, theirs):
        acked = _acknowledged_until_killed(target)
        assert len(acked) >= ACKS_BEFORE_KILL
        assert len({thread for thread, _ in acked}) == 100
        for thread_id, checkpoint_id in acked:
            config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
            config["configurable"]["checkpoint_id"] = checkpoint_id
            found = theirs.get_tuple(config)  # type: ignore[arg-type]
            assert found is not None, (thread_id, checkpoint_id)
            step = int(checkpoint_id)
            assert found.checkpoint["channel_values"] == {"step": step}
            assert found.pending_writes == [(f"task-{step}", "step", step)]


def _acknowledged_until_killed(target: str) -> list[tuple[str, str]]:
    """What the writer printed (each put it heard back from) until it was `kill -9`ed."""
    writer = subprocess.Popen(
        [sys.executable, str(HERE / "writer.py"), target],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert writer.stdout is not None
    acked: list[tuple[str, str]] = []
    try:
        for line in writer.stdout:
            thread_id, checkpoint_id = line.decode().split()
            acked.append((thread_id, checkpoint_id))
            if len(acked) >= ACKS_BEFORE_KILL:
                break
    finally:
        writer.kill()
        rest, errors = writer.communicate(timeout=30)
    assert writer.returncode == -9, errors.decode()
    # a line cut short by the kill was not printed whole: its put had not been reported
    whole, _, _cut = rest.decode().rpartition("\n")
    acked += [tuple(line.split()) for line in whole.splitlines()]  # type: ignore[misc]
    return acked
