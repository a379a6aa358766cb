"""A2A's two spellings: v0.3 (`message/send`, `user`, `completed`) and v1.0 (`SendMessage`,
`ROLE_USER`, `TASK_STATE_COMPLETED`, a task a message produced wrapped in `{"task": ...}`).

Services speak v0.3; as the official server does, each client is answered in the spelling
of the method it called, whatever spelling its own message used.
"""

from __future__ import annotations

from typing import Any

from skeino.services.a2a_tasks import TASK_STATES

V1_METHODS = {
    "SendMessage": "message/send",
    "SendStreamingMessage": "message/stream",
    "GetTask": "tasks/get",
    "CancelTask": "tasks/cancel",
    "ListTasks": "ListTasks",  # these two have no v0.3 name upstream
    "GetExtendedAgentCard": "GetExtendedAgentCard",
}
V1_NAMES = {
    **{"user": "ROLE_USER", "agent": "ROLE_AGENT"},
    **{state: "TASK_STATE_" + state.upper().replace("-", "_") for state in TASK_STATES},
}
V03_NAMES = {v1: v03 for v03, v1 in V1_NAMES.items()}


def spelled(value: Any, v1: bool) -> Any:
    """Every `role` and `state` in the wanted spelling."""
    names = V1_NAMES if v1 else V03_NAMES
    if isinstance(value, dict):
        return {
            key: names.get(item, item)
            if key in ("role", "state") and isinstance(item, str)
            else spelled(item, v1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [spelled(item, v1) for item in value]
    return value


def present(result: Any, v1: bool, produced: bool) -> Any:
    """A result as the client expects it; `produced`: a message/send or stream answer."""
    shown = spelled(result, v1)
    if v1 and produced and isinstance(shown, dict) and shown.get("kind") == "task":
        return {"task": shown}
    return shown
