"""Events passed from the run engine to the SSE writer.

A `StreamEvent` is what the graph produced, named as on the wire. `encode()` turns it
into an `EncodedEvent` whose JSON is built once, so a run with many subscribers (or a
replay buffer) never serialises the same event twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skeino.http.responses import dumps

# Wire names without a subgraph suffix; subgraph chunks are `<mode>|<ns1>|<ns2>...`.
EVENT_NAMES = frozenset(
    {
        "metadata",
        "values",
        "updates",
        "messages",
        "messages/partial",
        "messages/metadata",
        "messages/complete",
        "custom",
        "debug",
        "events",
        "tasks",
        "checkpoints",
        "error",
        "status",  # skeino's opt-in `status_field` changes; never sent by default
        "lifecycle",  # thread-protocol runs: subgraph starts and ends, from LangGraph's v3
        "tools",  # thread-protocol runs: tool calls as LangGraph's v3 stream reports them
        "input",  # thread-protocol runs: an interrupt waiting for an answer
        "state_update",  # a thread stream's `state_update` mode: the thread's new state
    }
)


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One SSE event before serialisation: `event` is the wire name, `data` any JSON-able value."""

    event: str
    data: Any

    def __post_init__(self) -> None:
        if self.event.partition("|")[0] not in EVENT_NAMES:
            raise ValueError(f"unknown stream event name: {self.event!r}")

    def encode(self) -> EncodedEvent:
        return EncodedEvent(self.event, dumps(self.data))


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """A `StreamEvent` whose data is already JSON bytes; what brokers should store and fan out."""

    event: str
    data: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.data, bytes):
            raise TypeError("EncodedEvent.data must be JSON bytes")
        if "\n" in self.event or "\r" in self.event:
            raise ValueError("event names cannot contain line breaks")
