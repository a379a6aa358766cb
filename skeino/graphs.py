"""The graphs a server serves: compiled graphs, builders, or factories, resolved per use.

`langgraph.json` lets a graph be a compiled graph, an uncompiled `StateGraph`, or a factory
(sync or async, taking nothing or a `RunnableConfig`, returning either of the former or an
async context manager of one). Every use gets the server's checkpointer and store attached.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import StateGraph
from langgraph.pregel import Pregel
from langgraph.store.base import BaseStore

from skeino.errors import NotFound

if TYPE_CHECKING:
    from typing_extensions import TypeIs

GraphSource = Pregel | StateGraph | Callable[..., Any]


def _is_factory(source: object) -> TypeIs[Callable[..., Any]]:
    return callable(source) and not isinstance(source, Pregel | StateGraph)


class GraphRegistry:
    """Graph id → source; `resolve` yields a graph wired to our persistence."""

    def __init__(
        self,
        sources: Mapping[str, GraphSource],
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        store: BaseStore | None = None,
    ) -> None:
        for graph_id, source in sources.items():
            if not isinstance(source, Pregel | StateGraph) and not callable(source):
                raise TypeError(
                    f"graph {graph_id!r}: expected a graph or a factory, got {source!r}"
                )
        self.sources = dict(sources)
        self.checkpointer = checkpointer
        self.store = store
        self._compiled: dict[str, Pregel] = {}

    def __contains__(self, graph_id: object) -> bool:
        return graph_id in self.sources

    def ids(self) -> list[str]:
        return list(self.sources)

    def is_factory(self, graph_id: str) -> bool:
        return _is_factory(self.sources[graph_id])

    @asynccontextmanager
    async def resolve(
        self, graph_id: str, config: RunnableConfig | None = None
    ) -> AsyncIterator[Pregel]:
        """The graph for one use (a run, a state read), factories called afresh each time."""
        if graph_id not in self.sources:
            raise NotFound(f"Graph '{graph_id}' not found")
        source = self.sources[graph_id]
        if not _is_factory(source):
            yield self._static(graph_id, source)
            return
        made = source(config or {}) if _wants_config(source) else source()
        if inspect.isawaitable(made):
            made = await made
        if isinstance(made, AbstractAsyncContextManager):
            async with made as graph:
                yield self._attach(graph)
        elif isinstance(made, AbstractContextManager):
            with made as graph:
                yield self._attach(graph)
        else:
            yield self._attach(made)

    def _static(self, graph_id: str, source: Pregel | StateGraph) -> Pregel:
        if graph_id not in self._compiled:
            self._compiled[graph_id] = self._attach(source)
        return self._compiled[graph_id]

    def _attach(self, graph: Any) -> Pregel:
        if isinstance(graph, StateGraph):
            return graph.compile(checkpointer=self.checkpointer, store=self.store)
        if not isinstance(graph, Pregel):
            raise TypeError(f"a graph factory returned {type(graph).__name__}, not a graph")
        return graph.copy(update={"checkpointer": self.checkpointer, "store": self.store})


def _wants_config(factory: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False
    return len(params) > 0
