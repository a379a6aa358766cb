"""The services one app runs, wired together once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from skeino.graphs import GraphRegistry
from skeino.services.assistants import AssistantService
from skeino.services.introspection import IntrospectionService
from skeino.services.state import StateService
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

    @classmethod
    def build(
        cls,
        settings: SkeinoSettings,
        storage: Storage,
        checkpointer: BaseCheckpointSaver[Any],
        graphs: GraphRegistry,
    ) -> Services:
        assistants = AssistantService(storage, graphs)
        threads = ThreadService(storage, checkpointer)
        return cls(
            settings=settings,
            storage=storage,
            checkpointer=checkpointer,
            graphs=graphs,
            assistants=assistants,
            introspection=IntrospectionService(assistants, graphs),
            threads=threads,
            state=StateService(threads, graphs),
        )
