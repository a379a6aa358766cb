"""Checkpoint operations some savers lack, written against the saver's public API."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver


async def copy_thread(saver: BaseCheckpointSaver[Any], source: str, target: str) -> None:
    """Copy every checkpoint (all namespaces) and pending write of a thread, oldest first."""
    try:
        await saver.acopy_thread(source, target)
        return
    except NotImplementedError:
        pass
    found = [t async for t in saver.alist({"configurable": {"thread_id": source}})]
    for item in reversed(found):
        conf = item.config["configurable"]
        parent = (item.parent_config or {}).get("configurable", {})
        config: RunnableConfig = {
            "configurable": {
                "thread_id": target,
                "checkpoint_ns": conf["checkpoint_ns"],
                "checkpoint_id": parent.get("checkpoint_id"),
            }
        }
        versions = item.checkpoint["channel_versions"]
        written = await saver.aput(config, item.checkpoint, item.metadata, dict(versions))
        by_task: dict[str, list[tuple[str, Any]]] = {}
        for task_id, channel, value in item.pending_writes or []:
            by_task.setdefault(task_id, []).append((channel, value))
        for task_id, writes in by_task.items():
            await saver.aput_writes(written, writes, task_id)
