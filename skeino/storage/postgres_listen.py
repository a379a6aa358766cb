"""Wake-ups between processes on Postgres: `LISTEN skeino` on a connection of its own.

Storage notifies as part of its transactions (`kind:id`, ids only: a run back in the
queue (a new run is taken by the process that queued it), a cancel asked, events written,
a run ended); every process listens and wakes the part that waits for it. Polling remains
the fallback: a lost connection is reopened after a back-off, and nothing is missed for
good, only heard later.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import anyio
from psycopg import AsyncConnection, OperationalError

from skeino.storage.postgres_db import CONNECT
from skeino.storage.postgres_queue import CHANNEL

logger = logging.getLogger("skeino.storage")


class PgListener:
    def __init__(self, uri: str) -> None:
        self.uri = uri

    async def signals(self) -> AsyncIterator[tuple[str, str]]:
        """`(kind, id)` pairs as other processes (and this one) commit them, for ever."""
        delay = 0.5
        while True:
            try:
                async with await AsyncConnection.connect(self.uri, **CONNECT) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    delay = 0.5
                    async for note in conn.notifies():
                        kind, _, key = note.payload.partition(":")
                        yield kind, key
            except OperationalError as exc:
                logger.warning("listening for wake-ups failed (%s); polling meanwhile", exc)
            await anyio.sleep(delay)
            delay = min(delay * 2, 30.0)
