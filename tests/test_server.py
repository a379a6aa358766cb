"""skeino on a real hypercorn socket: client disconnects, thread streams, webhooks."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from hypercorn.asyncio import serve
from hypercorn.config import Config
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

import skeino
from skeino.settings import WebhookSettings
from tests.conftest import MANIFEST
from tests.hooks import receiving
from tests.metrics.prometheus import parse

pytestmark = pytest.mark.anyio


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def serving(app: Any, port: int, stop: anyio.Event) -> None:
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.graceful_timeout = 1.0
    await serve(app, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    settings = skeino.SkeinoSettings(
        database_uri=f"sqlite:///{tmp_path}/server.db",
        heartbeat_seconds=0.5,
        webhooks=WebhookSettings(disable_loopback=False),  # the tests' hooks are local
    )
    app = skeino.from_langgraph_json(MANIFEST, settings=settings)
    port, stop = free_port(), anyio.Event()
    async with anyio.create_task_group() as tg:
        tg.start_soon(serving, app, port, stop)
        url = f"http://127.0.0.1:{port}"
        with anyio.fail_after(10):
            async with httpx.AsyncClient() as probe:
                while True:
                    try:
                        if (await probe.get(url + "/ok")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await anyio.sleep(0.05)
        yield url
        stop.set()


@pytest.fixture
async def client(server: str) -> AsyncIterator[LangGraphClient]:
    """The SDK as users get it (`get_client`), closed after the test."""
    sdk = get_client(url=server)
    yield sdk
    await sdk.aclose()


async def first_events(url: str, path: str, body: dict[str, Any], count: int) -> str:
    """Open a stream, read `count` events, then drop the connection mid-stream."""
    seen = 0
    async with (
        httpx.AsyncClient(base_url=url) as http,
        http.stream("POST", path, json=body) as response,
    ):
        run_path = response.headers["content-location"]
        async for line in response.aiter_lines():
            seen += line.startswith("event: ")
            if seen >= count:
                break
    return run_path


async def final_status(client: LangGraphClient, run_path: str) -> str:
    _, _, thread_id, _, run_id = run_path.split("/")
    await client.runs.join(thread_id, run_id)
    return (await client.runs.get(thread_id, run_id))["status"]


@pytest.mark.parametrize(("mode", "status"), [("cancel", "interrupted"), ("continue", "success")])
async def test_stream_disconnect(
    server: str, client: LangGraphClient, mode: str, status: str
) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    body = {
        "assistant_id": "slow",
        "input": {"delay": 1.0, "steps": 5},
        "on_disconnect": mode,
    }
    run_path = await first_events(server, f"/threads/{thread_id}/runs/stream", body, 2)
    assert await final_status(client, run_path) == status


async def test_join_stream_cancel_on_disconnect(server: str, client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    # resumable, joined from the first event: the join sees an event at once, however far
    # the run got before it subscribed (the slow graph emits nothing else until it ends)
    body = {"delay": 2.0, "steps": 10}
    run = await client.runs.create(thread_id, "slow", input=body, stream_resumable=True)
    async with httpx.AsyncClient(base_url=server) as http:
        path = f"/threads/{thread_id}/runs/{run['run_id']}/stream"
        params = {"cancel_on_disconnect": "true"}
        headers = {"last-event-id": "0-0"}
        async with http.stream("GET", path, params=params, headers=headers) as response:
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    break
    await client.runs.join(thread_id, run["run_id"])
    assert (await client.runs.get(thread_id, run["run_id"]))["status"] == "interrupted"


async def test_thread_stream_sees_every_run_and_run_done(
    server: str, client: LangGraphClient
) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    seen: list[Any] = []

    async def listen() -> None:
        async for part in await client.threads.join_stream(thread_id):
            seen.append(part)
            if [p.data.get("status") for p in seen if p.event == "metadata"].count("run_done") == 2:
                return

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(listen)
            await anyio.sleep(0.3)
            for _ in range(2):
                await client.runs.wait(thread_id, "slow", input={"delay": 0})
    assert [p.event for p in seen].count("values") == 6
    assert all(p.id for p in seen)


async def test_webhook_is_posted_when_the_run_ends(client: LangGraphClient) -> None:
    async with receiving() as hook:
        thread_id = (await client.threads.create())["thread_id"]
        out = await client.runs.wait(thread_id, "slow", input={"delay": 0}, webhook=hook.url)
        assert out["log"] == ["worked:1", "done"]  # the run never waits for its webhook
        head, body = await hook.first()
    assert head.startswith(b"POST /hook ")
    assert b'"status":"success"' in body and thread_id.encode() in body


async def test_a_webhook_path_is_posted_to_this_server(
    client: LangGraphClient, server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A relative webhook (allowed: `disable_loopback` is false) resolves against the
    server's own URL, as upstream; `/ok` answers a POST with 405, which the webhook's log
    names with the full URL."""
    thread_id = (await client.threads.create())["thread_id"]
    with caplog.at_level("WARNING", logger="skeino.webhook"):
        await client.runs.wait(thread_id, "slow", input={"delay": 0}, webhook="/ok")
        with anyio.fail_after(5):
            while f"webhook {server}/ok answered 405" not in caplog.text:
                await anyio.sleep(0.05)


async def test_metrics_count_open_streams(client: LangGraphClient, server: str) -> None:
    """A live stream is a subscriber in `/metrics` until it is closed."""

    async def subscribers() -> float:
        async with httpx.AsyncClient() as http:
            text = (await http.get(f"{server}/metrics")).text
        return parse(text).value("lg_api_stream_subscribers")

    tid = (await client.threads.create())["thread_id"]
    async for part in client.runs.stream(tid, "slow", input={"delay": 60}):
        assert part.event == "metadata"
        assert await subscribers() == 1
        await client.runs.cancel(tid, part.data["run_id"], wait=True)
        break
    assert await subscribers() == 0
