"""A checkpoint's pending writes as `put_writes` takes them: one call per task."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import CheckpointTuple


def writes_by_task(item: CheckpointTuple) -> dict[str, list[tuple[str, Any]]]:
    """`(channel, value)` pairs of each task, in the order they were written."""
    by_task: dict[str, list[tuple[str, Any]]] = {}
    for task_id, channel, value in item.pending_writes or []:
        by_task.setdefault(task_id, []).append((channel, value))
    return by_task
