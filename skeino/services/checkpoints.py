"""Checkpoint operations some savers lack, written against the saver's public API."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple

from skeino.checkpoint.pending import writes_by_task


async def copy_thread(saver: BaseCheckpointSaver[Any], source: str, target: str) -> None:
    """Copy every checkpoint (all namespaces) and pending write of a thread, oldest first."""
    try:
        await saver.acopy_thread(source, target)
        return
    except NotImplementedError:
        pass
    found = [t async for t in saver.alist({"configurable": {"thread_id": source}})]
    for item in reversed(found):
        parent = (item.parent_config or {}).get("configurable", {})
        await _put(saver, item, target, parent.get("checkpoint_id"))


async def keep_latest(saver: BaseCheckpointSaver[Any], thread_id: str) -> None:
    """Forget every checkpoint of the thread but the latest of each namespace (with its
    pending writes). Savers without `aprune` get the latest ones written back, unparented,
    after the thread's checkpoints are deleted."""
    try:
        await saver.aprune([thread_id], strategy="keep_latest")
        return
    except NotImplementedError:
        pass
    latest: dict[str, CheckpointTuple] = {}
    async for item in saver.alist({"configurable": {"thread_id": thread_id}}):
        latest.setdefault(item.config["configurable"]["checkpoint_ns"], item)
    await saver.adelete_thread(thread_id)
    for item in latest.values():
        await _put(saver, item, thread_id, None)


async def _put(
    saver: BaseCheckpointSaver[Any], item: CheckpointTuple, thread_id: str, parent: str | None
) -> None:
    """Write `item` and its pending writes into `thread_id`, under checkpoint `parent`."""
    config: RunnableConfig = {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": item.config["configurable"]["checkpoint_ns"],
            "checkpoint_id": parent,
        }
    }
    versions = item.checkpoint["channel_versions"]
    written = await saver.aput(config, item.checkpoint, item.metadata, dict(versions))
    for task_id, writes in writes_by_task(item).items():
        await saver.aput_writes(written, writes, task_id)
