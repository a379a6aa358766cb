"""Property: for any documents and filters, every backend returns the same page and total.

SQLite answers part of a filter in SQL (json_extract) and the rest through the shared Python
predicate; this is what proves that split never changes an answer.
"""

from __future__ import annotations

from typing import Any

import anyio
import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from skeino.storage import Page, Storage, ThreadQuery
from skeino.storage.memory import MemoryStorage
from skeino.storage.sqlite import SqliteStorage
from tests.postgres import SERVER, SKIPPED, fresh_schema
from tests.storage.records import thread, ts

KEYS = st.sampled_from(["a", "b", "c", "a.b", 'q"t', "b\\s", "n\nl", "", "é", "x\x00"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0, 1, 1.0, -0.0, 0.1, "", "1", "true", "null", "x\x00y", "x"])
    | st.text(max_size=4)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)
DOCUMENTS = st.dictionaries(KEYS, JSON, max_size=4)
STATUSES = st.sampled_from(["idle", "busy", "error"])
SORTS = st.sampled_from(["thread_id", "status", "created_at", "updated_at", "state_updated_at"])


@st.composite
def subset_of(draw: st.DrawFn, documents: list[dict[str, Any]]) -> dict[str, Any]:
    """A filter likely to match: some items of one of the documents, sometimes altered."""
    if not documents or draw(st.booleans()):
        return draw(DOCUMENTS)
    document = draw(st.sampled_from(documents))
    keys = draw(st.lists(st.sampled_from(sorted(document)), unique=True)) if document else []
    chosen = {key: document[key] for key in keys}
    if chosen and draw(st.booleans()):
        chosen[draw(st.sampled_from(sorted(chosen)))] = draw(JSON)
    return chosen


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Any], ThreadQuery, Page]:
    count = draw(st.integers(0, 8))
    threads = [
        thread(
            f"t{index}",
            created_at=ts(draw(st.integers(0, 3))),
            updated_at=ts(draw(st.integers(0, 3))),
            state_updated_at=ts(draw(st.integers(0, 3))),
            status=draw(STATUSES),
            metadata=draw(DOCUMENTS),
            values=draw(st.none() | DOCUMENTS),
        )
        for index in range(count)
    ]
    query = ThreadQuery(
        metadata=draw(subset_of([t["metadata"] for t in threads])),
        values=draw(subset_of([t["values"] for t in threads if t["values"] is not None])),
        status=draw(st.none() | STATUSES),
        ids=draw(st.none() | st.lists(st.sampled_from([f"t{i}" for i in range(10)]))),
    )
    page = Page(
        limit=draw(st.integers(0, 10)),
        offset=draw(st.integers(0, 9)),
        sort_by=draw(SORTS),
        sort_order=draw(st.sampled_from(["asc", "desc"])),
    )
    return threads, query, page


async def _search(storage: Storage, threads: list[Any], query: ThreadQuery, page: Page) -> Any:
    await storage.open()
    try:
        for record in threads:
            await storage.create_thread(record)
        found, total = await storage.search_threads(query, page)
        everything, _ = await storage.search_threads(ThreadQuery(), Page(limit=100))
        return [t["thread_id"] for t in found], total, everything
    finally:
        await storage.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_memory_and_sqlite_agree(scenario: tuple[list[Any], ThreadQuery, Page]) -> None:
    threads, query, page = scenario
    memory = anyio.run(_search, MemoryStorage(), threads, query, page)
    sqlite = anyio.run(_search, SqliteStorage(":memory:"), threads, query, page)
    assert memory == sqlite


async def _search_postgres(uri: str, threads: list[Any], query: ThreadQuery, page: Page) -> Any:
    from skeino.storage.postgres import PostgresStorage
    from skeino.storage.postgres_db import PgDatabase

    db = await PgDatabase.open(uri, 2)
    try:
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM threads")
        return await _search(PostgresStorage(db), threads, query, page)
    finally:
        await db.close()


def as_floats(value: Any) -> Any:
    """jsonb keeps a number's decimal digits (2.7e16 reads back as an integer): compare
    numbers as numbers."""
    if isinstance(value, dict):
        return {k: as_floats(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_floats(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


@pytest.mark.skipif(not SERVER, reason=SKIPPED)
def test_memory_and_postgres_agree() -> None:
    with fresh_schema() as uri:

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(scenarios())
        def agree(scenario: tuple[list[Any], ThreadQuery, Page]) -> None:
            threads, query, page = scenario
            assume("\\u0000" not in orjson.dumps(threads).decode())  # Postgres refuses NUL text
            memory = anyio.run(_search, MemoryStorage(), threads, query, page)
            found = anyio.run(_search_postgres, uri, threads, query, page)
            assert as_floats(found) == as_floats(memory)

        agree()
