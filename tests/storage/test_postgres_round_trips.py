"""What one `runs.wait` costs skeino's own Postgres storage, in round trips.

Counted at the driver (psycopg's cursor and transaction entry points, wrapped so they still
do their work), not timed: an upper bound, so a change that adds statements or
transactions to the run path shows up here. The checkpointer (langgraph's `checkpoint*`
tables) is counted apart: its reads, and its writer's transactions (each one round trip,
its statements pipelined).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

import skeino
from tests.postgres import fresh_schema

ROOT = Path(__file__).resolve().parents[2]
RUNS = 10
# Measured 6 per run (read assistant, read thread, create, claim, claim again for the
# thread's next run, end); 44 before this bound. The event log's writer
# may flush a run's events before its end (+1); the queue's poll, which is timed and not
# per run, is slowed down so as not to be counted.
SKEINO_ROUND_TRIPS_PER_RUN = 8
# Measured 5.6 per run one at a time (2 reads, 3.6 commits; langgraph's saver sent 8: 2 reads
# and 6 put statements). Concurrent runs share commits on top.
CHECKPOINTER_ROUND_TRIPS_PER_RUN = 7
POLL_SECONDS = 300.0

pytestmark = pytest.mark.anyio


class Spy:
    """Statements and BEGIN/COMMIT pairs sent while `on`, by whose tables they touch."""

    def __init__(self) -> None:
        self.on = False
        self.counts: Counter[str] = Counter()

    def wrap(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in ("execute", "executemany"):
            monkeypatch.setattr(psycopg.AsyncCursor, name, self._statement(name))
        for connection, key in (
            (psycopg.AsyncConnection, "transaction blocks"),
            (psycopg.Connection, "checkpoint writer transactions"),  # its thread's, sync
        ):
            monkeypatch.setattr(connection, "transaction", self._transaction(connection, key))

    def _transaction(self, connection: type, key: str) -> Any:
        begin = connection.transaction

        def counted(conn: Any, *args: Any, **kwargs: Any) -> Any:
            if self.on:
                self.counts[key] += 1
            return begin(conn, *args, **kwargs)

        return counted

    def _statement(self, name: str) -> Any:
        original = getattr(psycopg.AsyncCursor, name)

        async def counted(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            if self.on:
                self.counts["langgraph" if "checkpoint" in str(query) else "skeino"] += 1
            return await original(cursor, query, *args, **kwargs)

        return counted


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    watcher = Spy()
    watcher.wrap(monkeypatch)
    return watcher


async def test_a_run_costs_few_round_trips(spy: Spy) -> None:
    manifest = ROOT / "bench" / "langgraph.json"
    with fresh_schema() as uri:
        app = skeino.from_langgraph_json(
            manifest, settings=skeino.SkeinoSettings(database_uri=uri, poll_seconds=POLL_SECONDS)
        )
        async with app.running():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
                thread_id = (await http.post("/threads", json={})).json()["thread_id"]
                body = {"assistant_id": "one_node", "input": {"value": 1}}
                path = f"/threads/{thread_id}/runs/wait"
                assert (await http.post(path, json=body)).status_code == 200  # warm up
                spy.on = True
                for _ in range(RUNS):
                    assert (await http.post(path, json=body)).json() == {"value": 2}
                spy.on = False
    counts = spy.counts
    skeino_trips = counts["skeino"] + 2 * counts["transaction blocks"]
    assert skeino_trips <= RUNS * SKEINO_ROUND_TRIPS_PER_RUN, dict(counts)
    checkpointer_trips = counts["langgraph"] + counts["checkpoint writer transactions"]
    assert counts["checkpoint writer transactions"] > 0  # the spy saw the writer too
    assert checkpointer_trips <= RUNS * CHECKPOINTER_ROUND_TRIPS_PER_RUN, dict(counts)
