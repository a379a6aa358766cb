"""The services one app runs, wired together once at start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
from langgraph.checkpoint.base import BaseCheckpointSaver

from skeino.auth.authorize import Authorizer
from skeino.backend import Backend, Signals
from skeino.clock import Clock
from skeino.graphs import GraphRegistry
from skeino.runs.broker import Broker
from skeino.runs.bus import Bus
from skeino.runs.executor import Executor
from skeino.runs.manager import RunManager
from skeino.runs.relay import EventRelay
from skeino.runs.webhook import Webhooks
from skeino.runs.worker import QueueSettings, Worker, new_worker_id
from skeino.services.assistants import AssistantService
from skeino.services.crons import CronService
from skeino.services.introspection import IntrospectionService
from skeino.services.metrics import MetricsService
from skeino.services.state import StateService
from skeino.services.store import StoreService
from skeino.services.thread_feed import ThreadFeeds
from skeino.services.thread_streams import ThreadStreams
from skeino.services.threads import ThreadService
from skeino.services.ttl import Sweeper, ThreadTtl
from skeino.settings import SkeinoSettings
from skeino.storage.base import Storage


@dataclass(frozen=True)
class Services:
    settings: SkeinoSettings
    storage: Storage
    checkpointer: BaseCheckpointSaver[Any]
    graphs: GraphRegistry
    assistants: AssistantService
    introspection: IntrospectionService
    threads: ThreadService
    state: StateService
    bus: Bus
    worker: Worker
    runs: RunManager
    store: StoreService
    crons: CronService
    metrics: MetricsService
    sweeper: Sweeper
    thread_streams: ThreadStreams
    signals: Signals | None = None

    @classmethod
    def build(
        cls,
        settings: SkeinoSettings,
        backend: Backend,
        graphs: GraphRegistry,
        clock: Clock,
        authorizer: Authorizer | None = None,
    ) -> Services:
        storage = backend.storage
        assistants = AssistantService(storage, graphs)
        threads = ThreadService(
            storage, backend.checkpointer, ThreadTtl(storage, clock, settings.thread_ttl)
        )
        state = StateService(threads, graphs)
        relay = None
        if backend.events is not None:
            relay = EventRelay(
                backend.events, settings.poll_seconds, settings.event_retention_seconds
            )
        bus = Bus(Broker(settings.subscriber_buffer), relay)
        executor = Executor(
            storage,
            graphs,
            state,
            bus,
            settings.run_timeout_seconds,
            settings.api_url,
            agent_nodes=settings.agent_nodes,
            status_field=settings.status_field,
            max_retries=settings.max_stream_retries,
        )
        queue = QueueSettings(
            worker_id=settings.worker_id or new_worker_id(),
            lease_seconds=settings.lease_seconds,
            poll_seconds=settings.poll_seconds,
            max_attempts=settings.max_attempts,
            webhooks="webhooks" not in settings.disabled,
            jobs=settings.jobs_per_worker,
        )
        worker = Worker(storage, executor, bus, clock, queue, Webhooks(settings.webhooks))
        sweeper = Sweeper(
            storage,
            backend.checkpointer,
            backend.store,
            clock,
            queue.worker_id,
            settings.thread_ttl,
            settings.store_ttl,
        )
        runs = RunManager(storage, assistants, threads, worker, bus)
        return cls(
            settings=settings,
            storage=storage,
            checkpointer=backend.checkpointer,
            graphs=graphs,
            assistants=assistants,
            introspection=IntrospectionService(assistants, graphs),
            threads=threads,
            state=state,
            bus=bus,
            worker=worker,
            runs=runs,
            store=StoreService(backend.store),
            metrics=MetricsService(storage, worker.active, worker.tally, bus.broker),
            crons=CronService(backend.crons, assistants, runs, authorizer),
            sweeper=sweeper,
            thread_streams=ThreadStreams(
                threads, state, ThreadFeeds(storage, bus, settings.poll_seconds)
            ),
            signals=backend.signals,
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Services]:
        """The background work: the bus's log writer, the queue's worker, the cron scheduler,
        and what other processes signal."""
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(self.bus.running())
            await stack.enter_async_context(self.worker.running())
            await stack.enter_async_context(self.crons.running())
            await stack.enter_async_context(self.sweeper.running())
            tg = await stack.enter_async_context(anyio.create_task_group())
            stack.callback(tg.cancel_scope.cancel)
            if self.signals is not None:
                tg.start_soon(self._hear, self.signals)
            yield self

    async def _hear(self, signals: Signals) -> None:
        """Wake what waits for a signal now instead of at its next poll."""
        async for kind, key in signals.signals():
            if kind in ("queued", "cancel"):
                self.worker.poke()
            elif kind == "events" and self.bus.relay is not None:
                self.bus.relay.wake(key)
            elif kind == "ended" and key not in self.worker.active:  # local ends carry output
                self.bus.broker.heard_end(key)
