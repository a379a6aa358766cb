"""The broker, sans IO: fan-out, bounded buffers, resumable replay, ids and retention."""

from __future__ import annotations

import anyio
import pytest

from skeino.runs.broker import Broker
from skeino.runs.events import EncodedEvent
from skeino.runs.subscription import Envelope, Subscription

pytestmark = pytest.mark.anyio


def ev(n: int) -> EncodedEvent:
    return EncodedEvent("custom", str(n).encode())


async def drain(sub: Subscription) -> list[Envelope]:
    return [item async for item in sub]


def numbers(items: list[Envelope]) -> list[int]:
    return [int(item.event.data) for item in items if item.event.event == "custom"]


async def test_fan_out_to_every_subscriber_in_order() -> None:
    broker = Broker(buffer_limit=100)
    broker.open("r", "t", keep_log=False)
    subs = [broker.subscribe("r") for _ in range(3)]
    for n in range(10):
        broker.publish("r", ev(n))
    broker.end("r")
    for sub in subs:
        assert numbers(await drain(sub)) == list(range(10))
    assert "r" not in broker.channels  # no log kept: nothing left once it ended


async def test_a_slow_subscriber_is_cut_off_the_others_are_not() -> None:
    broker = Broker(buffer_limit=5)
    broker.open("r", None, keep_log=False)
    slow, fast = broker.subscribe("r"), broker.subscribe("r")
    received: list[Envelope] = []
    for n in range(8):
        broker.publish("r", ev(n))
        received.append(await fast.__anext__())
    assert broker.channels["r"].subscribers == {fast}  # the slow one is dropped
    broker.end("r")
    assert slow.overflowed and numbers(await drain(slow)) == list(range(5))
    assert not fast.overflowed and numbers(received) == list(range(8))


async def test_publish_says_when_a_reader_has_half_its_buffer_queued() -> None:
    broker = Broker(buffer_limit=6)
    broker.open("r", None, keep_log=False)
    assert broker.publish("r", ev(0)) is False  # no reader: nothing to wait for
    sub = broker.subscribe("r")
    assert [broker.publish("r", ev(n)) for n in range(1, 5)] == [False, False, True, True]
    assert sub.ready() is not None and sub.ready() is not None
    assert broker.publish("r", ev(5)) is True  # 3 of 6 queued again
    assert numbers(await sub.drain()) == [3, 4, 5]
    assert broker.publish("r", ev(6)) is False
    assert broker.publish("nope", ev(0)) is False


async def test_resumable_replay_after_a_given_id() -> None:
    broker = Broker(buffer_limit=100)
    broker.open("r", None, keep_log=True)
    live = broker.subscribe("r")
    for n in range(6):
        broker.publish("r", ev(n))
    broker.end("r")
    first = await drain(live)
    resumed = await drain(broker.subscribe("r", last_event_id=first[2].id))
    assert resumed == first[3:]
    assert numbers(await drain(broker.subscribe("r", last_event_id="0"))) == list(range(6))
    assert await drain(broker.subscribe("r", last_event_id=first[-1].id)) == []


async def test_join_without_last_event_id_starts_now() -> None:
    """As upstream: a finished run's log is only replayed to a reader naming an id."""
    broker = Broker(buffer_limit=100)
    broker.open("r", None, keep_log=True)
    broker.publish("r", ev(0))
    late = broker.subscribe("r")
    broker.publish("r", ev(1))
    broker.end("r")
    assert numbers(await drain(late)) == [1]
    assert await drain(broker.subscribe("r")) == []


async def test_live_resume_gets_the_log_then_the_live_events() -> None:
    broker = Broker(buffer_limit=100)
    broker.open("r", None, keep_log=True)
    broker.publish("r", ev(0))
    broker.publish("r", ev(1))
    sub = broker.subscribe("r", last_event_id="0")
    broker.publish("r", ev(2))
    broker.end("r")
    assert numbers(await drain(sub)) == [0, 1, 2]


def test_ids_are_ms_dash_seq_and_strictly_increasing() -> None:
    broker = Broker(buffer_limit=1)
    ids = [broker.next_id() for _ in range(1000)]
    keys = [tuple(int(part) for part in i.split("-")) for i in ids]
    assert all(len(i.split("-")) == 2 for i in ids)
    assert keys == sorted(set(keys))


async def test_retention_forgets_old_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    broker = Broker(buffer_limit=10, retention=60.0)
    broker.open("old", None, keep_log=True)
    broker.publish("old", ev(0))
    broker.end("old")
    clock = broker.channels["old"].ended_at
    assert clock is not None
    monkeypatch.setattr("skeino.runs.broker.time.monotonic", lambda: clock + 61.0)
    broker.open("new", None, keep_log=True)
    assert "old" not in broker.channels and "new" in broker.channels


async def test_thread_watch_gets_each_run_from_its_first_event() -> None:
    broker = Broker(buffer_limit=100)
    watch = broker.watch_thread("t")
    broker.open("a", "t", keep_log=False)
    broker.open("other", "u", keep_log=False)
    broker.publish("a", ev(1))
    broker.end("a")
    broker.publish_thread("t", ev(2))
    assert set(watch.opened) == {"a"}
    assert [item.event.data for item in await drain(watch.opened["a"])] == [b"1"]
    assert [item.event.data for item in watch.events] == [b"2"]
    broker.open("b", "t", keep_log=False)
    broker.unwatch_thread("t", watch)
    assert "t" not in broker.watches and not broker.channels["b"].subscribers


async def test_unknown_run_gives_a_closed_subscription() -> None:
    broker = Broker(buffer_limit=10)
    assert await drain(broker.subscribe("nope")) == []
    broker.publish("nope", ev(0))  # publishing to nobody is a no-op


async def test_drain_hands_over_everything_queued_at_once() -> None:
    broker = Broker(buffer_limit=100)
    broker.open("r", None, keep_log=False)
    sub = broker.subscribe("r")
    for n in range(3):
        broker.publish("r", ev(n))
    assert numbers(await sub.drain()) == [0, 1, 2]
    broker.publish("r", ev(3))
    assert numbers([await sub.__anext__()]) == [3]  # iterating one by one still works
    broker.publish("r", ev(4))
    broker.end("r")
    assert numbers(await sub.drain()) == [4]
    assert await sub.drain() == []  # ended and empty


async def test_batches_wait_for_the_next_event_and_end_with_the_stream() -> None:
    broker = Broker(buffer_limit=100)
    broker.open("r", None, keep_log=False)
    sub = broker.subscribe("r")
    got: list[list[int]] = []

    async def read() -> None:
        async for batch in sub.batches():
            got.append(numbers(batch))

    async with anyio.create_task_group() as tg:
        tg.start_soon(read)
        await anyio.wait_all_tasks_blocked()
        broker.publish("r", ev(0))
        broker.publish("r", ev(1))
        await anyio.wait_all_tasks_blocked()
        broker.publish("r", ev(2))
        broker.end("r")
    assert got == [[0, 1], [2]]
