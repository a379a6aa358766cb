"""Threads: the records that runs accumulate state on, with their checkpoints."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from skeino.auth.authorize import Access, check
from skeino.auth.filters import matches, scoped_search
from skeino.errors import Conflict, NotFound
from skeino.ids import now_iso, uuid7
from skeino.lifecycle import ACTIVE
from skeino.models.threads import ThreadCount, ThreadCreate, ThreadPatch, ThreadPrune, ThreadSearch
from skeino.services.checkpoints import copy_thread, keep_latest
from skeino.services.paging import Paged, select
from skeino.services.ttl import ThreadTtl
from skeino.storage.base import Page, Run, Storage, Thread, ThreadQuery
from skeino.storage.footprint import measure_for

PRUNE_REFUSED = "At least one thread not found or not authorized"


def new_thread(thread_id: str, metadata: dict[str, Any]) -> Thread:
    now = now_iso()
    return Thread(
        thread_id=thread_id,
        created_at=now,
        updated_at=now,
        state_updated_at=now,
        metadata=metadata,
        status="idle",
        config={},
        values=None,
        interrupts=None,
        error=None,
    )


class ThreadService:
    def __init__(
        self, storage: Storage, checkpointer: BaseCheckpointSaver[Any], ttl: ThreadTtl
    ) -> None:
        self.storage = storage
        self.checkpointer = checkpointer
        self.ttl = ttl

    async def in_flight(self, thread_id: str) -> list[Run]:
        """The thread's runs that are queued or executing (pending ones first)."""
        runs: list[Run] = []
        for status in ACTIVE:
            runs += await self.storage.list_runs(thread_id, status, 1000, 0)
        return runs

    async def create(self, body: ThreadCreate, access: Access | None = None) -> Thread:
        """Create a thread; a `threads.create` handler may rewrite its metadata."""
        thread_id, metadata = body.thread_id or uuid7(), body.metadata
        if access is not None:
            value: dict[str, Any] = {
                "thread_id": thread_id,
                "metadata": dict(metadata),
                "if_exists": body.if_exists,
            }
            if body.ttl is not None:
                value["ttl"] = {"strategy": body.ttl.strategy, "ttl": body.ttl.ttl}
            await access.check("threads", "create", value)
            metadata = value.get("metadata") or {}
        created = await self.storage.create_thread(new_thread(thread_id, metadata))
        if created is not None:
            await self.ttl.assign(thread_id, body.ttl)
            return created
        if body.if_exists == "do_nothing":
            return await self.get(thread_id, access)
        raise Conflict(f"Thread with ID {thread_id} already exists")

    async def get(self, thread_id: str, access: Access | None = None) -> Thread:
        """The thread; one the caller may not read is missing, as for the official server."""
        return await self.visible(thread_id, "read", {"thread_id": thread_id}, access)

    async def visible(
        self, thread_id: str, action: str, value: dict[str, Any], access: Access | None
    ) -> Thread:
        """The thread, once `threads.<action>` allows `value` and its filter passes it."""
        auth_filter = await check(access, "threads", action, value)
        found = await self.storage.get_thread(thread_id)
        if found is None or not matches(found["metadata"], auth_filter):
            raise NotFound(f"Thread with ID {thread_id} not found")
        return found

    async def storage_size(
        self, thread_id: str, access: Access | None = None
    ) -> dict[str, Any] | None:
        """Bytes the thread's checkpoints occupy; None when the checkpointer cannot tell
        (asked before the thread is looked up, as upstream answers 501 first)."""
        measure = measure_for(self.checkpointer)
        if measure is None:
            return None
        await self.get(thread_id, access)
        return {"thread_id": thread_id, **await measure(thread_id)}

    async def patch(
        self, thread_id: str, body: ThreadPatch, access: Access | None = None
    ) -> Thread:
        changes: dict[str, Any] = {"updated_at": now_iso()}
        metadata = body.metadata
        if access is not None:
            value: dict[str, Any] = {"thread_id": thread_id, "metadata": dict(metadata or {})}
            await self.visible(thread_id, "update", value, access)
            metadata = value.get("metadata") or metadata
        if metadata is not None:
            changes["metadata"] = metadata
        updated = await self.storage.update_thread(thread_id, changes)
        if updated is None:
            raise NotFound(f"Thread with ID {thread_id} not found")
        if body.ttl is not None:
            await self.ttl.assign(thread_id, body.ttl)
        return updated

    async def delete(self, thread_id: str, access: Access | None = None) -> None:
        if access is not None:
            await self.visible(thread_id, "delete", {"thread_id": thread_id}, access)
        if not await self.storage.delete_thread(thread_id):
            raise NotFound(f"Thread with ID {thread_id} not found")
        await self.checkpointer.adelete_thread(thread_id)

    async def search(
        self, body: ThreadSearch, access: Access | None = None
    ) -> Paged[dict[str, Any]]:
        query = ThreadQuery(body.ids, body.metadata, body.values, body.status)
        page = Page(body.limit, body.offset, body.sort_by, body.sort_order)
        value: dict[str, Any] = {
            "metadata": dict(body.metadata),
            "values": body.values,
            "status": body.status,
            "limit": body.limit,
            "offset": body.offset,
        }
        if body.ids is not None:
            value["ids"] = body.ids
        rows, total = await self._search(query, page, value, access)
        return Paged(select(rows, list(body.select or [])), body.offset, total)  # type: ignore[arg-type]

    async def count(self, body: ThreadCount, access: Access | None = None) -> int:
        query = ThreadQuery(None, body.metadata, body.values, body.status)
        value = {
            "metadata": dict(body.metadata),
            "values": body.values,
            "status": body.status,
            "limit": 0,
            "offset": 0,
        }
        _, total = await self._search(query, Page(limit=1), value, access)
        return total

    async def _search(
        self, query: ThreadQuery, page: Page, value: dict[str, Any], access: Access | None
    ) -> tuple[list[Thread], int]:
        """A search narrowed to what `threads.search` lets the caller see."""
        auth_filter = await check(access, "threads", "search", value)

        async def search(metadata: dict[str, Any], page: Page) -> tuple[list[Thread], int]:
            return await self.storage.search_threads(replace(query, metadata=metadata), page)

        return await scoped_search(search, query.metadata, auth_filter, page)

    async def copy(self, thread_id: str, access: Access | None = None) -> Thread:
        """A new thread with the same metadata and the whole checkpoint history.

        Like the official server, the copy's record mirrors no state until a run or a state
        update touches it; its state and history read from the copied checkpoints. Under
        auth the caller must read the source and may create the copy (whose metadata a
        `threads.create` handler may extend).
        """
        source = await self.get(thread_id, access)
        copy_id, metadata = str(uuid.uuid4()), source["metadata"]
        if access is not None:
            value: dict[str, Any] = {"thread_id": copy_id}
            await access.check("threads", "create", value)
            metadata = {**metadata, **(value.get("metadata") or {})}
        created = await self.storage.create_thread(new_thread(copy_id, metadata))
        assert created is not None, "a fresh uuid4 cannot collide"
        await self.ttl.assign(copy_id)
        await copy_thread(self.checkpointer, thread_id, created["thread_id"])
        return created

    async def prune(self, body: ThreadPrune, access: Access | None = None) -> int:
        """Delete threads, or with `keep_latest` keep each one's latest checkpoint only.

        Under auth every thread must be there for the caller, as on the official server."""
        if access is not None:
            await self._check_prunable(body.thread_ids, access)
        pruned = 0
        for thread_id in body.thread_ids:
            if await self.storage.get_thread(thread_id) is None:
                continue
            if body.strategy == "delete":
                await self.delete(thread_id)
            else:
                await keep_latest(self.checkpointer, thread_id)
            pruned += 1
        return pruned

    async def _check_prunable(self, thread_ids: list[str], access: Access) -> None:
        auth_filter = await access.check("threads", "delete", {"thread_ids": list(thread_ids)})
        for thread_id in thread_ids:
            found = await self.storage.get_thread(thread_id)
            if found is None or not matches(found["metadata"], auth_filter):
                raise NotFound(PRUNE_REFUSED)
