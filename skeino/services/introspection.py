"""What Studio shows of a graph: its drawing, its schemas and its subgraphs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel

from skeino.auth.authorize import Access
from skeino.errors import InvalidInput, NotFound
from skeino.graphs import GraphRegistry
from skeino.services.assistants import AssistantService
from skeino.storage.base import Assistant

logger = logging.getLogger("skeino.graphs")


def _schema(make: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
    """A schema, or None when the graph's types cannot be described (as upstream answers)."""
    try:
        return make()
    except Exception as exc:
        logger.debug("schema unavailable: %s", exc)
        return None


def _state_schema(graph: Pregel, title: str) -> dict[str, Any] | None:
    """Every state channel as an optional property (the base Pregel view, not the input
    TypedDict, which pydantic cannot always describe)."""
    schema = _schema(lambda: Pregel.get_output_jsonschema(graph))
    if schema is not None:
        schema["title"] = title
    return schema


SERVER_SET = (
    "__pregel_checkpointer",
    "__pregel_store",
    "checkpoint_id",
    "checkpoint_ns",
    "thread_id",
)


def _config_schema(graph: Pregel) -> dict[str, Any]:
    """What may go in `configurable`: since LangGraph 1.0 the runtime context's schema, less
    the keys the server sets; `{}` without one. The official server answers this, not the
    whole RunnableConfig's schema."""
    schema = _schema(graph.get_context_jsonschema) if graph.context_schema else None
    if not schema:
        return {}
    properties = schema.get("properties", {})
    return {**schema, "properties": {k: v for k, v in properties.items() if k not in SERVER_SET}}


def schemas_of(graph_id: str, graph: Pregel, title: str) -> dict[str, Any]:
    return {
        "graph_id": graph_id,
        "input_schema": _schema(graph.get_input_jsonschema),
        "output_schema": _schema(graph.get_output_jsonschema),
        "state_schema": _state_schema(graph, title),
        "config_schema": _config_schema(graph),
        "context_schema": _schema(graph.get_context_jsonschema) if graph.context_schema else None,
    }


def drawing_of(graph: Pregel, xray: bool | int) -> dict[str, Any]:
    """Nodes and edges, with node data trimmed to the name as the official server sends it."""
    drawn = graph.get_graph(xray=xray).to_json()
    for node in drawn["nodes"]:
        data = node.get("data")
        if isinstance(data, dict) and "name" in data:
            node["data"] = {"name": data["name"]}
    return drawn


class IntrospectionService:
    def __init__(self, assistants: AssistantService, graphs: GraphRegistry) -> None:
        self.assistants = assistants
        self.graphs = graphs

    def _config(self, assistant: Assistant) -> RunnableConfig:
        return {"configurable": {**assistant["config"].get("configurable", {})}}

    async def graph(
        self, assistant_id: str, xray: bool | int, access: Access | None = None
    ) -> dict[str, Any]:
        if isinstance(xray, int) and not isinstance(xray, bool) and xray < 0:
            raise InvalidInput("xray must be a boolean or a non-negative integer")
        assistant = await self.assistants.resolve(assistant_id, access)
        async with self.graphs.resolve(assistant["graph_id"], self._config(assistant)) as graph:
            return drawing_of(graph, xray)

    async def schemas(self, assistant_id: str, access: Access | None = None) -> dict[str, Any]:
        assistant = await self.assistants.get(assistant_id, access)
        async with self.graphs.resolve(assistant["graph_id"], self._config(assistant)) as graph:
            return schemas_of(assistant["graph_id"], graph, f"{assistant['graph_id']}_state")

    async def subgraphs(
        self,
        assistant_id: str,
        namespace: str | None,
        recurse: bool,
        access: Access | None = None,
    ) -> dict[str, Any]:
        assistant = await self.assistants.get(assistant_id, access)
        async with self.graphs.resolve(assistant["graph_id"], self._config(assistant)) as graph:
            # subgraphs are typed PregelProtocol; only a RemoteGraph node is not a Pregel, and
            # schemas_of does not support one (it fails on `context_schema`)
            found = {
                ns: schemas_of(assistant["graph_id"], cast(Pregel, sub), f"{sub.get_name()}State")
                async for ns, sub in graph.aget_subgraphs(namespace=namespace, recurse=recurse)
            }
        if namespace is not None and not found:
            raise NotFound(f"Subgraph '{namespace}' not found")
        for entry in found.values():
            entry.pop("graph_id")
        return found
