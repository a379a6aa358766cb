"""Thread streams of the thread-centric protocol: one filtered stream per SSE connection, a
set of subscriptions per WebSocket.

Every connection replays its thread from the beginning through a `ProtocolSession` of
its own, so `seq` numbers agree between a connection and the one that replaces it: an
SSE reconnect passes the last `seq` it saw as `since` and gets exactly what follows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

from skeino.auth.authorize import Access
from skeino.http.responses import dumps
from skeino.models.thread_streams import EventFilter, EventStreamRequest
from skeino.runs.broker import run_done
from skeino.runs.events import EncodedEvent
from skeino.runs.subscription import Envelope
from skeino.services.protocol_scopes import is_prefix
from skeino.services.protocol_session import Event, ProtocolSession
from skeino.services.state import StateService
from skeino.services.thread_feed import RunEnded, RunEvent, ThreadFeeds
from skeino.services.threads import ThreadService

THREAD_MODES = ("run_modes", "lifecycle", "state_update")


def matches(wanted: EventFilter, event: Event) -> bool:
    """Whether a subscription receives the event: its channel, then its namespace."""
    method, params = event["method"], event["params"]
    channel = "input" if method == "input.requested" else method
    if channel == "custom":
        data = params["data"]
        name = data.get("name") if isinstance(data, dict) else None
        if "custom" not in wanted.channels and f"custom:{name}" not in wanted.channels:
            return False
    elif channel not in wanted.channels:
        return False
    if not wanted.namespaces:
        return True
    namespace = params["namespace"]
    return any(
        is_prefix(namespace, prefix)
        and (wanted.depth is None or len(namespace) - len(prefix) <= wanted.depth)
        for prefix in wanted.namespaces
    )


@dataclass(eq=False)
class Connection:
    """A WebSocket's session and subscriptions; `send` queues a frame without waiting,
    `hang_up` ends the socket (the server is stopping)."""

    thread_id: str
    send: Callable[[Event], None]
    hang_up: Callable[[], None]
    session: ProtocolSession = field(default_factory=ProtocolSession)
    subscriptions: dict[str, EventFilter] = field(default_factory=dict)

    @property
    def bound(self) -> bool:
        """A run's events have been seen (upstream answers some commands only then)."""
        return self.session.run_id is not None

    def deliver(self, events: list[Event]) -> None:
        """Each event once, when any subscription wants it."""
        for event in events:
            if any(matches(f, event) for f in self.subscriptions.values()):
                self.send(event)

    def subscribe(self, ident: str, wanted: EventFilter, since: int = 0) -> int:
        """Install a subscription after replaying what it missed; how many were replayed."""
        replayed = [e for e in self.session.buffer if e["seq"] > since and matches(wanted, e)]
        for event in replayed:
            self.send(event)
        self.subscriptions[ident] = wanted
        return len(replayed)

    def oldest_seq(self) -> int | None:
        return self.session.buffer[0]["seq"] if self.session.buffer else None


class ThreadStreams:
    def __init__(self, threads: ThreadService, state: StateService, feeds: ThreadFeeds) -> None:
        self.threads = threads
        self.state = state
        self.feeds = feeds
        self.connections: set[Connection] = set()

    async def check(self, thread_id: str, access: Access | None) -> None:
        """Under auth, the caller must see the thread (a stream for a thread that does not
        exist yet is refused, as upstream refuses it)."""
        if access is not None:
            await self.threads.get(thread_id, access)

    async def events(self, thread_id: str, request: EventStreamRequest) -> AsyncIterator[Event]:
        """The SSE stream: the filtered events after `since`, until the server stops."""
        session = ProtocolSession(keep=0)  # one filter for the connection's life: no replays
        since = request.since or 0
        async for item in self.feeds.feed(thread_id):
            for event in session.ingest(item):
                if event["seq"] > since and matches(request.filter, event):
                    yield event

    async def pump(self, connection: Connection, subscribed: anyio.Event) -> None:
        """Feed a socket's session from its first subscription on until the server stops
        (the socket's task group ends it when the socket closes). Like upstream, nothing is
        read before that subscription, so it is answered before any event (none replayed)."""
        self.connections.add(connection)
        try:
            await subscribed.wait()
            async for item in self.feeds.feed(connection.thread_id):
                connection.deliver(connection.session.ingest(item))
        finally:
            self.connections.discard(connection)

    async def legacy(
        self, thread_id: str, modes: tuple[str, ...], last_event_id: str | None
    ) -> AsyncIterator[Envelope]:
        """`GET /threads/{id}/stream`: run events (`run_modes`), runs' starts and ends
        (`lifecycle`), state updates (`state_update`); from now, or after `last_event_id`
        (`-` for everything kept)."""
        after = None if last_event_id is None else _after(last_event_id)
        broker = self.feeds.bus.broker
        async for item in self.feeds.feed(thread_id, after):
            if isinstance(item, RunEvent):
                if "run_modes" in modes or ("lifecycle" in modes and _announces(item.item)):
                    yield item.item
            elif isinstance(item, RunEnded):
                if "run_modes" in modes or "lifecycle" in modes:
                    yield Envelope(item.last or broker.next_id(), run_done(item.run["run_id"]))
            elif "state_update" in modes:
                yield item.item

    async def state_updated(self, thread_id: str, access: Access | None) -> None:
        """Tell the thread's streams here its new state (a `state_update` event)."""
        if thread_id in self.feeds.bus.broker.watches:
            state = await self.state.get(thread_id, access=access)
            event = EncodedEvent("state_update", dumps({"state": state, "thread_id": thread_id}))
            self.feeds.bus.broker.publish_thread(thread_id, event)

    def close_all(self) -> None:
        """The server is stopping: every stream ends, every socket is hung up."""
        self.feeds.close_all()
        for connection in list(self.connections):
            connection.hang_up()


def success(ident: int, result: dict[str, Any], meta: dict[str, Any] | None) -> Event:
    found: Event = {"type": "success", "id": ident, "result": result}
    if meta is not None:
        found["meta"] = meta
    return found


def failure(ident: Any, code: str, message: str, meta: dict[str, Any] | None = None) -> Event:
    found: Event = {"type": "error", "id": ident, "error": code, "message": message}
    if meta is not None:
        found["meta"] = meta
    return found


def _after(last_event_id: str) -> str:
    """A `Last-Event-ID` as a feed's start: `-` is before everything."""
    return "0-0" if last_event_id == "-" else last_event_id


def _announces(item: Envelope) -> bool:
    """`lifecycle` keeps a run's `metadata` (its start) of the run events."""
    return item.event.event == "metadata"
