"""A writer process for the crash test: 100 concurrent "runs", each putting a chain of
checkpoints (and a pending write on each) through skeino's saver of the database named
(a SQLite path or a postgresql:// URI), printing `thread checkpoint` once each put has
returned, until it is killed."""

from __future__ import annotations

import sys
from typing import Any

import anyio
from langgraph.checkpoint.base import empty_checkpoint

from skeino.checkpoint import open_sqlite_saver
from skeino.checkpoint.postgres_saver import open_postgres_saver

RUNS = 100


async def run(saver: Any, thread_id: str) -> None:
    config: Any = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
    for step in range(10_000):
        checkpoint = empty_checkpoint()
        checkpoint["id"] = f"{step:08d}"
        checkpoint["channel_values"] = {"step": step}
        config = await saver.aput(config, checkpoint, {"step": step}, {})
        await saver.aput_writes(config, [("step", step)], f"task-{step}")
        print(thread_id, checkpoint["id"], flush=True)


async def main(target: str) -> None:
    """`target`'s tables are made already (a Postgres database's by the test)."""
    postgres = target.startswith("postgresql://")
    opened: Any = open_postgres_saver(target) if postgres else open_sqlite_saver(target)
    async with opened as saver, anyio.create_task_group() as tasks:
        for n in range(RUNS):
            tasks.start_soon(run, saver, f"thread-{n}")


if __name__ == "__main__":
    anyio.run(main, sys.argv[1])
