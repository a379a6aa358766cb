"""Thread streams under custom auth, on a real socket: a WebSocket is authenticated by its
handshake's headers as an HTTP request is, and sees only the caller's threads."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

import skeino
from conformance.graphs.chat import graph as chat
from tests.auth.owners import auth
from tests.multiprocess.test_kill import ready
from tests.test_server import free_port, serving

pytestmark = pytest.mark.anyio

A, B = {"Authorization": "Bearer token-a"}, {"Authorization": "Bearer token-b"}
CHAT = {"messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    settings = skeino.SkeinoSettings(database_uri=f"sqlite:///{tmp_path}/auth.db")
    app = skeino.create_app(graphs={"chat": chat}, settings=settings, auth=auth)
    port, stop = free_port(), anyio.Event()
    async with anyio.create_task_group() as tg:
        tg.start_soon(serving, app, port, stop)
        url = f"http://127.0.0.1:{port}"
        with anyio.fail_after(10):
            await ready(url)
        yield url
        stop.set()


def socket_url(server: str, thread_id: str) -> str:
    return server.replace("http://", "ws://") + f"/threads/{thread_id}/stream/events"


async def started_thread(server: str) -> str:
    """A thread of user a, made by a protocol run.start, once the run ended."""
    thread_id = str(uuid.uuid4())
    body = {"id": 1, "method": "run.start", "params": {"assistant_id": "chat", "input": CHAT}}
    async with httpx.AsyncClient(base_url=server, headers=A) as http:
        run = (await http.post(f"/threads/{thread_id}/commands", json=body)).json()
        await http.get(f"/threads/{thread_id}/runs/{run['result']['run_id']}/join")
    return thread_id


async def refused(url: str, headers: dict[str, str] | None = None) -> int:
    with pytest.raises(InvalidStatus) as found:
        async with connect(url, additional_headers=headers):
            pass
    return int(found.value.response.status_code)


async def test_socket_needs_credentials_and_the_thread(server: str) -> None:
    thread_id = await started_thread(server)
    assert await refused(socket_url(server, thread_id)) == 403  # no token
    assert await refused(socket_url(server, thread_id), B) == 403  # not b's thread
    async with httpx.AsyncClient(base_url=server, headers=B) as http:
        other = await http.post(
            f"/threads/{thread_id}/stream/events", json={"channels": ["values"]}
        )
    assert other.status_code == 404
    subscribe = {"id": 1, "method": "subscription.subscribe", "params": {"channels": ["lifecycle"]}}
    frames: list[Any] = []
    async with connect(socket_url(server, thread_id), additional_headers=A) as ws:
        await ws.send(json.dumps(subscribe))
        with anyio.fail_after(20):
            while len(frames) < 3:  # the answer, then the replayed run's lifecycle
                frames.append(json.loads(await ws.recv()))
    assert frames[0]["type"] == "success"
    assert [f["params"]["data"]["event"] for f in frames[1:]] == ["running", "completed"]
