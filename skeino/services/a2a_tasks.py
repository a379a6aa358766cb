"""A2A task names and states, read from the runs of a context (its thread); cancelling one.

A task is named `<context>:<run>` after its first run; later runs of the same task carry
the name in their `a2a` metadata, and a task's state is its latest run's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skeino.auth.authorize import Access
from skeino.errors import NotFound
from skeino.ids import is_uuid, now_iso
from skeino.jsonrpc import INVALID_PARAMS, RpcError, plain
from skeino.models.runs import RunCreate
from skeino.models.threads import HistorySearch, StateUpdate
from skeino.runs.manager import RunManager
from skeino.services.a2a_parts import agent_message
from skeino.services.state import StateService
from skeino.services.threads import ThreadService
from skeino.storage.base import Run, Thread

TASK_NOT_FOUND = -32001
TASK_NOT_CANCELABLE = -32002
UNSUPPORTED_OPERATION = -32004
MAX_HISTORY = 10
RUN_SCAN = 1000
STATES = {
    "pending": "submitted",
    "running": "working",
    "success": "completed",
    "interrupted": "canceled",
    "error": "failed",
    "timeout": "failed",
}
TERMINAL = frozenset({"completed", "failed", "canceled", "rejected"})
TASK_STATES = (*TERMINAL, "submitted", "working", "input-required", "auth-required")


@dataclass(frozen=True)
class Task:
    task_id: str
    context_id: str
    run: Run
    state: str
    task_ids: dict[str, str]


def stamp_of(run: Run) -> dict[str, Any]:
    stamp = (run.get("metadata") or {}).get("a2a")
    return stamp if isinstance(stamp, dict) else {}


def task_id_of(context_id: str, run: Run) -> str:
    return str(stamp_of(run).get("task_id") or f"{context_id}:{run['run_id']}")


def task_ids_of(runs: list[Run], context_id: str, assistant_id: str) -> dict[str, str]:
    """Task start stamp → task name, for the runs of this assistant on a context."""
    return {
        stamp_of(run)["task_start_id"]: task_id_of(context_id, run)
        for run in runs
        if run["assistant_id"] == assistant_id and stamp_of(run).get("task_start_id")
    }


def check_history(length: Any, scope: Any) -> tuple[int | None, str]:
    if length is not None and (not isinstance(length, int) or isinstance(length, bool)):
        raise RpcError(INVALID_PARAMS, "historyLength must be a non-negative integer")
    if length is not None and length < 0:
        raise RpcError(INVALID_PARAMS, "historyLength must be a non-negative integer")
    if length is not None and length > MAX_HISTORY:
        raise RpcError(INVALID_PARAMS, f"historyLength cannot exceed {MAX_HISTORY}")
    if scope not in ("context", "task"):
        raise RpcError(INVALID_PARAMS, "historyScope must be 'context' or 'task'")
    return length, scope


def task_ref(params: dict[str, Any]) -> tuple[str, str | None]:
    task_id, context_id = params.get("id"), params.get("contextId")
    if not task_id:
        raise RpcError(INVALID_PARAMS, "Missing required parameter: id (task_id)")
    if not isinstance(task_id, str) or not isinstance(context_id, str | None):
        raise RpcError(INVALID_PARAMS, "Task id and contextId must be strings")
    return task_id, context_id


async def find_task(
    runs: RunManager,
    threads: ThreadService,
    task_id: str,
    context_id: str | None,
    assistant_id: str,
    access: Access | None,
) -> Task | None:
    """The task of that name on this assistant, or None when there is none."""
    named, _, run_id = task_id.rpartition(":")
    if named and context_id and named != context_id:
        return None
    context_id = context_id or named
    if not (is_uuid(context_id) and is_uuid(run_id)):
        return None
    try:
        anchor = await runs.get(context_id, run_id, access)
        thread = await threads.get(context_id, access)
    except NotFound:
        return None
    stored = stamp_of(anchor).get("task_id")
    if anchor["assistant_id"] != assistant_id or (stored and stored != task_id):
        return None
    found = await runs.list_runs(context_id, None, RUN_SCAN, 0, access)
    latest, is_newest = anchor, False
    for run in found:
        if run["assistant_id"] == assistant_id and (
            run["run_id"] == run_id or stamp_of(run).get("task_id") == task_id
        ):
            latest, is_newest = run, run["run_id"] == found[0]["run_id"]
            break
    state = state_of(latest, thread, is_newest)
    return Task(task_id, context_id, latest, state, task_ids_of(found, context_id, assistant_id))


def state_of(run: Run, thread: Thread, newest: bool) -> str:
    """A task's state from its latest run; a finished run that left the thread interrupted
    (when no run came after it) waits for input."""
    state = STATES.get(run["status"], "submitted")
    if state == "completed" and newest and thread["status"] == "interrupted":
        return "input-required"
    return state


async def run_messages(
    state: StateService, context_id: str, run_id: str, access: Access | None
) -> list[Any]:
    """The context's messages as the run left them (its last checkpoint)."""
    search = HistorySearch(limit=1, metadata={"run_id": run_id})
    snapshots = await state.history(context_id, search, access)
    values = plain(snapshots[0]["values"]) if snapshots else {}
    messages = values.get("messages") if isinstance(values, dict) else None
    return messages if isinstance(messages, list) else []


async def _cancel_waiting(
    runs: RunManager, state: StateService, task: Task, assistant_id: str, access: Access | None
) -> None:
    """A task waiting for input has no run to stop. As upstream, a run named after the
    task is queued and cancelled at once (so the task's latest run reads `interrupted`,
    the task `canceled`), then the thread's interrupt is cleared."""
    stamp = {**stamp_of(task.run), "task_id": task_id_of(task.context_id, task.run)}
    marker = RunCreate(assistant_id=assistant_id, metadata={"a2a": stamp}, after_seconds=3600)
    run, _ = await runs.create(task.context_id, marker, access=access)
    await runs.cancel(task.context_id, run["run_id"], "interrupt", wait=True, access=access)
    await state.update(task.context_id, StateUpdate(as_node="__end__"), access)


async def cancel_task(
    runs: RunManager,
    state: StateService,
    assistant_id: str,
    params: dict[str, Any],
    access: Access | None,
) -> dict[str, Any]:
    """Stop a task's run, or end its wait for input."""
    task_id, context_id = task_ref(params)
    task = await find_task(runs, state.threads, task_id, context_id, assistant_id, access)
    if task is None:
        raise RpcError(TASK_NOT_FOUND, f"Task not found: {task_id}")
    if task.state in TERMINAL:
        raise RpcError(TASK_NOT_CANCELABLE, "Task is not cancelable in its current state")
    if task.state == "input-required":
        await _cancel_waiting(runs, state, task, assistant_id, access)
    elif task.run["status"] not in ("pending", "running"):
        raise RpcError(TASK_NOT_CANCELABLE, "Task has no active run to cancel")
    else:
        try:
            await runs.cancel(
                task.context_id, task.run["run_id"], "interrupt", wait=True, access=access
            )
        except NotFound:  # it ended meanwhile
            raise RpcError(TASK_NOT_CANCELABLE, "Task has no active run to cancel") from None
    return {
        "kind": "task",
        "id": task_id,
        "contextId": task.context_id,
        "status": {
            "state": "canceled",
            "timestamp": now_iso(),
            "message": agent_message("Task was canceled", task_id),
        },
    }
