"""skeino's own checkpointers: langgraph's storage of graph state, built for a server.

`open_sqlite_saver(path)` keeps langgraph-checkpoint-sqlite's tables and serialisation (a
file stays readable by langgraph's own `SqliteSaver`) but commits the writes of all
concurrent runs together and reads on connections of their own.
"""

from skeino.checkpoint.sqlite_saver import SqliteCheckpointer, open_sqlite_saver

__all__ = ["SqliteCheckpointer", "open_sqlite_saver"]
