"""Fan-out of run events to stream subscribers, with replay for resumable streams.

The run engine publishes synchronously and never waits for a reader. Each subscriber has a
bounded buffer; one that falls `limit` events behind is cut off: its stream ends with an
`error` event (`SlowConsumer`), and a resumable client reconnects with `Last-Event-ID` to
replay what it missed. Runs created with `stream_resumable` keep their whole event log until
`retention` seconds after they end; others keep none. As upstream, a join replays only when
it names a `Last-Event-ID`: without one it starts at "now" (and gets nothing once the run
ended). A thread's watchers get a subscription of every run of the thread opened here,
made as the run's channel opens (so before its first event), and the thread's own
events (state updates).

The broker is the in-process bus. Where the database is shared by several processes, a
`sink` (the `EventRelay`) also receives every published envelope, to keep it in the
database's event log for streams read from other processes.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import Any

import anyio

from skeino.runs.events import EncodedEvent
from skeino.runs.subscription import Envelope, Subscription, id_key
from skeino.runs.watch import ThreadWatch
from skeino.storage.base import NO_OUTPUT

SLOW_CONSUMER = EncodedEvent(
    "error",
    b'{"error":"SlowConsumer","message":"The client fell too far behind the run and was '
    b'disconnected; reconnect with Last-Event-ID to resume a resumable stream."}',
)


def run_done(run_id: str) -> EncodedEvent:
    """What a thread stream gets when one of its runs ends (the official wire)."""
    return EncodedEvent("metadata", b'{"status":"run_done","run_id":"' + run_id.encode() + b'"}')


class RunChannel:
    """The events of one run: the optional log, and the live subscribers."""

    def __init__(self, run_id: str, thread_id: str | None, keep_log: bool) -> None:
        self.run_id = run_id
        self.thread_id = thread_id
        self.keep_log = keep_log
        self.log: list[Envelope] = []
        self.subscribers: set[Subscription] = set()
        self.opened_at = time.monotonic()
        self.ended_at: float | None = None


Sink = Callable[[str, str | None, Envelope], None]


class Ending:
    """Set when a run ends in this process, with its output: a run deleted as it ends (a
    stateless one) leaves nothing in storage for its waiters to read."""

    __slots__ = ("__weakref__", "event", "output")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.output: Any = NO_OUTPUT


class Broker:
    """Every live run's channel, and each thread's subscribers (thread-level streams)."""

    def __init__(
        self, buffer_limit: int, retention: float = 300.0, sink: Sink | None = None
    ) -> None:
        self.buffer_limit = buffer_limit
        self.retention = retention
        self.sink = sink
        self.channels: dict[str, RunChannel] = {}
        self.watches: dict[str, set[ThreadWatch]] = {}
        self._last = (0, -1)
        self._endings: weakref.WeakValueDictionary[str, Ending] = weakref.WeakValueDictionary()

    def open(self, run_id: str, thread_id: str | None, keep_log: bool) -> RunChannel:
        self._sweep()
        channel = self.channels.get(run_id)
        if channel is None:
            channel = self.channels[run_id] = RunChannel(run_id, thread_id, keep_log)
            for watch in self.watches.get(thread_id or "", ()):
                sub = Subscription(self.buffer_limit)
                channel.subscribers.add(sub)
                watch.opened[run_id] = sub
                watch.poke()
        return channel

    def next_id(self) -> str:
        """`<ms>-<seq>` as Redis streams (and the official server) number events: the
        sequence restarts each millisecond, and ids never go back even if the clock does."""
        last_ms, last_seq = self._last
        ms = int(time.time() * 1000)
        if ms <= last_ms:
            ms, seq = last_ms, last_seq + 1
        else:
            seq = 0
        self._last = (ms, seq)
        return f"{ms}-{seq}"

    def publish(self, run_id: str, event: EncodedEvent) -> bool:
        """Queue the event for every reader; True when one of them has half its buffer
        queued, so the publisher should let it run before it falls `limit` behind."""
        channel = self.channels.get(run_id)
        if channel is None:
            return False
        item = Envelope(self.next_id(), event)
        if self.sink is not None:
            self.sink(run_id, channel.thread_id, item)
        if channel.keep_log:
            channel.log.append(item)
        return bool(channel.subscribers) and _fan_out(channel.subscribers, item)

    def publish_thread(self, thread_id: str, event: EncodedEvent) -> None:
        """An event of the thread itself (a state update), to its watchers here."""
        for watch in self.watches.get(thread_id, ()):
            watch.events.append(Envelope(self.next_id(), event))
            watch.poke()

    def ending(self, run_id: str) -> Ending:
        """Set when `end(run_id)` is called in this process (kept while referenced)."""
        signal = self._endings.get(run_id)
        if signal is None:
            signal = self._endings[run_id] = Ending()
        return signal

    def live(self, run_id: str) -> bool:
        """The run's channel is open here and has not ended."""
        channel = self.channels.get(run_id)
        return channel is not None and channel.ended_at is None

    def heard_end(self, run_id: str) -> None:
        """The run ended in another process: wake this process's waiters (they read its
        output from storage)."""
        signal = self._endings.pop(run_id, None)
        if signal is not None:
            signal.event.set()

    def end(self, run_id: str, output: Any = NO_OUTPUT) -> None:
        """The run finished: live readers end; the log stays for late resumable joins."""
        signal = self._endings.pop(run_id, None)
        if signal is not None:
            signal.output = output
            signal.event.set()
        channel = self.channels.get(run_id)
        if channel is None:
            return
        channel.ended_at = time.monotonic()
        for sub in channel.subscribers:
            sub.close()
        channel.subscribers.clear()
        if not channel.keep_log:
            del self.channels[run_id]

    def subscribe(self, run_id: str, last_event_id: str | None = None) -> Subscription:
        """A reader of a run; with `last_event_id`, the logged events after it come first."""
        sub = Subscription(self.buffer_limit)
        channel = self.channels.get(run_id)
        if channel is None:
            sub.close()
            return sub
        if last_event_id is not None:
            after = id_key(last_event_id)
            for item in channel.log:
                if item.key > after:
                    sub.push(item)
        if channel.ended_at is None:
            channel.subscribers.add(sub)
        else:
            sub.close()
        return sub

    def unread(self, older_than: float, limit: int) -> list[str]:
        """Live channels opened over `older_than` seconds ago that no one reads."""
        cutoff = time.monotonic() - older_than
        found = [
            run_id
            for run_id, c in self.channels.items()
            if c.ended_at is None and not c.subscribers and c.opened_at < cutoff
        ]
        return found[:limit]

    def move(self, run_id: str) -> None:
        """The run goes on in another process: its readers here end, marked as moved."""
        channel = self.channels.pop(run_id, None)
        if channel is not None:
            for sub in channel.subscribers:
                sub.moved = True
                sub.close()

    def discard(self, run_id: str) -> None:
        """Forget a channel no one reads, of a run that executes in another process."""
        channel = self.channels.get(run_id)
        if channel is not None and not channel.subscribers and channel.ended_at is None:
            del self.channels[run_id]

    def unsubscribe(self, run_id: str, sub: Subscription) -> None:
        channel = self.channels.get(run_id)
        if channel is not None:
            channel.subscribers.discard(sub)
        sub.close()

    def watch_thread(self, thread_id: str) -> ThreadWatch:
        watch = ThreadWatch()
        self.watches.setdefault(thread_id, set()).add(watch)
        return watch

    def unwatch_thread(self, thread_id: str, watch: ThreadWatch) -> None:
        watches = self.watches.get(thread_id)
        if watches is not None:
            watches.discard(watch)
            if not watches:
                del self.watches[thread_id]
        for run_id, sub in watch.opened.items():
            self.unsubscribe(run_id, sub)
        watch.opened.clear()

    def is_live(self, run_id: str) -> bool:
        channel = self.channels.get(run_id)
        return channel is not None and channel.ended_at is None

    def _sweep(self) -> None:
        """Forget logs of runs that ended more than `retention` seconds ago."""
        cutoff = time.monotonic() - self.retention
        stale = [k for k, c in self.channels.items() if c.ended_at and c.ended_at < cutoff]
        for run_id in stale:
            del self.channels[run_id]


def _fan_out(subscribers: set[Subscription], item: Envelope) -> bool:
    """Push to each; whether one of them is backlogged (half its buffer queued)."""
    dropped = None
    backlogged = False
    for sub in subscribers:
        if not sub.push(item):
            dropped = [sub] if dropped is None else [*dropped, sub]
        elif sub.backlogged:
            backlogged = True
    if dropped is not None:
        subscribers.difference_update(dropped)
    return backlogged
