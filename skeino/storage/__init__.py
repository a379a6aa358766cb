"""Storage of assistants, threads and runs, and the checkpointer of graph state.

`open_storage(uri)` and `open_checkpointer(uri)` pick implementations by URI scheme
(`memory://`, `sqlite:///path.db`); `register_storage` / `register_checkpointer` add more.
"""

from skeino.storage.base import (
    Assistant,
    AssistantQuery,
    AssistantVersion,
    IfExists,
    Page,
    Run,
    RunStatus,
    SortOrder,
    Storage,
    Thread,
    ThreadQuery,
    ThreadStatus,
)
from skeino.storage.checkpointer import open_checkpointer, register_checkpointer
from skeino.storage.uri import DEFAULT_URI, open_storage, register_storage

__all__ = [
    "DEFAULT_URI",
    "Assistant",
    "AssistantQuery",
    "AssistantVersion",
    "IfExists",
    "Page",
    "Run",
    "RunStatus",
    "SortOrder",
    "Storage",
    "Thread",
    "ThreadQuery",
    "ThreadStatus",
    "open_checkpointer",
    "open_storage",
    "register_checkpointer",
    "register_storage",
]
