"""`kill -9` of a process writing checkpoints for 100 concurrent runs loses no write that a
caller was told about: every put that returned is in the file, with its pending write."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver

HERE = Path(__file__).resolve().parent
ACKS_BEFORE_KILL = 3000


def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    path = str(tmp_path / "crash.db")
    writer = subprocess.Popen(
        [sys.executable, str(HERE / "writer.py"), path],
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
    acked += [tuple(line.split()) for line in rest.decode().splitlines()]  # type: ignore[misc]
    assert len(acked) >= ACKS_BEFORE_KILL
    assert len({thread for thread, _ in acked}) == 100

    with sqlite3.connect(path, check_same_thread=False) as conn:
        saver = SqliteSaver(conn)
        for thread_id, checkpoint_id in acked:
            config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
            config["configurable"]["checkpoint_id"] = checkpoint_id
            found = saver.get_tuple(config)  # type: ignore[arg-type]
            assert found is not None, (thread_id, checkpoint_id)
            step = int(checkpoint_id)
            assert found.checkpoint["channel_values"] == {"step": step}
            assert found.pending_writes == [(f"task-{step}", "step", step)]
