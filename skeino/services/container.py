"""The services one app runs, wired together once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.store.base import BaseStore

from skeino.graphs import GraphRegistry
from skeino.runs.broker import Broker
from skeino.runs.executor import Executor
from skeino.runs.manager import RunManager
from skeino.services.assistants import AssistantService
from skeino.services.crons import CronService
from skeino.services.introspection import IntrospectionService
from skeino.services.state import StateService
from skeino.services.store import StoreService
from skeino.services.threads import ThreadService
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
    broker: Broker
    runs: RunManager
    store: StoreService
    crons: CronService

    @classmethod
    def build(
        cls,
        settings: SkeinoSettings,
        storage: Storage,
        checkpointer: BaseCheckpointSaver[Any],
        graphs: GraphRegistry,
        store: BaseStore,
    ) -> Services:
        assistants = AssistantService(storage, graphs)
        threads = ThreadService(storage, checkpointer)
        state = StateService(threads, graphs)
        broker = Broker(settings.subscriber_buffer)
        executor = Executor(
            storage,
            graphs,
            state,
            broker,
            settings.run_timeout_seconds,
            settings.api_url,
            agent_nodes=settings.agent_nodes,
            status_field=settings.status_field,
            max_retries=settings.max_stream_retries,
        )
        runs = RunManager(storage, assistants, threads, executor, broker)
        return cls(
            settings=settings,
            storage=storage,
            checkpointer=checkpointer,
            graphs=graphs,
            assistants=assistants,
            introspection=IntrospectionService(assistants, graphs),
            threads=threads,
            state=state,
            broker=broker,
            runs=runs,
            store=StoreService(store),
            crons=CronService.build(settings.database_uri, assistants, runs),
        )
