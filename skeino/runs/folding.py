"""Opt-in `values` extras for UIs that read only `values`: growing AI messages and `status`.

A UI that renders the state alone sees an agent's answer only once its node finishes. With
`SkeinoSettings.agent_nodes`, every token chunk an agent node streams becomes one more
`values` event: the last full state with the partial AI message upserted (by id) into its
`messages`; the node's own `values` event then carries the final message as usual. With
`SkeinoSettings.status_field`, each change of that state key is also sent as a `status`
event. Both are off by default and apply only to runs that stream `values`, so the default
wire is untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from langchain_core.messages import BaseMessage, BaseMessageChunk, message_chunk_to_message

from skeino.runs.events import StreamEvent

MESSAGES = "messages"  # where `MessagesState` (and `add_messages` graphs by convention) keep them
_UNSET = object()


class ValuesFolder:
    """Watches root `values` and `messages` chunks of one run; yields the extra events."""

    __slots__ = ("_nodes", "_partials", "_status", "_status_field", "_values")

    def __init__(self, agent_nodes: Iterable[str], status_field: str | None) -> None:
        self._nodes = frozenset(agent_nodes)
        self._status_field = status_field
        self._values: Mapping[str, Any] = {}
        self._partials: dict[str | None, BaseMessageChunk] = {}
        self._status: Any = _UNSET

    def fold(self, ns: tuple[str, ...], mode: str, chunk: Any) -> Iterator[StreamEvent]:
        """Extra events for one chunk; subgraph `values` are not the state a UI shows."""
        if mode == "values" and not ns and isinstance(chunk, Mapping):
            yield from self._state(chunk)
        elif mode == "messages" and self._nodes:
            yield from self._token(*chunk)

    def _state(self, values: Mapping[str, Any]) -> Iterator[StreamEvent]:
        """A real `values` event: it carries every message finished so far, so partials reset."""
        self._values = values
        self._partials.clear()
        if self._status_field is None or self._status_field not in values:
            return
        status = values[self._status_field]
        if self._status is _UNSET or status != self._status:
            self._status = status
            yield StreamEvent("status", status)

    def _token(self, message: BaseMessage, metadata: Mapping[str, Any]) -> Iterator[StreamEvent]:
        """Complete messages are skipped: the node's `values` event is about to carry them."""
        if not isinstance(message, BaseMessageChunk):
            return
        if metadata.get("langgraph_node") not in self._nodes:
            return
        previous = self._partials.get(message.id)
        self._partials[message.id] = message if previous is None else previous + message
        messages = list(self._values.get(MESSAGES) or [])
        for partial in self._partials.values():
            _upsert(messages, message_chunk_to_message(partial))
        yield StreamEvent("values", {**self._values, MESSAGES: messages})


def _upsert(messages: list[Any], message: BaseMessage) -> None:
    """Replace the message with the same id in place, or append it (as `add_messages` does)."""
    if message.id is not None:
        for index, existing in enumerate(messages):
            if getattr(existing, "id", None) == message.id:
                messages[index] = message
                return
    messages.append(message)
