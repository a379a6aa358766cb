"""Execute one claimed run: stream its graph into the broker and record how it ended.

Each run executes in its own task group whose cancel scope is the run's handle: `cancel`
sets the reason (interrupt or rollback) and cancels that scope; a timeout is a deadline on
it; a server shutdown cancels it from outside, and the run goes back to `pending` so the
next start resumes it from its last checkpoint.

Opt-in extras from the settings: `values` folding (see `folding`), retries after transient
failures (see `retry`), and the run's token usage (see `usage`), recorded beside the run.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

import anyio
from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from langgraph.types import StateSnapshot

from skeino.graphs import GraphRegistry
from skeino.ids import now_iso
from skeino.runs.broker import Broker
from skeino.runs.config import graph_config, retry_config, stream_options
from skeino.runs.events import StreamEvent
from skeino.runs.retry import with_retries
from skeino.runs.rollback import forget_run_checkpoints
from skeino.runs.status import RUN_STATUS_AFTER, Outcome, check_transition
from skeino.runs.stream import StreamOptions, astream_run, error_event
from skeino.runs.usage import UsageMeter
from skeino.services.snapshots import plain
from skeino.services.state import StateService, thread_config
from skeino.storage.base import Run, Storage

logger = logging.getLogger("skeino.runs")

CancelAction = Literal["interrupt", "rollback"]
# What the thread's `error` says after a run was cancelled mid-way (the official wording).
USER_INTERRUPT = {
    "error": "UserInterrupt",
    "message": "interrupt requested via POST /threads/{thread_id}/runs/{run_id}/cancel",
}


@dataclass
class ActiveRun:
    """A run executing in this process, and why it is being cancelled, if it is."""

    run: Run
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    reason: CancelAction | None = None
    done: anyio.Event = field(default_factory=anyio.Event)
    api_url: str = ""

    def cancel(self, action: CancelAction) -> None:
        self.reason = self.reason or action
        self.scope.cancel()


@dataclass(frozen=True)
class Finished:
    """How a run ended and what `wait`/`join` answer for it."""

    outcome: Outcome
    output: Any


class Executor:
    def __init__(
        self,
        storage: Storage,
        graphs: GraphRegistry,
        state: StateService,
        broker: Broker,
        timeout: float | None,
        api_url: str = "",
        *,
        agent_nodes: tuple[str, ...] = (),
        status_field: str | None = None,
        max_retries: int = 0,
    ) -> None:
        self.api_url = api_url
        self.storage = storage
        self.graphs = graphs
        self.state = state
        self.broker = broker
        self.timeout = timeout
        self.agent_nodes = agent_nodes
        self.status_field = status_field
        self.max_retries = max_retries

    async def execute(self, active: ActiveRun) -> Finished:
        run = active.run
        self.broker.publish(run["run_id"], _metadata(run, 1).encode())
        config = graph_config(run, active.api_url or self.api_url)
        try:
            async with self.graphs.resolve(config["configurable"]["graph_id"], config) as graph:
                meter = UsageMeter()
                outcome, error = await self._drive(graph, active, config, meter)
                return await self._finish(run, graph, outcome, error, config, meter)
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                await self._requeue(run)
            raise
        except Exception as exc:  # the graph could not even be built
            logger.exception("run %s failed before it started", run["run_id"])
            self.broker.publish(run["run_id"], error_event(exc).encode())
            await self._set_status(run, Outcome.ERROR, config)
            await self.storage.update_thread(run["thread_id"], {"status": "error"})
            return Finished(Outcome.ERROR, {"__error__": error_event(exc).data})

    async def _drive(
        self, graph: Pregel, active: ActiveRun, config: RunnableConfig, meter: UsageMeter
    ) -> tuple[Outcome, Any]:
        run, publish = active.run, self.broker.publish
        deadline = math.inf if self.timeout is None else anyio.current_time() + self.timeout
        failure: Exception | None = None
        async with anyio.create_task_group() as tg:
            active.scope = tg.cancel_scope
            tg.cancel_scope.deadline = deadline
            if active.reason is not None:
                tg.cancel_scope.cancel()
            try:
                options = stream_options(run, self.agent_nodes, self.status_field, meter)
                attempt = partial(self._attempt, graph, run, config, options)
                async for event in with_retries(attempt, self.max_retries):
                    if not (run["kwargs"]["temporary"] and _is_checkpoint(event)):
                        publish(run["run_id"], event.encode())
                    # Let readers drain between events: a graph can emit thousands at once.
                    await anyio.lowlevel.checkpoint()
            except Exception as exc:  # astream_run has already published the error event
                failure = exc
        if failure is not None:
            return Outcome.ERROR, error_event(failure).data
        if active.reason == "rollback":
            return Outcome.ROLLED_BACK, None
        if active.reason == "interrupt":
            return Outcome.INTERRUPTED, USER_INTERRUPT
        if active.scope.cancelled_caught:
            timed_out = error_event(TimeoutError(f"Run exceeded {self.timeout} seconds"))
            publish(run["run_id"], timed_out.encode())
            return Outcome.TIMEOUT, timed_out.data
        return Outcome.SUCCESS, None

    async def _attempt(
        self,
        graph: Pregel,
        run: Run,
        config: RunnableConfig,
        options: StreamOptions,
        number: int,
    ) -> AsyncIterator[StreamEvent]:
        """Attempt 1 runs the request; a retry announces itself with a new `metadata` event and
        continues the thread from its last checkpoint (input None, as a resume)."""
        if number == 1:
            kwargs = run["kwargs"]
            events = astream_run(
                graph,
                input=kwargs["input"],
                config=config,
                options=options,
                command=kwargs["command"],
            )
        else:
            yield _metadata(run, number)
            events = astream_run(
                graph, input=None, config=retry_config(config, number), options=options
            )
        async for event in events:
            yield event

    async def _finish(
        self,
        run: Run,
        graph: Pregel,
        outcome: Outcome,
        error: Any,
        config: RunnableConfig,
        meter: UsageMeter,
    ) -> Finished:
        """Record the outcome on the run and the thread, and compute the run's output."""
        thread_id = run["thread_id"]
        snapshot = await self._settle(run, graph, outcome, config, meter)
        output: Any = plain(snapshot.values) if snapshot.created_at else None
        if outcome is Outcome.ERROR or outcome is Outcome.TIMEOUT:
            output = {"__error__": error}
        elif snapshot.interrupts and isinstance(output, dict):
            output["__interrupt__"] = plain(list(snapshot.interrupts))
        if run["kwargs"]["temporary"]:
            await self.storage.delete_thread(thread_id)
            await self.state.threads.checkpointer.adelete_thread(thread_id)
        else:
            await self.state.sync_thread(thread_id, graph, outcome, error)
        return Finished(outcome, output)

    async def _settle(
        self, run: Run, graph: Pregel, outcome: Outcome, config: RunnableConfig, meter: UsageMeter
    ) -> StateSnapshot:
        """Forget a rolled-back run, or record how it ended (its usage before its status, so
        whoever sees it finished sees its usage too); the thread's state after it."""
        thread_id = run["thread_id"]
        if outcome is Outcome.ROLLED_BACK:
            await self.storage.delete_run(thread_id, run["run_id"])
            await forget_run_checkpoints(self.state.threads.checkpointer, thread_id, run["run_id"])
            return await graph.aget_state(thread_config(thread_id))
        snapshot = await graph.aget_state(thread_config(thread_id))
        tokens = meter.tokens(snapshot.values)
        if tokens is not None:
            await self.storage.set_run_usage(run["run_id"], tokens)
        await self._set_status(run, outcome, config)
        return snapshot

    async def _set_status(self, run: Run, outcome: Outcome, config: RunnableConfig) -> None:
        """Record the outcome, and the config the run really executed with, as upstream."""
        status = check_transition("running", RUN_STATUS_AFTER[outcome])
        executed = {k: v for k, v in config.items() if k != "run_name"}
        executed["configurable"] = {**config["configurable"], "__pregel_node_finished": None}
        kwargs = {**run["kwargs"], "config": executed}
        await self.storage.update_run(
            run["run_id"], {"status": status, "kwargs": kwargs, "updated_at": now_iso()}
        )

    async def _requeue(self, run: Run) -> None:
        """Shutdown: hand the run back to the queue so the next start resumes it."""
        status = check_transition("running", "pending")
        await self.storage.update_run(run["run_id"], {"status": status, "updated_at": now_iso()})


def _metadata(run: Run, attempt: int) -> StreamEvent:
    """The first event of every attempt: which run, and which try of it."""
    return StreamEvent("metadata", {"run_id": run["run_id"], "attempt": attempt})


def _is_checkpoint(event: StreamEvent) -> bool:
    """Temporary (stateless) runs keep no history, so upstream streams no checkpoints."""
    mode = event.event.partition("|")[0]
    if mode == "checkpoints":
        return True
    data = event.data if mode == "debug" and isinstance(event.data, dict) else {}
    return data.get("type") == "checkpoint"
