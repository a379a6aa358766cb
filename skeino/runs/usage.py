"""A run's token usage: the `usage_metadata` of the AI messages it added to its thread.

The run's first root `values` chunk is the state it starts from (with its input applied),
so every AI message in the final state that was not in that chunk is the run's own, however
it was made (a streamed model, a plain invoke, a node building the message itself). The
chunk costs no read: the graph is asked for `values` anyway, and unrequested ones are not
sent. Reading the state before the run instead would delay every run's first step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage


class UsageMeter:
    """Watches one run's stream chunks (across retries); `tokens` answers at the end."""

    __slots__ = ("_earlier",)

    def __init__(self) -> None:
        self._earlier: set[str] | None = None

    def observe(self, ns: tuple[str, ...], mode: str, chunk: Any) -> None:
        """Remember which messages the starting state holds (identities, not the objects)."""
        if self._earlier is None and mode == "values" and not ns:
            self._earlier = {_identity(message) for message in _messages(chunk)}

    def tokens(self, final: Any) -> int | None:
        """Sum of `total_tokens` over the run's AI messages in `final`; None when none of them
        reports usage (no usage to show, rather than a misleading 0) or the run never started."""
        if self._earlier is None:
            return None
        usages = {  # by identity: a message held under two keys is still one message
            _identity(message): message.usage_metadata
            for message in _messages(final)
            if isinstance(message, AIMessage) and message.usage_metadata is not None
        }
        new = [usage["total_tokens"] for key, usage in usages.items() if key not in self._earlier]
        return sum(new) if new else None


def _messages(values: Any) -> Iterator[BaseMessage]:
    """Messages held by the state's top-level keys, alone or in lists."""
    fields = values.values() if isinstance(values, Mapping) else [values]
    for value in fields:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseMessage):
                yield item


def _identity(message: BaseMessage) -> str:
    """`add_messages` gives every message an id; a plain list may not, so content decides."""
    return message.id or message.model_dump_json()
