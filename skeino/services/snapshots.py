"""LangGraph state snapshots and interrupts in the shape the wire carries them."""

from __future__ import annotations

from typing import Any

import orjson
from langgraph.types import Interrupt, PregelTask, StateSnapshot

from skeino.http.responses import dumps

EMPTY_STATE: dict[str, Any] = {
    "values": {},
    "next": [],
    "tasks": [],
    "metadata": None,
    "created_at": None,
    "checkpoint": None,
    "parent_checkpoint": None,
    "interrupts": [],
    "checkpoint_id": None,
    "parent_checkpoint_id": None,
}


def plain(value: Any) -> Any:
    """JSON-ready copy of graph values (messages become dicts), for storage and comparison."""
    return orjson.loads(dumps(value))


def interrupt_json(item: Interrupt) -> dict[str, Any]:
    return {"id": item.id, "value": item.value}


def checkpoint_of(config: Any) -> dict[str, Any] | None:
    """`{checkpoint_id, thread_id, checkpoint_ns}` from a RunnableConfig, or None."""
    if not config:
        return None
    conf = config.get("configurable", {})
    out = {
        "checkpoint_id": conf.get("checkpoint_id"),
        "thread_id": conf.get("thread_id"),
        "checkpoint_ns": conf.get("checkpoint_ns", ""),
    }
    if conf.get("checkpoint_map"):
        out["checkpoint_map"] = conf["checkpoint_map"]
    return out


def task_checkpoint(state: Any) -> dict[str, Any] | None:
    """Where a subgraph task's state lives: its config's `configurable` as LangGraph gives
    it (thread and namespace, no checkpoint id), which is what the official server sends."""
    return dict(state["configurable"]) if state else None


def task_json(task: PregelTask) -> dict[str, Any]:
    nested = isinstance(task.state, StateSnapshot)
    return {
        "id": task.id,
        "name": task.name,
        "path": list(task.path),
        "error": task.error,
        "interrupts": [interrupt_json(i) for i in task.interrupts],
        "checkpoint": None if nested else task_checkpoint(task.state),
        "state": snapshot_json(task.state) if nested else None,  # type: ignore[arg-type]
        "result": task.result,
    }


def snapshot_json(snapshot: StateSnapshot) -> dict[str, Any]:
    checkpoint = checkpoint_of(snapshot.config)
    parent = checkpoint_of(snapshot.parent_config)
    metadata: dict[str, Any] | None = None if snapshot.metadata is None else {**snapshot.metadata}
    if metadata is not None and checkpoint is not None:
        # the official server's checkpointer records the thread in every checkpoint's
        # metadata; LangGraph leaves it out, so it is shown here
        metadata = {**metadata, "thread_id": checkpoint["thread_id"]}
    return {
        "values": snapshot.values,
        "next": list(snapshot.next),
        "tasks": [task_json(t) for t in snapshot.tasks],
        "metadata": metadata,
        "created_at": snapshot.created_at,
        "checkpoint": checkpoint,
        "parent_checkpoint": parent,
        "interrupts": [interrupt_json(i) for i in snapshot.interrupts],
        "checkpoint_id": checkpoint["checkpoint_id"] if checkpoint else None,
        "parent_checkpoint_id": parent["checkpoint_id"] if parent else None,
    }


def thread_interrupts(snapshot: StateSnapshot) -> dict[str, list[dict[str, Any]]]:
    """Pending interrupts keyed by task id, as threads expose them."""
    return {
        task.id: [interrupt_json(i) for i in task.interrupts]
        for task in snapshot.tasks
        if task.interrupts
    }
