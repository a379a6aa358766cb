"""From a run request and its assistant to the stored run: kwargs, config, metadata."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

from langchain_core.runnables import RunnableConfig

from skeino.ids import now_iso
from skeino.models.runs import RunCreate
from skeino.runs.stream import StreamOptions
from skeino.runs.usage import UsageMeter
from skeino.storage.base import Assistant, Run


def _merge_config(assistant: Assistant, body: RunCreate) -> dict[str, Any]:
    """Assistant config under request config; `configurable` merged key by key."""
    base, given = assistant["config"], body.config or {}
    merged = {**base, **given}
    merged["configurable"] = {**base.get("configurable", {}), **given.get("configurable", {})}
    return merged


@dataclass(frozen=True)
class Origin:
    """The HTTP request a run came from: one request id for all runs it creates (a batch),
    and the URL clients reached the server at, which graphs see as `langgraph_api_url`."""

    api_url: str = ""
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    headers: dict[str, str] = field(default_factory=dict)
    """The request headers `http.configurable_headers` passes into `configurable`."""


def build_run(
    run_id: str,
    thread_id: str,
    assistant: Assistant,
    body: RunCreate,
    *,
    temporary: bool,
    thread_metadata: dict[str, Any] | None = None,
    origin: Origin | None = None,
) -> Run:
    """The pending run record; everything the executor needs is in its `kwargs`.

    `thread_metadata` is the metadata of the thread a stateful run runs on; None for a
    stateless run (its temporary thread has none) or one creating its thread.
    """
    origin = origin or Origin()
    metadata = {
        **assistant["metadata"],
        **(thread_metadata or {}),
        **(body.metadata or {}),
        "assistant_id": assistant["assistant_id"],
    }
    if thread_metadata is not None:  # stateless runs carry no graph_id, as upstream
        metadata["graph_id"] = assistant["graph_id"]
    config = _merge_config(assistant, body)
    # context and the caller's configurable mirror each other, as upstream shows them
    given = (body.config or {}).get("configurable", {})
    context = body.context if body.context is not None else {**assistant["context"], **given}
    config["configurable"].update(context)
    config["configurable"].update(origin.headers)
    config["configurable"].update(
        run_id=run_id,
        thread_id=thread_id,
        graph_id=assistant["graph_id"],
        assistant_id=assistant["assistant_id"],
        user_id=config["configurable"].get("user_id", ""),
        langgraph_request_id=origin.request_id,
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
    if config["configurable"].get(PROTOCOL_KEY):  # upstream's protocol runs do not carry it
        del config["configurable"]["__request_start_time_ms__"]
    config["metadata"] = {**(thread_metadata or {}), **config.get("metadata", {}), **metadata}
    kwargs: dict[str, Any] = {
        "input": body.input,
        "command": _command(body),
        "config": config,
        "context": context,
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
    given = {
        "resume": body.command.resume,
        "update": body.command.update,
        "goto": body.command.goto,
    }
    return {k: v for k, v in given.items() if v is not None}


def stream_options(
    run: Run,
    agent_nodes: tuple[str, ...] = (),
    status_field: str | None = None,
    meter: UsageMeter | None = None,
) -> StreamOptions:
    """How the run streams: its request, the server's opt-in `values` extras, its meter."""
    kwargs = run["kwargs"]
    return StreamOptions(
        stream_modes=tuple(kwargs["stream_mode"]),
        subgraphs=kwargs["subgraphs"],
        interrupt_before=kwargs["interrupt_before"],
        interrupt_after=kwargs["interrupt_after"],
        durability=kwargs["durability"],
        context=kwargs["context"] or None,
        agent_nodes=agent_nodes,
        status_field=status_field,
        meter=meter,
        protocol=bool(kwargs["config"]["configurable"].get(PROTOCOL_KEY)),
    )


# Set by the thread-centric protocol's `run.start`: the run streams LangGraph's v3 protocol
# events instead of the legacy modes (the official server's marker key, kept as is).
PROTOCOL_KEY = "__event_streaming_v2"

EXECUTION_METADATA = {
    "langgraph_version": version("langgraph"),
    "langgraph_api_version": version("skeino"),
    "langgraph_plan": "enterprise",  # what the official dev server reports too
    "langgraph_host": "self-hosted",
}


def graph_config(run: Run, api_url: str = "") -> RunnableConfig:
    """The RunnableConfig a graph runs with: the stored config, the run's identity, and the
    execution metadata the official server adds (it lands in every checkpoint's metadata)."""
    config: dict[str, Any] = dict(run["kwargs"]["config"])
    config["configurable"] = dict(config["configurable"])
    config["metadata"] = {
        **config.get("metadata", {}),
        "run_attempt": 1,
        **EXECUTION_METADATA,
        "langgraph_api_url": api_url,
    }
    config.setdefault("run_name", config["configurable"]["graph_id"])
    config["run_id"] = uuid.UUID(run["run_id"])  # the root of `events` is the run itself
    return config  # type: ignore[return-value]


def retry_config(config: RunnableConfig, attempt: int) -> RunnableConfig:
    """The config of a retry: it continues from the thread's latest checkpoint (the run's own
    progress), not from the checkpoint the run was asked to start at, and says its attempt."""
    configurable = {k: v for k, v in config["configurable"].items() if k != "checkpoint_id"}
    metadata = {**config.get("metadata", {}), "run_attempt": attempt}
    return {**config, "configurable": configurable, "metadata": metadata}
