"""skeino's own checkpointers: langgraph's storage of graph state, built for a server.

`open_sqlite_saver(path)` keeps langgraph-checkpoint-sqlite's tables and serialisation (a
file stays readable by langgraph's own `SqliteSaver`) but commits the writes of all
concurrent runs together and reads on connections of their own. `postgres_saver` does the
same with langgraph-checkpoint-postgres's tables (it is imported from there alone, as
psycopg is an optional extra).
"""

from skeino.checkpoint.sqlite_saver import SqliteCheckpointer, open_sqlite_saver

__all__ = ["SqliteCheckpointer", "open_sqlite_saver"]
