"""A2A tasks on top of runs: a context is a thread, a task is named `<context>:<run>`.

A message starts a task (a run on the context's thread, stamped with a fresh
`task_start_id`) or answers one waiting for input (a run resuming the interrupt, stamped
with the task's name); `a2a_tasks` reads names and states back from the runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from skeino.auth.authorize import Access
from skeino.errors import NotFound, SkeinoError
from skeino.ids import is_uuid, uuid7
from skeino.jsonrpc import INVALID_PARAMS, RpcError, plain
from skeino.models.runs import Command, RunCreate
from skeino.runs.bus import Source
from skeino.runs.manager import RunManager
from skeino.services.a2a_card import assistant_of
from skeino.services.a2a_list import list_tasks
from skeino.services.a2a_parts import agent_message, graph_input, history, outcome
from skeino.services.a2a_stream import task_events
from skeino.services.a2a_tasks import (
    RUN_SCAN,
    TASK_NOT_FOUND,
    TERMINAL,
    UNSUPPORTED_OPERATION,
    Task,
    cancel_task,
    check_history,
    find_task,
    run_messages,
    task_ids_of,
    task_ref,
)
from skeino.services.introspection import IntrospectionService
from skeino.services.state import StateService
from skeino.storage.base import Run


@dataclass(frozen=True)
class Turn:
    """A checked `message/send` or `message/stream`: what to run, on which thread, as which
    task (None: a new one, named after its run)."""

    assistant_id: str
    message: dict[str, Any]
    context_id: str
    task_id: str | None
    stamp: dict[str, str]
    input: dict[str, Any] | None
    command: dict[str, Any] | None
    context: Any
    history_length: int | None
    scope: str
    task_ids: dict[str, str]


class A2AService:
    def __init__(
        self, introspection: IntrospectionService, state: StateService, runs: RunManager
    ) -> None:
        self.assistants = introspection.assistants
        self.introspection = introspection
        self.state = state
        self.threads = state.threads
        self.runs = runs

    async def prepare(
        self, assistant_id: str, params: dict[str, Any], scope: str, access: Access | None
    ) -> Turn:
        """Check a message as upstream does, in its order, and decide what to run."""
        options = params.get("configuration") or {}
        if not isinstance(options, dict):
            raise RpcError(INVALID_PARAMS, "Invalid params: 'configuration' must be an object")
        length, scope = check_history(
            options.get("historyLength"), options.get("historyScope") or scope
        )
        message = params["message"]
        for key in ("messageId", "role"):
            if not message.get(key):
                raise RpcError(INVALID_PARAMS, f"Missing required '{key}' in message")
        parts = message.get("parts", [])
        if not isinstance(parts, list):
            raise RpcError(INVALID_PARAMS, "Invalid params: 'parts' must be an array")
        if not parts:
            raise RpcError(INVALID_PARAMS, "Message must contain at least one part")
        await self._check_conversational(assistant_id, parts, access)
        context_id, task_id = message.get("contextId"), message.get("taskId")
        for key, value in (("contextId", context_id), ("taskId", task_id)):
            if not isinstance(value, str | None):
                raise RpcError(INVALID_PARAMS, f"{key} must be a string")
        task = await self._open_task(task_id, context_id, assistant_id, access)
        stamp = {"task_id": task.task_id} if task else {"task_start_id": uuid7()}
        graph_in = graph_input(parts, message["role"], message["messageId"], stamp)
        command = message.get("command")
        if command is not None and not isinstance(command, dict):
            raise RpcError(INVALID_PARAMS, "command must be an object")
        if command is None and task is not None:
            command, graph_in = await self._resume(parts, task.context_id, graph_in, access)
        run_context = params.get("context")
        if not isinstance(run_context, dict | None):
            raise RpcError(INVALID_PARAMS, "context must be an object")
        return Turn(
            assistant_id=assistant_id,
            message=message,
            context_id=task.context_id if task else context_id or str(uuid7()),
            task_id=task.task_id if task else None,
            stamp=stamp,
            input=graph_in or None,
            command=command,
            context=run_context,
            history_length=length,
            scope=scope,
            task_ids=task.task_ids if task else {},
        )

    async def _check_conversational(
        self, assistant_id: str, parts: list[Any], access: Access | None
    ) -> None:
        """Text and files need a graph whose input has `messages`."""
        assistant = await assistant_of(self.assistants, assistant_id, access)
        if not any(isinstance(part, dict) and ("text" in part or "file" in part) for part in parts):
            return
        schemas = await self.introspection.schemas(assistant_id, access)
        fields = (schemas.get("input_schema") or schemas.get("state_schema") or {}).get(
            "properties", {}
        )
        if "messages" not in fields:
            raise RpcError(
                INVALID_PARAMS,
                f"Assistant '{assistant_id}' (graph '{assistant['graph_id']}') does not support "
                "A2A conversational messages. Graph input schema must include a 'messages' "
                f"field to accept text or file parts. Available input fields: {list(fields)}",
            )

    async def _open_task(
        self, task_id: str | None, context_id: str | None, assistant_id: str, access: Access | None
    ) -> Task | None:
        """The task a message continues; it must exist and not have ended."""
        if task_id is None:
            return None
        task = await find_task(self.runs, self.threads, task_id, context_id, assistant_id, access)
        if task is None:
            raise RpcError(TASK_NOT_FOUND, f"Task not found: {task_id}")
        if task.state in TERMINAL:
            raise RpcError(UNSUPPORTED_OPERATION, "A terminal task cannot accept another message")
        return task

    async def _resume(
        self,
        parts: list[Any],
        context_id: str,
        graph_in: dict[str, Any],
        access: Access | None,
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """An answer to an interrupt: a data part's `resume`, else the text, resumes it."""
        given = [p["data"]["resume"] for p in parts if "resume" in (p.get("data") or {})]
        if len(given) > 1:
            raise RpcError(INVALID_PARAMS, "Only one resume value is allowed in data parts")
        texts = [p["text"] for p in parts if isinstance(p.get("text"), str)]
        if not given and not texts:
            return None, graph_in
        try:
            waiting = (await self.threads.get(context_id, access))["status"] == "interrupted"
        except NotFound:
            waiting = False
        if given and not waiting:
            raise RpcError(INVALID_PARAMS, "Task is not awaiting input")
        if not waiting:
            return None, graph_in
        dropped = "resume" if given else "messages"
        rest = {k: v for k, v in graph_in.items() if k != dropped}
        return {"resume": given[0] if given else "\n".join(texts)}, rest

    async def start(
        self, turn: Turn, access: Access | None, subscribe: bool = False
    ) -> tuple[Run, Source | None]:
        if not is_uuid(turn.context_id):
            raise RpcError(INVALID_PARAMS, "Failed to create run: Invalid thread ID")
        command = turn.command or {}
        unknown = set(command) - {"resume", "update", "goto"}
        if unknown:
            raise RpcError(INVALID_PARAMS, f"Unknown command fields: {sorted(unknown)}")
        body = RunCreate(
            assistant_id=turn.assistant_id,
            input=turn.input,
            command=Command(**command) if turn.command else None,
            context=turn.context,
            metadata={"a2a": turn.stamp},
            if_not_exists="create",
            stream_mode=["messages", "values"] if subscribe else "values",
        )
        try:
            return await self.runs.create(turn.context_id, body, subscribe=subscribe, access=access)
        except SkeinoError as exc:
            raise RpcError(INVALID_PARAMS, f"Failed to create run: {exc.detail}") from None

    async def task_ids(
        self, turn: Turn, run: Run, access: Access | None
    ) -> tuple[str, dict[str, str]]:
        """The name of the task a run serves, and every task name of its context."""
        if turn.task_id is not None:
            return turn.task_id, turn.task_ids
        task_id = f"{run['thread_id']}:{run['run_id']}"
        runs = await self.runs.list_runs(run["thread_id"], None, RUN_SCAN, 0, access)
        return task_id, {
            **task_ids_of(runs, run["thread_id"], turn.assistant_id),
            turn.stamp["task_start_id"]: task_id,
        }

    async def send(
        self, assistant_id: str, params: dict[str, Any], scope: str, access: Access | None
    ) -> dict[str, Any]:
        """Run the message to its end and answer the task."""
        turn = await self.prepare(assistant_id, params, scope, access)
        run, _ = await self.start(turn, access)
        task_id, task_ids = await self.task_ids(turn, run, access)
        output = await self._output(run, turn, access)
        context_id = run["thread_id"]
        task: dict[str, Any] = {"kind": "task", "id": task_id, "contextId": context_id}
        if turn.history_length != 0:
            messages = output.get("messages") if isinstance(output, dict) else None
            task["history"] = history(
                messages or [], task_id, context_id, task_ids, turn.history_length, turn.scope
            )
        return {**task, **outcome(output, task_id, context_id, assistant_id)}

    async def _output(self, run: Run, turn: Turn, access: Access | None) -> Any:
        """The run's output in the graph's state order, with `messages` (empty when the graph
        has none) after a data-only message, as upstream.

        Postgres keeps outputs as jsonb, which reorders keys; the order shows when an answer
        without messages is given as the output's repr."""
        output = plain(await self.runs.wait(run))
        if not isinstance(output, dict) or output.get("messages"):
            return output
        if turn.command is None and "messages" not in (turn.input or {}):
            output = {**output, "messages": []}
        schemas = await self.introspection.schemas(turn.assistant_id, access)
        order = [
            k for k in (schemas.get("state_schema") or {}).get("properties", {}) if k in output
        ]
        return {**{k: output[k] for k in order}, **output}

    def stream(
        self, assistant_id: str, params: dict[str, Any], scope: str, access: Access | None
    ) -> AsyncIterator[dict[str, Any]]:
        return task_events(self, assistant_id, params, scope, access)

    async def get_task(
        self, assistant_id: str, params: dict[str, Any], scope: str, access: Access | None
    ) -> dict[str, Any]:
        task_id, context_id = task_ref(params)
        task = await find_task(self.runs, self.threads, task_id, context_id, assistant_id, access)
        if task is None:
            where = f" in context '{context_id}'" if context_id else ""
            raise RpcError(TASK_NOT_FOUND, f"Task not found: {task_id}{where}")
        length, scope = check_history(
            params.get("historyLength"), params.get("historyScope") or scope
        )
        status: dict[str, Any] = {"state": task.state, "timestamp": task.run["updated_at"]}
        if task.state == "completed":
            status["message"] = agent_message("Task completed successfully", task_id)
        elif task.state == "failed":
            text = f"Task failed with status: {task.run['status']}"
            status["message"] = agent_message(text, task_id)
        found: dict[str, Any] = {"kind": "task", "id": task_id, "contextId": task.context_id}
        found["status"] = status
        if length != 0:
            messages = await run_messages(self.state, task.context_id, task.run["run_id"], access)
            found["history"] = history(
                messages, task_id, task.context_id, task.task_ids, length, scope
            )
        return found

    async def cancel_task(
        self, assistant_id: str, params: dict[str, Any], access: Access | None
    ) -> dict[str, Any]:
        return await cancel_task(self.runs, self.state, assistant_id, params, access)

    async def list_tasks(
        self, assistant_id: str, params: dict[str, Any], scope: str, access: Access | None
    ) -> dict[str, Any]:
        return await list_tasks(self.runs, self.state, assistant_id, params, scope, access)
