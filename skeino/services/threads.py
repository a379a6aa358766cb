"""Threads: the records that runs accumulate state on, with their checkpoints."""

from __future__ import annotations

import uuid
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from skeino.errors import Conflict, NotFound
from skeino.ids import now_iso, uuid7
from skeino.models.threads import ThreadCount, ThreadCreate, ThreadPatch, ThreadPrune, ThreadSearch
from skeino.services.checkpoints import copy_thread
from skeino.services.paging import Paged, select
from skeino.storage.base import Page, Storage, Thread, ThreadQuery


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
    def __init__(self, storage: Storage, checkpointer: BaseCheckpointSaver[Any]) -> None:
        self.storage = storage
        self.checkpointer = checkpointer

    async def create(self, body: ThreadCreate) -> Thread:
        thread_id = body.thread_id or uuid7()
        created = await self.storage.create_thread(new_thread(thread_id, body.metadata))
        if created is not None:
            return created
        if body.if_exists == "do_nothing":
            return await self.get(thread_id)
        raise Conflict(f"Thread with ID {thread_id} already exists")

    async def get(self, thread_id: str) -> Thread:
        found = await self.storage.get_thread(thread_id)
        if found is None:
            raise NotFound(f"Thread with ID {thread_id} not found")
        return found

    async def patch(self, thread_id: str, body: ThreadPatch) -> Thread:
        changes: dict[str, Any] = {"updated_at": now_iso()}
        if body.metadata is not None:
            changes["metadata"] = body.metadata
        updated = await self.storage.update_thread(thread_id, changes)
        if updated is None:
            raise NotFound(f"Thread with ID {thread_id} not found")
        return updated

    async def delete(self, thread_id: str) -> None:
        if not await self.storage.delete_thread(thread_id):
            raise NotFound(f"Thread with ID {thread_id} not found")
        await self.checkpointer.adelete_thread(thread_id)

    async def search(self, body: ThreadSearch) -> Paged[dict[str, Any]]:
        query = ThreadQuery(body.ids, body.metadata, body.values, body.status)
        page = Page(body.limit, body.offset, body.sort_by, body.sort_order)
        rows, total = await self.storage.search_threads(query, page)
        return Paged(select(rows, list(body.select or [])), body.offset, total)  # type: ignore[arg-type]

    async def count(self, body: ThreadCount) -> int:
        query = ThreadQuery(None, body.metadata, body.values, body.status)
        _, total = await self.storage.search_threads(query, Page(limit=1))
        return total

    async def copy(self, thread_id: str) -> Thread:
        """A new thread with the same metadata and the whole checkpoint history.

        Like the official server, the copy's record mirrors no state until a run or a state
        update touches it; its state and history read from the copied checkpoints.
        """
        source = await self.get(thread_id)
        created = await self.storage.create_thread(
            new_thread(str(uuid.uuid4()), source["metadata"])
        )
        assert created is not None, "a fresh uuid4 cannot collide"
        await copy_thread(self.checkpointer, thread_id, created["thread_id"])
        return created

    async def prune(self, body: ThreadPrune) -> int:
        """Delete threads, or with `keep_latest` keep each one's latest checkpoint only."""
        pruned = 0
        for thread_id in body.thread_ids:
            if await self.storage.get_thread(thread_id) is None:
                continue
            if body.strategy == "delete":
                await self.delete(thread_id)
            else:
                await self.checkpointer.aprune([thread_id], strategy="keep_latest")
            pruned += 1
        return pruned
