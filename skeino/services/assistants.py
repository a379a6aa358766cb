"""Assistants: configured, versioned instances of the served graphs."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from skeino.auth.authorize import Access, check
from skeino.auth.filters import matches, scoped_search
from skeino.errors import Conflict, InvalidInput, NotFound
from skeino.graphs import GraphRegistry
from skeino.http.validation import UNSET
from skeino.ids import is_uuid, now_iso, system_assistant_id
from skeino.models.assistants import (
    AssistantCount,
    AssistantCreate,
    AssistantPatch,
    AssistantSearch,
    AssistantVersionsSearch,
)
from skeino.models.common import check_configurable_or_context
from skeino.services.paging import Paged, select
from skeino.storage.base import Assistant, AssistantQuery, AssistantVersion, Page, Storage


class AssistantService:
    def __init__(self, storage: Storage, graphs: GraphRegistry) -> None:
        self.storage = storage
        self.graphs = graphs

    async def create_system_assistants(
        self, configs: Mapping[str, dict[str, Any]] | None = None
    ) -> None:
        """One assistant per graph, with the id the official server derives from the graph id
        and the graph's default config from `configs` (`LANGGRAPH_CONFIG`, by graph id)."""
        for graph_id in self.graphs.ids():
            config, context = _with_context(dict((configs or {}).get(graph_id) or {}), {})
            await self.storage.create_assistant(
                self._record(
                    system_assistant_id(graph_id),
                    graph_id,
                    config,
                    context,
                    {"created_by": "system"},
                    graph_id,
                    None,
                )
            )

    def _record(
        self,
        assistant_id: str,
        graph_id: str,
        config: dict[str, Any],
        context: dict[str, Any],
        metadata: dict[str, Any],
        name: str,
        description: str | None,
    ) -> Assistant:
        now = now_iso()
        return Assistant(
            assistant_id=assistant_id,
            graph_id=graph_id,
            config=config,
            context=context,
            metadata=metadata,
            name=name,
            description=description,
            version=1,
            created_at=now,
            updated_at=now,
        )

    def _check_graph(self, graph_id: str) -> None:
        if graph_id not in self.graphs:
            raise NotFound(
                f"Graph '{graph_id}' not found. Expected one of: {sorted(self.graphs.ids())}"
            )

    async def create(self, body: AssistantCreate, access: Access | None = None) -> Assistant:
        """Create an assistant; an `assistants.create` handler may rewrite its metadata."""
        self._check_graph(body.graph_id)
        check_configurable_or_context(body.config, body.context)
        assistant_id = body.assistant_id or str(uuid.uuid4())
        metadata = body.metadata
        if access is not None:
            value: dict[str, Any] = {
                "assistant_id": assistant_id,
                "graph_id": body.graph_id,
                "config": body.config,
                "context": body.context or None,
                "metadata": dict(metadata),
                "name": body.name or "Untitled",
            }
            await access.check("assistants", "create", value)
            metadata = value.get("metadata") or {}
        config, context = _with_context(body.config, body.context)
        record = self._record(
            assistant_id,
            body.graph_id,
            config,
            context,
            metadata,
            body.name or "Untitled",
            body.description,
        )
        created = await self.storage.create_assistant(record)
        if created is not None:
            return created
        if body.if_exists == "do_nothing":
            return await self.get(assistant_id, access)
        raise Conflict(f"Assistant {assistant_id} already exists")

    async def get(self, assistant_id: str, access: Access | None = None) -> Assistant:
        """The assistant; one the caller may not read is missing, as for the official server."""
        return await self.visible(assistant_id, "read", {"assistant_id": assistant_id}, access)

    async def visible(
        self,
        assistant_id: str,
        action: str,
        value: dict[str, Any],
        access: Access | None,
        missing: str = "Not Found",
    ) -> Assistant:
        """The assistant, once `assistants.<action>` allows `value` and its filter passes."""
        auth_filter = await check(access, "assistants", action, value)
        found = await self.storage.get_assistant(assistant_id)
        if found is None or not matches(found["metadata"], auth_filter):
            raise NotFound(missing)
        return found

    async def resolve(self, assistant_id_or_graph: str, access: Access | None = None) -> Assistant:
        """Runs and `/graph` accept a graph id where an assistant id is expected; the graph's
        own assistant is everyone's, by either name (a cron keeps the id), so only another
        assistant is checked against `access`."""
        if not is_uuid(assistant_id_or_graph) and assistant_id_or_graph in self.graphs:
            return await self.get(system_assistant_id(assistant_id_or_graph))
        if any(assistant_id_or_graph == system_assistant_id(g) for g in self.graphs.ids()):
            return await self.get(assistant_id_or_graph)
        return await self.get(assistant_id_or_graph, access)

    def check_run_target(self, assistant_id: str) -> None:
        """A run names an assistant by UUID or a graph by id; anything else is refused with
        the choices before any lookup (422, not 404), as on the official server."""
        if not is_uuid(assistant_id) and assistant_id not in self.graphs:
            raise InvalidInput(
                f"Invalid assistant: '{assistant_id}'. Must be either:\n"
                "- A valid assistant UUID, or\n"
                f"- One of the registered graphs: {', '.join(self.graphs.ids())}"
            )

    async def patch(
        self, assistant_id: str, body: AssistantPatch, access: Access | None = None
    ) -> Assistant:
        check_configurable_or_context(body.config, body.context)
        current, metadata = await self._updatable(assistant_id, body, access)
        if body.graph_id is not None:
            self._check_graph(body.graph_id)
        changes: dict[str, Any] = {
            k: v
            for k, v in (
                ("graph_id", body.graph_id),
                ("config", body.config),
                ("context", body.context),
                ("name", body.name),
            )
            if v is not None
        }
        if metadata is not None:
            changes["metadata"] = {**current["metadata"], **metadata}
        if body.description is not UNSET:
            changes["description"] = body.description
        updated = await self.storage.add_assistant_version(assistant_id, changes, now_iso())
        if updated is None:
            raise NotFound(f"Assistant '{assistant_id}' not found")
        return updated

    async def _updatable(
        self, assistant_id: str, body: AssistantPatch, access: Access | None
    ) -> tuple[Assistant, dict[str, Any] | None]:
        """The assistant to patch and the metadata to merge (an `assistants.update` handler
        may rewrite it)."""
        if access is None:
            return await self.get(assistant_id), body.metadata
        value: dict[str, Any] = {
            "assistant_id": assistant_id,
            "graph_id": body.graph_id,
            "config": body.config or {},
            "context": body.context,
            "metadata": dict(body.metadata or {}),
            "name": body.name,
        }
        current = await self.visible(assistant_id, "update", value, access)
        return current, value.get("metadata") or body.metadata

    async def delete(self, assistant_id: str, access: Access | None = None) -> None:
        missing = f"Assistant with ID {assistant_id} not found"
        if access is not None:
            value = {"assistant_id": assistant_id}
            await self.visible(assistant_id, "delete", value, access, missing)
        if not await self.storage.delete_assistant(assistant_id):
            raise NotFound(missing)

    async def search(
        self, body: AssistantSearch, access: Access | None = None
    ) -> Paged[dict[str, Any]]:
        query = AssistantQuery(metadata=body.metadata, graph_id=body.graph_id, name=body.name)
        page = Page(body.limit, body.offset, body.sort_by, body.sort_order)
        rows, total = await self._search(query, page, body.limit, body.offset, access)
        return Paged(select(rows, list(body.select or [])), body.offset, total)  # type: ignore[arg-type]

    async def count(self, body: AssistantCount, access: Access | None = None) -> int:
        query = AssistantQuery(metadata=body.metadata, graph_id=body.graph_id, name=body.name)
        _, total = await self._search(query, Page(limit=1), 0, 0, access)
        return total

    async def _search(
        self, query: AssistantQuery, page: Page, limit: int, offset: int, access: Access | None
    ) -> tuple[list[Assistant], int]:
        """A search narrowed to what `assistants.search` lets the caller see."""
        value = {
            "graph_id": query.graph_id,
            "metadata": dict(query.metadata),
            "limit": limit,
            "offset": offset,
        }
        auth_filter = await check(access, "assistants", "search", value)

        async def search(metadata: dict[str, Any], page: Page) -> tuple[list[Assistant], int]:
            return await self.storage.search_assistants(replace(query, metadata=metadata), page)

        return await scoped_search(search, query.metadata, auth_filter, page)

    async def versions(
        self, assistant_id: str, body: AssistantVersionsSearch, access: Access | None = None
    ) -> list[AssistantVersion]:
        await self.get(assistant_id, access)
        return await self.storage.list_assistant_versions(
            assistant_id, body.metadata, body.limit, body.offset
        )

    async def set_latest(
        self, assistant_id: str, version: int, access: Access | None = None
    ) -> Assistant:
        value = {"assistant_id": assistant_id, "version": version}
        await self.visible(assistant_id, "update", value, access)
        updated = await self.storage.set_assistant_version(assistant_id, version, now_iso())
        if updated is None:
            raise NotFound(f"Version {version} of assistant '{assistant_id}' not found")
        return updated


def _with_context(
    config: dict[str, Any], context: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Config and context as the official server stores them: `config.configurable` and
    `context` each carry the other's keys, so clients may read either."""
    configurable = config.get("configurable", {})
    if not context and not configurable:
        return config, context
    return {**config, "configurable": {**configurable, **context}}, {**configurable, **context}
