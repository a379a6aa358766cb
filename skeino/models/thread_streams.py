"""Requests of the thread-centric stream protocol: the event filter and the command envelope.

The official server reads these leniently and answers with the protocol's own error
shapes rather than a 422, so they are built here by hand from the decoded JSON: a
malformed optional field is dropped (as upstream drops it), a malformed required one is
refused with upstream's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHANNELS = frozenset(
    {
        "values",
        "updates",
        "checkpoints",
        "messages",
        "tools",
        "custom",
        "lifecycle",
        "input",
        "tasks",
    }
)
CHANNELS_ALLOWED = (
    "Allowed: values, updates, messages, tools, custom, lifecycle, input, tasks, "
    "or any `custom:<name>`."
)


def is_channel(value: object) -> bool:
    """One of the fixed channels, or `custom:<name>` (a named custom projection)."""
    if not isinstance(value, str):
        return False
    return value in CHANNELS or (value.startswith("custom:") and len(value) > len("custom:"))


def _count(value: object) -> int | None:
    """A non-negative integer, or None (JSON booleans are not numbers here)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _namespaces(value: object) -> tuple[tuple[str, ...], ...] | None:
    if not isinstance(value, list):
        return None
    kept = tuple(
        tuple(ns) for ns in value if isinstance(ns, list) and all(isinstance(s, str) for s in ns)
    )
    return kept or None


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events one subscription receives: channels, namespace prefixes, depth."""

    channels: frozenset[str]
    namespaces: tuple[tuple[str, ...], ...] | None = None
    depth: int | None = None

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> EventFilter | None:
        """The filter of a `subscription.*` command; None when its channels are invalid."""
        channels = params.get("channels")
        if not isinstance(channels, list) or not channels or not all(map(is_channel, channels)):
            return None
        return cls(
            frozenset(channels), _namespaces(params.get("namespaces")), _count(params.get("depth"))
        )


@dataclass(frozen=True, slots=True)
class EventStreamRequest:
    """`POST /threads/{id}/stream/events`: the filter, and `since` (the last seq seen)."""

    filter: EventFilter
    since: int | None = None

    @classmethod
    def from_json(cls, body: object) -> EventStreamRequest:
        """The request, or ValueError with the official server's 400 detail."""
        data = body if isinstance(body, dict) else {}
        channels = data.get("channels")
        if not isinstance(channels, list) or not channels:
            raise ValueError("channels is required and must be a non-empty array")
        bad = [c if isinstance(c, str) else repr(c) for c in channels if not is_channel(c)]
        if bad:
            raise ValueError(
                "channels contains unsupported entries: "
                + ", ".join(bad[:5])
                + ". "
                + CHANNELS_ALLOWED
            )
        found = EventFilter(
            frozenset(channels), _namespaces(data.get("namespaces")), _count(data.get("depth"))
        )
        return cls(found, _count(data.get("since")))


@dataclass(frozen=True, slots=True)
class ProtocolCommand:
    """One command: an integer `id`, a `method` name and its `params` object."""

    id: int
    method: str
    params: dict[str, Any]

    @classmethod
    def from_json(cls, payload: object) -> ProtocolCommand:
        """The command, or ValueError when it lacks an integer id or a string method."""
        if not isinstance(payload, dict):
            raise ValueError("not an object")
        ident, method = payload.get("id"), payload.get("method")
        if not isinstance(ident, int) or isinstance(ident, bool) or not isinstance(method, str):
            raise ValueError("no id or method")
        params = payload.get("params")
        return cls(ident, method, params if isinstance(params, dict) else {})
