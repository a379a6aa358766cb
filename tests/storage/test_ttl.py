"""Thread TTL rows and named leases, on every backend."""

from __future__ import annotations

import pytest

from skeino.services.threads import new_thread
from skeino.storage import Storage

pytestmark = pytest.mark.anyio


async def test_expired_threads_come_longest_expired_first_and_go_with_their_thread(
    storage: Storage,
) -> None:
    for thread_id in ("a", "b", "c"):
        await storage.create_thread(new_thread(thread_id, {}))
    await storage.set_thread_ttl("a", "delete", 2, now=100.0)  # expires at 220
    await storage.set_thread_ttl("b", "keep_latest", 1, now=100.0)  # 160
    await storage.set_thread_ttl("c", "delete", 10, now=100.0)  # 700
    assert await storage.expired_threads(159.0, 10) == []
    assert await storage.expired_threads(230.0, 10) == [("b", "keep_latest"), ("a", "delete")]
    assert await storage.expired_threads(230.0, 1) == [("b", "keep_latest")]
    await storage.touch_thread_ttl("b", now=200.0)  # 260
    await storage.touch_thread_ttl("missing", now=200.0)
    assert await storage.expired_threads(230.0, 10) == [("a", "delete")]
    await storage.delete_thread("a")
    assert await storage.expired_threads(10_000.0, 10) == [("b", "keep_latest"), ("c", "delete")]


async def test_a_lease_is_held_by_one_holder_until_it_ends(storage: Storage) -> None:
    assert await storage.take_lease("job", "p1", now=0.0, until=60.0)
    assert not await storage.take_lease("job", "p2", now=30.0, until=90.0)
    assert await storage.take_lease("job", "p1", now=30.0, until=90.0)  # renewed by its holder
    assert await storage.take_lease("other", "p2", now=30.0, until=90.0)
    assert await storage.take_lease("job", "p2", now=90.0, until=150.0)  # ended: free again
    assert not await storage.take_lease("job", "p1", now=100.0, until=160.0)
