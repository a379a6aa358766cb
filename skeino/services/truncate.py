"""Wiping what tests leave behind, as the official dev server's `POST /internal/truncate`.

Test suites written against `langgraph dev` (langgraphjs's api.test.mts among them) call it
between tests to start from no threads, runs, crons or user-made assistants. The graphs'
system assistants stay, and so does the store, as there. Only served when enabled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from skeino.crons.storage import CronQuery
from skeino.storage.base import AssistantQuery, Page, ThreadQuery

if TYPE_CHECKING:
    from skeino.services.container import Services

T = TypeVar("T")
PAGE = 200
MAX_PAGES = 5_000


async def every(search: Callable[[Page], Awaitable[tuple[list[T], Any]]]) -> list[T]:
    """All rows of a search, page by page (at most PAGE x MAX_PAGES)."""
    rows: list[T] = []
    for number in range(MAX_PAGES):
        page, _ = await search(Page(limit=PAGE, offset=number * PAGE))
        rows += page
        if len(page) < PAGE:
            break
    return rows


async def truncate(svc: Services) -> None:
    """Delete every thread (its runs and checkpoints too), cron and non-system assistant."""
    storage = svc.storage
    for cron in await every(lambda page: svc.crons.store.search(CronQuery(), page)):
        await svc.crons.store.delete(cron["cron_id"])
    for thread in await every(lambda page: storage.search_threads(ThreadQuery(), page)):
        if await storage.delete_thread(thread["thread_id"]):
            await svc.checkpointer.adelete_thread(thread["thread_id"])
    for assistant in await every(lambda page: storage.search_assistants(AssistantQuery(), page)):
        if assistant["metadata"].get("created_by") != "system":
            await storage.delete_assistant(assistant["assistant_id"])
