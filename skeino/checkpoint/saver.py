"""What skeino's checkpointers share: one writer for every write (committing the writes of
concurrent runs together), and a sync interface run on the event loop that opened them.

Their connections and writer answer on that loop, so a graph driven from another thread
(`invoke`, `get_state` in a worker thread, as langgraph's async savers allow) has each sync
call carried over to the loop and waits for it there.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

import anyio
import anyio.from_thread
import anyio.lowlevel
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from langgraph.checkpoint.serde.base import SerializerProtocol

from skeino.checkpoint.group_commit import Statement

T = TypeVar("T")


class Writer(Protocol):
    async def write(self, statements: Sequence[Statement]) -> None:
        """Return once `statements` are committed, as one unit: all of them or none."""


class GroupCommitSaver(BaseCheckpointSaver[str]):
    """A saver whose async methods are the real ones, made on the loop they run on. Its
    `DELETE_THREAD` statements take a thread id, its `COPY_THREAD` ones the target's id
    and the source's."""

    DELETE_THREAD: tuple[str, ...]
    COPY_THREAD: tuple[str, ...]

    def __init__(self, writer: Writer, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde)
        self._writer = writer
        self._token = anyio.lowlevel.current_token()

    async def adelete_thread(self, thread_id: str) -> None:
        await self._writer.write([(query, [(str(thread_id),)]) for query in self.DELETE_THREAD])

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Every checkpoint and write of the source under the target's id, in one commit."""
        params = [(str(target_thread_id), str(source_thread_id))]
        await self._writer.write([(query, params) for query in self.COPY_THREAD])

    def _blocking(self, fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """`fn(*args)` on the event loop, from another thread; from the loop's own thread
        it would wait for itself forever, so that is refused."""
        try:
            anyio.get_current_task()
        except RuntimeError:
            return anyio.from_thread.run(fn, *args, token=self._token)
        raise RuntimeError(
            "skeino's checkpointers' sync methods cannot run on the event loop: "
            "use the async ones (ainvoke, aget_state, ...)"
        )

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._blocking(self.aget_tuple, config)

    def list(self, config: RunnableConfig | None, **options: Any) -> Iterator[CheckpointTuple]:
        async def collect() -> list[CheckpointTuple]:
            return [found async for found in self.alist(config, **options)]

        yield from self._blocking(collect)

    def put(self, *args: Any, **kwargs: Any) -> RunnableConfig:
        return self._blocking(partial(self.aput, *args, **kwargs))

    def put_writes(self, *args: Any, **kwargs: Any) -> None:
        self._blocking(partial(self.aput_writes, *args, **kwargs))

    def delete_thread(self, thread_id: str) -> None:
        self._blocking(self.adelete_thread, thread_id)

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self._blocking(self.acopy_thread, source_thread_id, target_thread_id)

    def prune(self, thread_ids: Any, *, strategy: str = "keep_latest") -> None:
        self._blocking(partial(self.aprune, thread_ids, strategy=strategy))


def written(config: RunnableConfig, checkpoint_id: str) -> RunnableConfig:
    """What `aput` returns: the config of the checkpoint it wrote."""
    configurable = config["configurable"]
    return {
        "configurable": {
            "thread_id": configurable["thread_id"],
            "checkpoint_ns": configurable["checkpoint_ns"],
            "checkpoint_id": checkpoint_id,
        }
    }
