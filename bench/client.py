"""The clients both servers get alike: raw httpx with a minimal SSE reader for streams and
reads, and `bench.wire` for the rate workloads (thread create, runs.wait).

Raw httpx rather than langgraph_sdk keeps the client's own CPU cost low and identical for
both servers (client and server share the machine's cores); `bench.wire` costs about a
sixth of httpx's CPU per request, which matters where the rate is the figure.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.wire import Client


def open_client(url: str, connections: int = 1100) -> httpx.AsyncClient:
    """A keep-alive pool large enough for the widest concurrent workload."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=url, limits=limits, timeout=httpx.Timeout(300.0))


@asynccontextmanager
async def open_clients(url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Client]]:
    """httpx for streams and reads, the light wire client for the rate workloads."""
    async with open_client(url) as http, Client(url) as wire:
        yield http, wire


async def wait_run(
    client: httpx.AsyncClient,
    thread_id: str,
    graph: str,
    payload: dict[str, Any],
    config: dict[str, Any] | None = None,
) -> Any:
    body: dict[str, Any] = {"assistant_id": graph, "input": payload}
    if config:
        body["config"] = config
    response = await client.post(f"/threads/{thread_id}/runs/wait", json=body)
    response.raise_for_status()
    return response.json()


async def get_state(client: httpx.AsyncClient, thread_id: str) -> None:
    response = await client.get(f"/threads/{thread_id}/state")
    response.raise_for_status()


async def get_history(client: httpx.AsyncClient, thread_id: str, limit: int) -> int:
    response = await client.post(f"/threads/{thread_id}/history", json={"limit": limit})
    response.raise_for_status()
    return len(response.json())


@dataclass
class Stream:
    """Arrival times (perf_counter) of the SSE events of one run, by event name prefix."""

    started: float
    times: dict[str, list[float]] = field(default_factory=dict)

    def of(self, prefix: str) -> list[float]:
        return [t for name, ts in self.times.items() if name.startswith(prefix) for t in ts]


async def stream_run(
    client: httpx.AsyncClient,
    thread_id: str,
    graph: str,
    payload: dict[str, Any],
    modes: list[str],
) -> Stream:
    """POST runs/stream and timestamp each `event:` line; raise on an `error` event."""
    body = {"assistant_id": graph, "input": payload, "stream_mode": modes}
    stream = Stream(time.perf_counter())
    pending = b""
    async with client.stream("POST", f"/threads/{thread_id}/runs/stream", json=body) as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            now = time.perf_counter()
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            for line in lines:
                if line.startswith(b"event:"):
                    name = line[6:].strip().decode()
                    stream.times.setdefault(name, []).append(now)
    if "error" in stream.times:
        raise RuntimeError(f"run on {thread_id} streamed an error event")
    return stream
