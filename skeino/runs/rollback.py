"""Rollback: drop the checkpoints one run wrote, keeping the thread's earlier history.

LangGraph's `adelete_for_runs` does exactly this, but neither the in-memory nor the SQLite
saver implements it. The fallback works with any saver through its public API: read the
thread's other checkpoints, delete the thread's checkpoints, and write the others back,
oldest first, with their parents and pending writes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple


async def forget_run_checkpoints(
    saver: BaseCheckpointSaver[Any], thread_id: str, run_id: str
) -> None:
    try:
        await saver.adelete_for_runs([run_id])
        return
    except NotImplementedError:
        pass
    history = [t async for t in saver.alist({"configurable": {"thread_id": thread_id}})]
    keep = [t for t in history if t.metadata.get("run_id") != run_id]
    if len(keep) == len(history):
        return
    await saver.adelete_thread(thread_id)
    for saved in reversed(keep):  # alist is newest first; parents must exist first
        await _put_back(saver, thread_id, saved)


async def _put_back(
    saver: BaseCheckpointSaver[Any], thread_id: str, saved: CheckpointTuple
) -> None:
    configurable: dict[str, Any] = {
        "thread_id": thread_id,
        "checkpoint_ns": saved.config["configurable"].get("checkpoint_ns", ""),
    }
    if saved.parent_config is not None:
        configurable["checkpoint_id"] = saved.parent_config["configurable"]["checkpoint_id"]
    parent: RunnableConfig = {"configurable": configurable}
    checkpoint = saved.checkpoint
    written = await saver.aput(parent, checkpoint, saved.metadata, checkpoint["channel_versions"])
    by_task: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for task_id, channel, value in saved.pending_writes or ():
        by_task[task_id].append((channel, value))
    for task_id, writes in by_task.items():
        await saver.aput_writes(written, writes, task_id)
