"""The Postgres backend: everything in one database that many processes share.

Needs the `postgres` extra (`pip install 'skeino[postgres]'`): psycopg 3 with its pool,
and langgraph's Postgres checkpointer (its tables) and store. Per process it keeps two
pools of at most `POOL_SIZE` connections each, one for skeino's tables and one for
langgraph's, and the checkpointer's writer connection (skeino's own checkpointer,
`PostgresCheckpointer`, commits every run's checkpoints together on it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from langgraph.store.postgres.aio import AsyncPostgresStore
from psycopg import errors
from psycopg.rows import dict_row

from skeino.backend import Backend, StoreOptions
from skeino.checkpoint.postgres_saver import open_postgres_saver
from skeino.crons.postgres import PostgresCronStore
from skeino.storage.postgres import PostgresStorage
from skeino.storage.postgres_db import PgDatabase, pool
from skeino.storage.postgres_listen import PgListener
from skeino.storage.postgres_schema import LOCK, set_up_alone

POOL_SIZE = 10


@asynccontextmanager
async def open_postgres(uri: str, options: StoreOptions) -> AsyncIterator[Backend]:
    async with AsyncExitStack() as stack:
        db = await PgDatabase.open(uri, POOL_SIZE)
        stack.push_async_callback(db.close)
        shared = pool(uri, POOL_SIZE, row_factory=dict_row)
        await shared.open(wait=True)
        stack.push_async_callback(shared.close)
        saver = await stack.enter_async_context(open_postgres_saver(uri, shared))
        store = AsyncPostgresStore(shared, index=options.index, ttl=options.ttl)  # type: ignore[arg-type]
        async with db.pool.connection() as conn, set_up_alone(conn, LOCK):
            await saver.setup()  # one process at a time
            await _set_up_store(store, options)
        storage = PostgresStorage(db)
        crons = PostgresCronStore(db)
        yield Backend(storage, crons, storage, saver, store, PgListener(uri))


async def _set_up_store(store: AsyncPostgresStore, options: StoreOptions) -> None:
    try:
        await store.setup()
    except errors.FeatureNotSupported as exc:
        if options.index is None:
            raise
        raise ValueError(
            "store.index on Postgres needs the pgvector extension (CREATE EXTENSION vector)"
        ) from exc
