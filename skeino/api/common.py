"""Response helpers several route modules share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skeino.auth.authorize import Access
from skeino.auth.gate import access_of
from skeino.http.request import Request
from skeino.http.responses import Response, json_response
from skeino.services.paging import Paged
from skeino.storage.base import Run, Thread


def access(req: Request) -> Access | None:
    """The caller as services see it; None when the app has no custom auth."""
    return access_of(req.scope)


def paged_response(page: Paged[Any], present: Callable[[Any], Any] | None = None) -> Response:
    """A search page with the official server's pagination headers."""
    headers = {"X-Pagination-Total": str(page.shown_total)}
    if page.next_offset is not None:
        headers["X-Pagination-Next"] = str(page.next_offset)
    rows = page.rows if present is None else [present(row) for row in page.rows]
    return json_response(rows, headers=headers)


def thread_json(
    thread: Thread | dict[str, Any], hidden: tuple[str, ...] = ("error", "interrupts")
) -> dict[str, Any]:
    """A thread as the official server shows it: `error` and `interrupts` appear only once a
    run or state update has mirrored a checkpoint onto it."""
    if thread.get("interrupts", {}) is not None:
        return dict(thread)
    return {k: v for k, v in thread.items() if k not in hidden}


def run_json(run: Run) -> dict[str, Any]:
    """A run as the official server shows it (skeino keeps no LangSmith session)."""
    return {**run, "langsmith_session_name": None}
