"""From a run request and its assistant to the stored run: kwargs, config, metadata."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from langchain_core.runnables import RunnableConfig

from skeino.ids import now_iso
from skeino.models.runs import RunCreate
from skeino.runs.stream import StreamOptions
from skeino.storage.base import Assistant, Run


def _merge_config(assistant: Assistant, body: RunCreate) -> dict[str, Any]:
    """Assistant config under request config; `configurable` merged key by key."""
    base, given = assistant["config"], body.config or {}
    merged = {**base, **given}
    merged["configurable"] = {**base.get("configurable", {}), **given.get("configurable", {})}
    return merged


def build_run(
    run_id: str,
    thread_id: str,
    assistant: Assistant,
    body: RunCreate,
    *,
    temporary: bool,
) -> Run:
    """The pending run record; everything the executor needs is in its `kwargs`."""
    metadata = {
        **assistant["metadata"],
        **(body.metadata or {}),
        "graph_id": assistant["graph_id"],
        "assistant_id": assistant["assistant_id"],
    }
    config = _merge_config(assistant, body)
    config["configurable"].update(
        run_id=run_id,
        thread_id=thread_id,
        graph_id=assistant["graph_id"],
        assistant_id=assistant["assistant_id"],
        user_id="",
        langgraph_auth_user=None,
        langgraph_auth_user_id="",
        langgraph_auth_permissions=[],
        __request_start_time_ms__=int(time.time() * 1000),
        __after_seconds__=body.after_seconds or 0,
    )
    checkpoint = {**(body.checkpoint or {})}
    if body.checkpoint_id:
        checkpoint["checkpoint_id"] = body.checkpoint_id
    config["configurable"].update({k: v for k, v in checkpoint.items() if k != "thread_id"})
    config["metadata"] = {**config.get("metadata", {}), **metadata}
    kwargs: dict[str, Any] = {
        "input": body.input,
        "command": _command(body),
        "config": config,
        "context": body.context if body.context is not None else assistant["context"],
        "stream_mode": body.stream_modes,
        "interrupt_before": body.interrupt_before,
        "interrupt_after": body.interrupt_after,
        "webhook": body.webhook,
        "feedback_keys": body.feedback_keys,
        "temporary": temporary,
        "subgraphs": body.stream_subgraphs,
        "resumable": body.stream_resumable,
        "checkpoint_during": body.checkpoint_during if body.checkpoint_during is not None else True,
        "durability": body.durability or "async",
    }
    if body.after_seconds:
        due = datetime.now(UTC) + timedelta(seconds=body.after_seconds)
        kwargs["not_before"] = due.isoformat()
    now = now_iso()
    return Run(
        run_id=run_id,
        thread_id=thread_id,
        assistant_id=assistant["assistant_id"],
        metadata=metadata,
        status="pending",
        kwargs=kwargs,
        multitask_strategy=body.multitask_strategy,
        created_at=now,
        updated_at=now,
    )


def _command(body: RunCreate) -> dict[str, Any] | None:
    if body.command is None:
        return None
    return {"resume": body.command.resume, "update": body.command.update, "goto": body.command.goto}


def stream_options(run: Run) -> StreamOptions:
    kwargs = run["kwargs"]
    return StreamOptions(
        stream_modes=tuple(kwargs["stream_mode"]),
        subgraphs=kwargs["subgraphs"],
        interrupt_before=kwargs["interrupt_before"],
        interrupt_after=kwargs["interrupt_after"],
        durability=kwargs["durability"],
        context=kwargs["context"] or None,
    )


def graph_config(run: Run) -> RunnableConfig:
    """The RunnableConfig a graph runs with: the stored config plus the run's identity."""
    config: dict[str, Any] = dict(run["kwargs"]["config"])
    config["configurable"] = dict(config["configurable"])
    config.setdefault("run_name", run["metadata"].get("graph_id"))
    return config  # type: ignore[return-value]
