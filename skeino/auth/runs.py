"""Authorization of runs, which the official server checks as actions on their threads:
`threads.create_run` to start one, `threads.update` to cancel."""

from __future__ import annotations

from typing import Any

from skeino.auth.authorize import Access
from skeino.auth.filters import matches, stamp
from skeino.errors import NotFound
from skeino.models.runs import RunCreate
from skeino.storage.base import Run, Storage, Thread

THREAD_OR_ASSISTANT = "Thread or assistant not found."


async def authorize_run(
    run: Run, body: RunCreate, thread: Thread | None, access: Access, *, stateless: bool
) -> dict[str, Any]:
    """Ask `threads.create_run` about a run about to be queued, and apply its answer: the
    caller reaches the graph's config, the metadata the handler wrote joins the run's, and
    a filter must pass the thread. Returns the metadata a thread made for this run needs
    so that the caller can read it (the filter's exact matches)."""
    config = run["kwargs"]["config"]
    config["configurable"].update(access.configurable())
    value: dict[str, Any] = {
        "thread_id": None if stateless else run["thread_id"],
        "assistant_id": run["assistant_id"],
        "run_id": run["run_id"],
        "status": "pending",
        "metadata": dict(body.metadata or {}),
        "prevent_insert_if_inflight": False,
        "multitask_strategy": body.multitask_strategy,
        "if_not_exists": body.if_not_exists,
        "after_seconds": body.after_seconds or 0,
        "kwargs": run["kwargs"],
    }
    auth_filter = await access.check("threads", "create_run", value)
    if thread is not None and not matches(thread["metadata"], auth_filter):
        raise NotFound(THREAD_OR_ASSISTANT)
    written = value.get("metadata") or {}
    run["metadata"].update(written)
    config["metadata"] = {**config.get("metadata", {}), **written}
    return stamp(auth_filter)


async def may_cancel(
    storage: Storage, thread_id: str, run_ids: list[str], action: str, access: Access | None
) -> bool:
    """Whether `threads.update` passes the thread (always, without auth)."""
    if access is None:
        return True
    value = {
        "thread_id": thread_id,
        "action": action,
        "metadata": {"run_ids": list(run_ids), "status": None},
    }
    auth_filter = await access.check("threads", "update", value)
    thread = await storage.get_thread(thread_id)
    return thread is not None and matches(thread["metadata"], auth_filter)


async def cancellable(
    storage: Storage, runs: list[Run], status: str | None, action: str, access: Access
) -> list[Run]:
    """Of runs picked by status across threads, those on threads the caller may update."""
    value = {"thread_id": None, "action": action, "metadata": {"status": status}}
    auth_filter = await access.check("threads", "update", value)
    if not auth_filter:
        return runs
    kept: list[Run] = []
    for run in runs:
        thread = await storage.get_thread(run["thread_id"])
        if thread is not None and matches(thread["metadata"], auth_filter):
            kept.append(run)
    return kept
