"""Thread state: read, write and walk the checkpoints a thread's graph left behind.

The thread record mirrors its latest checkpoint (`values`, `interrupts`, `status`) so
searches and UIs need no graph; `sync_thread` is the one place that mirror is refreshed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.errors import InvalidUpdateError
from langgraph.pregel import Pregel
from langgraph.types import StateSnapshot
from langgraph.types import StateUpdate as GraphStateUpdate

from skeino.auth.authorize import Access
from skeino.errors import BadRequest, Conflict, InvalidInput
from skeino.graphs import GraphRegistry
from skeino.ids import now_iso
from skeino.lifecycle import (
    Outcome,
    ThreadView,
    thread_status_after,
    thread_status_at_rest,
)
from skeino.models.threads import HistorySearch, StateUpdate, Superstep, ThreadCreate
from skeino.services.snapshots import (
    EMPTY_STATE,
    checkpoint_of,
    plain,
    snapshot_json,
    thread_interrupts,
)
from skeino.services.threads import ThreadService
from skeino.storage.base import Thread


def thread_config(thread_id: str, checkpoint: dict[str, Any] | None = None) -> RunnableConfig:
    configurable: dict[str, Any] = {"thread_id": thread_id, "checkpoint_ns": ""}
    for key, value in (checkpoint or {}).items():
        if value is not None and key != "thread_id":
            configurable[key] = value
    return {"configurable": configurable}


def _update_config(thread: Thread, checkpoint: dict[str, Any] | None = None) -> RunnableConfig:
    """A state update's config: its checkpoint records the graph, as upstream's do."""
    config = thread_config(thread["thread_id"], checkpoint)
    return {**config, "metadata": {"graph_id": thread["metadata"].get("graph_id")}}


def _no_graph(thread_id: str) -> BadRequest:
    return BadRequest(
        f"Thread '{thread_id}' has no assigned graph ID. This usually occurs when no runs "
        "have been made on this particular thread. This operation requires a graph ID. Please "
        "ensure a run has been made for the thread or manually update the thread metadata (by "
        "setting the 'graph_id' field) before running this operation."
    )


class StateService:
    def __init__(self, threads: ThreadService, graphs: GraphRegistry) -> None:
        self.threads = threads
        self.graphs = graphs

    @asynccontextmanager
    async def _graph(self, thread: Thread) -> AsyncIterator[Pregel | None]:
        """The thread's graph, a factory built afresh with the config of the thread's
        assistant (as for its runs), so a graph shaped by config reads and updates alike."""
        graph_id = thread["metadata"].get("graph_id")
        if graph_id is None or graph_id not in self.graphs:
            yield None
            return
        config = thread_config(thread["thread_id"])
        assistant_id = thread["metadata"].get("assistant_id")
        if assistant_id and self.graphs.is_factory(graph_id):
            assistant = await self.threads.storage.get_assistant(assistant_id)
            if assistant is not None:
                given = assistant["config"]
                configurable = {**given.get("configurable", {}), **config["configurable"]}
                config = {**given, "configurable": configurable}  # type: ignore[typeddict-item]
        async with self.graphs.resolve(graph_id, config) as graph:
            yield graph

    async def create_thread(self, body: ThreadCreate, access: Access | None = None) -> Thread:
        """Create a thread, then replay `supersteps` onto it as one history."""
        thread = await self.threads.create(body, access)
        if body.supersteps:
            await self._apply_supersteps(thread, body.supersteps)
            thread = await self.threads.get(thread["thread_id"])
        return thread

    async def _apply_supersteps(self, thread: Thread, supersteps: list[Superstep]) -> None:
        async with self._graph(thread) as graph:
            if graph is None:
                raise _no_graph(thread["thread_id"])
            steps = [
                [GraphStateUpdate(u.values, u.as_node) for u in step.updates] for step in supersteps
            ]
            try:
                await graph.abulk_update_state(_update_config(thread), steps)
            except InvalidUpdateError as exc:
                raise BadRequest(str(exc)) from None
            await self.sync_thread(thread["thread_id"], graph)

    async def get(
        self,
        thread_id: str,
        subgraphs: bool = False,
        checkpoint: dict[str, Any] | None = None,
        access: Access | None = None,
    ) -> dict[str, Any]:
        thread = await self.threads.get(thread_id, access)
        async with self._graph(thread) as graph:
            if graph is None:
                return dict(EMPTY_STATE)
            snapshot = await graph.aget_state(
                thread_config(thread_id, checkpoint), subgraphs=subgraphs
            )
        if snapshot.created_at is None:
            return dict(EMPTY_STATE)
        state = snapshot_json(snapshot)
        if checkpoint is not None and "checkpoint_ns" not in checkpoint and state["checkpoint"]:
            # a checkpoint asked for by id alone is named back as asked, as upstream does
            state["checkpoint"] = {
                k: v for k, v in state["checkpoint"].items() if k != "checkpoint_ns"
            }
        return state

    async def update(
        self, thread_id: str, body: StateUpdate, access: Access | None = None
    ) -> dict[str, Any]:
        thread = await self.threads.visible(thread_id, "update", {"thread_id": thread_id}, access)
        await self._not_in_flight(thread_id)
        checkpoint = dict(body.checkpoint or {})
        if body.checkpoint_id:
            checkpoint["checkpoint_id"] = body.checkpoint_id
        async with self._graph(thread) as graph:
            if graph is None:
                raise _no_graph(thread_id)
            try:
                written = await graph.aupdate_state(
                    _update_config(thread, checkpoint), body.values, as_node=body.as_node
                )
            except InvalidUpdateError as exc:  # an unknown node, values that are no object
                raise BadRequest(str(exc)) from None
            except (ValueError, KeyError) as exc:
                raise InvalidInput(str(exc)) from None
            await self.sync_thread(thread_id, graph)
        written_at = checkpoint_of(written) or {}
        return {
            "checkpoint": written_at,
            "configurable": written_at,
            "checkpoint_id": written_at.get("checkpoint_id"),
        }

    async def _not_in_flight(self, thread_id: str) -> None:
        """A state update races a run that is queued or executing: 409, as upstream."""
        busy = [run["run_id"] for run in await self.threads.in_flight(thread_id)]
        if busy:
            raise Conflict(f"Thread {thread_id} has in-flight runs: {busy}")

    async def history(
        self, thread_id: str, body: HistorySearch, access: Access | None = None
    ) -> list[dict[str, Any]]:
        thread = await self.threads.get(thread_id, access)
        before = body.before
        if isinstance(before, str):
            before = {"checkpoint_id": before}
        async with self._graph(thread) as graph:
            if graph is None:
                return []
            try:
                return [
                    snapshot_json(s)
                    async for s in graph.aget_state_history(
                        thread_config(thread_id, body.checkpoint),
                        filter=body.metadata,
                        before=thread_config(thread_id, before) if before else None,
                        limit=body.limit,
                    )
                ]
            except ValueError as exc:  # a filter key the checkpointer cannot query by
                raise InvalidInput(str(exc)) from None

    async def sync_thread(self, thread_id: str, graph: Pregel) -> Thread | None:
        """Mirror the latest checkpoint onto a thread at rest (after a state update, a copy);
        a running run keeps its thread busy until its own transition ends it."""
        changes = thread_mirror(await graph.aget_state(thread_config(thread_id)))
        return await self.threads.storage.update_thread(thread_id, changes, at_rest=True)


def thread_mirror(
    snapshot: StateSnapshot, outcome: Outcome | None = None, error: Any = None
) -> dict[str, Any]:
    """The thread fields that mirror its latest checkpoint, status by the lifecycle's table."""
    interrupts = thread_interrupts(snapshot)
    view = ThreadView(has_interrupts=bool(interrupts), has_next=bool(snapshot.next))
    now = now_iso()
    return {
        "values": plain(snapshot.values) if snapshot.config else None,
        "interrupts": plain(interrupts),
        "config": {"configurable": {}},
        "status": thread_status_at_rest(view)
        if outcome is None
        else thread_status_after(outcome, view),
        "error": error,
        "updated_at": now,
        "state_updated_at": now,
    }
