"""Execute one claimed run: stream its graph onto the bus and record how it ended.

Each run executes in its own task group whose cancel scope is the run's handle: `cancel`
sets the reason (interrupt or rollback) and cancels that scope; a timeout is a deadline on
it; a server shutdown cancels it from outside, and the run goes back to the queue, so a
worker (here or in another process) resumes it from its last checkpoint. A run whose lease
is lost (taken over, or not renewed in time) is stopped and handed back to the queue if the
lease is still its own; what another worker holds is never written over.

How a run ended is recorded as one lifecycle transition, conditioned on this worker still
holding the run: the run's status, output and config together with its thread's mirror of
the last checkpoint, and its last stream events for the log: readers in other processes
that see it ended have all of them.

Opt-in extras from the settings: `values` folding (see `folding`), retries after transient
failures (see `retry`), and the run's token usage (see `usage`), recorded beside the run.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Literal

import anyio
from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel

from skeino.graphs import GraphRegistry
from skeino.ids import now_iso
from skeino.lifecycle import (
    EVENT_OF,
    Event,
    Outcome,
    ThreadView,
    thread_status_after,
    transition,
)
from skeino.runs.bus import Bus
from skeino.runs.config import PROTOCOL_KEY, graph_config, retry_config, stream_options
from skeino.runs.events import StreamEvent
from skeino.runs.retry import with_retries
from skeino.runs.rollback import forget_run_checkpoints
from skeino.runs.stream import StreamOptions, astream_run, error_event
from skeino.runs.usage import UsageMeter
from skeino.services.snapshots import interrupt_json, plain
from skeino.services.state import StateService, thread_config, thread_mirror
from skeino.storage.base import CancelAction, Claim, Run, RunChange, Storage

logger = logging.getLogger("skeino.runs")

StopReason = CancelAction | Literal["lost"]
# A graph can emit thousands of events without ever waiting. The run lets the loop turn
# after this many (sooner when a reader's buffer is half full): readers drain them in one
# batch, other tasks are not starved, and a cancel lands within that many events.
EVENTS_PER_TURN = 256
# What the thread's `error` says after a run was cancelled mid-way (the official wording).
USER_INTERRUPT = {
    "error": "UserInterrupt",
    "message": "interrupt requested via POST /threads/{thread_id}/runs/{run_id}/cancel",
}


@dataclass
class ActiveRun:
    """A run executing in this process, and why it is being stopped, if it is: a cancel
    (interrupt or rollback), or its lease lost to another worker."""

    claim: Claim
    worker_id: str
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    reason: StopReason | None = None
    held_until: float = 0.0
    """Until when its lease is known to hold (from the claim, then each renewal)."""

    def __post_init__(self) -> None:
        self.reason = self.claim.cancel
        self.held_until = self.claim.lease_until

    @property
    def run(self) -> Run:
        return self.claim.run

    def cancel(self, reason: StopReason) -> None:
        self.reason = self.reason or reason
        self.scope.cancel()


class LeaseLost(Exception):
    """The run's lease passed to another worker while this one still executed it."""


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
        bus: Bus,
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
        self.bus = bus
        self.timeout = timeout
        self.agent_nodes = agent_nodes
        self.status_field = status_field
        self.max_retries = max_retries

    async def execute(self, active: ActiveRun) -> Finished | None:
        """Run it to its end and record that; None when the run was taken over."""
        run = active.run
        self.bus.publish(run["run_id"], _metadata(run, 1).encode())
        config = graph_config(run, active.claim.api_url or self.api_url)
        try:
            async with self.graphs.resolve(config["configurable"]["graph_id"], config) as graph:
                meter = UsageMeter()
                resume = await self._resumes(graph, active)
                outcome, error = await self._drive(graph, active, config, meter, resume)
                return await self._finish(active, graph, outcome, error, config, meter)
        except LeaseLost:
            # back to the queue at once if the lease is still this worker's (it could not be
            # renewed in time); a no-op when another worker holds the run already
            await self._record(active, RunChange(transition(Event.REQUEUE)))
            return None
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                await self._record(active, RunChange(transition(Event.REQUEUE)))
            raise
        except Exception as exc:  # the graph could not even be built
            logger.exception("run %s failed before it started", run["run_id"])
            self.bus.publish(run["run_id"], error_event(exc).encode())
            output = {"__error__": error_event(exc).data}
            status = thread_status_after(Outcome.ERROR, ThreadView(False, False))
            thread = {"status": status, "updated_at": now_iso()}
            change = self._ended(run, Outcome.ERROR, config, thread, output)
            await self._record(active, change)
            return Finished(Outcome.ERROR, output)

    async def _resumes(self, graph: Pregel, active: ActiveRun) -> bool:
        """A run taken again after its worker stopped continues from its own last checkpoint
        (no step is run twice); if it never wrote one, it starts over with its input."""
        if active.claim.attempt == 1:
            return False
        snapshot = await graph.aget_state(thread_config(active.run["thread_id"]))
        return (snapshot.metadata or {}).get("run_id") == active.run["run_id"]

    async def _drive(
        self,
        graph: Pregel,
        active: ActiveRun,
        config: RunnableConfig,
        meter: UsageMeter,
        resume: bool,
    ) -> tuple[Outcome, Any]:
        run, publish = active.run, self.bus.publish
        deadline = math.inf if self.timeout is None else anyio.current_time() + self.timeout
        failure: Exception | None = None
        async with anyio.create_task_group() as tg:
            active.scope = tg.cancel_scope
            tg.cancel_scope.deadline = deadline
            if active.reason is not None:
                tg.cancel_scope.cancel()
            try:
                options = stream_options(run, self.agent_nodes, self.status_field, meter)
                attempt = partial(self._attempt, graph, run, config, options, resume)
                unyielded = 0
                async for event in with_retries(attempt, self.max_retries):
                    backlogged = False
                    if not (run["kwargs"]["temporary"] and _is_checkpoint(event)):
                        backlogged = publish(run["run_id"], event.encode())
                    unyielded += 1
                    if backlogged or unyielded >= EVENTS_PER_TURN:
                        unyielded = 0
                        await anyio.lowlevel.checkpoint()
            except Exception as exc:  # astream_run has already published the error event
                failure = exc
        if failure is not None:
            # clients may see only the class name of the failure; operators see it all here
            logger.warning("run %s failed", run["run_id"], exc_info=failure)
            return Outcome.ERROR, error_event(failure).data
        if active.reason == "lost":
            raise LeaseLost(run["run_id"])
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
        resume: bool,
        number: int,
    ) -> AsyncIterator[StreamEvent]:
        """Attempt 1 runs the request (or resumes a run taken over from a stopped worker); a
        retry announces itself with a new `metadata` event and continues the thread from its
        last checkpoint (input None, as a resume)."""
        if number == 1 and not resume:
            kwargs = run["kwargs"]
            events = astream_run(
                graph,
                input=kwargs["input"],
                config=config,
                options=options,
                command=kwargs["command"],
            )
        else:
            if number > 1:
                yield _metadata(run, number)
            events = astream_run(
                graph, input=None, config=retry_config(config, number), options=options
            )
        async for event in events:
            yield event

    async def _finish(
        self,
        active: ActiveRun,
        graph: Pregel,
        outcome: Outcome,
        error: Any,
        config: RunnableConfig,
        meter: UsageMeter,
    ) -> Finished:
        """Record the outcome on the run and the thread together; the run's output."""
        run = active.run
        thread_id = run["thread_id"]
        if outcome is Outcome.ROLLED_BACK:
            await forget_run_checkpoints(self.state.threads.checkpointer, thread_id, run["run_id"])
        snapshot = await graph.aget_state(thread_config(thread_id))
        output: Any = plain(snapshot.values) if snapshot.created_at else None
        if outcome is Outcome.ERROR or outcome is Outcome.TIMEOUT:
            output = {"__error__": error}
        elif snapshot.interrupts and config["configurable"].get(PROTOCOL_KEY):
            # a thread-protocol run stopped at an interrupt answers only those, as upstream
            output = {"__interrupt__": [plain(interrupt_json(i)) for i in snapshot.interrupts]}
        elif snapshot.interrupts and isinstance(output, dict):
            output["__interrupt__"] = plain(list(snapshot.interrupts))
        tokens = meter.tokens(snapshot.values)
        if tokens is not None:  # before the status, so whoever sees it ended sees its usage
            await self.storage.set_run_usage(run["run_id"], tokens)
        temporary = run["kwargs"]["temporary"]
        thread = None if temporary else thread_mirror(snapshot, outcome, error)
        await self._record(active, self._ended(run, outcome, config, thread, output))
        if temporary:
            await self.storage.delete_thread(thread_id)
            await self.state.threads.checkpointer.adelete_thread(thread_id)
        return Finished(outcome, output)

    def _ended(
        self,
        run: Run,
        outcome: Outcome,
        config: RunnableConfig,
        thread: dict[str, Any] | None,
        output: Any,
    ) -> RunChange:
        """How the run ended, and the config it really executed with, as upstream shows."""
        executed = {k: v for k, v in config.items() if k not in ("run_name", "run_id")}
        executed["configurable"] = {**config["configurable"], "__pregel_node_finished": None}
        fields = {"kwargs": {**run["kwargs"], "config": executed}, "updated_at": now_iso()}
        return RunChange(transition(EVENT_OF[outcome]), fields, thread, output)

    async def _record(self, active: ActiveRun, change: RunChange) -> None:
        """Apply the change if this worker still holds the run, with its last events."""
        events = await self.bus.take(active.run["run_id"])
        held = replace(change, worker_id=active.worker_id, events=events)
        if await self.storage.change_run(active.run["run_id"], held) is None:
            logger.info(
                "run %s: %s not recorded, the run is no longer this worker's",
                active.run["run_id"],
                change.transition.event.value,
            )


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
