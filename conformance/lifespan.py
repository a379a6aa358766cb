"""Drive an ASGI app's lifespan protocol: in-process replays start the app as a server would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Send `lifespan.startup`, yield while the app runs, then send `lifespan.shutdown`."""
    to_app, app_inbox = anyio.create_memory_object_stream[dict[str, Any]](2)
    app_outbox, from_app = anyio.create_memory_object_stream[dict[str, Any]](2)
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
    async with to_app, app_inbox, app_outbox, from_app, anyio.create_task_group() as group:
        group.start_soon(app, scope, app_inbox.receive, app_outbox.send)
        await _step(to_app, from_app, "startup")
        try:
            yield
        finally:
            await _step(to_app, from_app, "shutdown")


async def _step(
    to_app: anyio.abc.ObjectSendStream[dict[str, Any]],
    from_app: anyio.abc.ObjectReceiveStream[dict[str, Any]],
    phase: str,
) -> None:
    await to_app.send({"type": f"lifespan.{phase}"})
    message = await from_app.receive()
    if message["type"] != f"lifespan.{phase}.complete":
        raise RuntimeError(f"lifespan {phase} failed: {message.get('message', message['type'])}")
