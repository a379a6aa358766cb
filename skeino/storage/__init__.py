"""Storage of assistants, threads and runs: the protocol and its built-in backends.

`skeino.backend.open_backend(uri)` opens a storage with everything else the URI names.
"""

from skeino.storage.base import (
    Assistant,
    AssistantQuery,
    AssistantVersion,
    CancelAction,
    Claim,
    EventBatch,
    EventLog,
    IfExists,
    Page,
    Run,
    RunChange,
    RunStatus,
    SortOrder,
    Storage,
    Thread,
    ThreadQuery,
    ThreadStatus,
)
from skeino.storage.uri import DEFAULT_URI

__all__ = [
    "DEFAULT_URI",
    "Assistant",
    "AssistantQuery",
    "AssistantVersion",
    "CancelAction",
    "Claim",
    "EventBatch",
    "EventLog",
    "IfExists",
    "Page",
    "Run",
    "RunChange",
    "RunStatus",
    "SortOrder",
    "Storage",
    "Thread",
    "ThreadQuery",
    "ThreadStatus",
]
