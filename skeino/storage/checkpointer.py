"""LangGraph's SQLite checkpointer, opened on the server's database file.

Graph state lives in a langgraph checkpointer rather than in skeino's tables; the SQLite
backend puts `AsyncSqliteSaver`'s tables in the very file of `SqliteStorage` (through a
connection of its own, tuned alike), so one file is one server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from skeino.storage.sqlite_db import PRAGMAS, ensure_parent


@asynccontextmanager
async def sqlite_saver(path: str) -> AsyncIterator[AsyncSqliteSaver]:
    """AsyncSqliteSaver on its own connection, with its tables made."""
    ensure_parent(path)
    async with aiosqlite.connect(path) as conn:
        for pragma in PRAGMAS:
            await conn.execute_fetchall(pragma)
        saver = AsyncSqliteSaver(conn)
        await saver.setup()
        yield saver
