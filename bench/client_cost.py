"""What the load generator costs: CPU per request of httpx and of `bench.wire`.

Client and server share the machine's cores, so a client that spends more CPU per request
than the server caps the rate figures. Measured in the bench's own process (the servers
are other processes) with `time.process_time`, 32 requests in flight against skeino on
SQLite, on a trivial endpoint (`GET /ok`) and on thread create; the server's CPU over the
same loop says how busy it was while the client drove it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from bench import procs, servers
from bench.client import open_clients
from bench.sizes import Sizes
from bench.timing import bounded
from bench.workloads import CONCURRENCY, Figures, create_thread


async def _cost(
    label: str, call: Callable[[int], Awaitable[object]], sizes: Sizes, pid: int
) -> Figures:
    """Client CPU µs per request, requests/s, and the server's busy share over the loop."""
    await bounded(call, CONCURRENCY, sizes.budget_s, CONCURRENCY)  # open the connections
    cpu, server_cpu = time.process_time(), procs.cpu_seconds(pid)
    loop = await bounded(call, sizes.threads, sizes.budget_s, CONCURRENCY)
    cpu, server_cpu = time.process_time() - cpu, procs.cpu_seconds(pid) - server_cpu
    done = max(loop.done, 1)
    return {
        f"{label}_client_cpu_us": cpu / done * 1e6,
        f"{label}_per_s": loop.rate,
        f"{label}_client_busy": cpu / loop.seconds,
        f"{label}_server_busy": server_cpu / loop.seconds,
        f"{label}_errors": loop.errors,
    }


async def client_cost(sizes: Sizes) -> Figures:
    """httpx and `bench.wire` on `GET /ok` and `POST /threads`, against skeino on SQLite."""
    figures: Figures = {}
    with servers.skeino_cli() as server:
        pid = server.process.pid
        async with open_clients(server.url) as (http, wire):

            async def httpx_ok(_: int) -> None:
                (await http.get("/ok")).raise_for_status()

            async def httpx_thread(_: int) -> None:
                response = await http.post("/threads", json={})
                response.raise_for_status()
                if not response.json()["thread_id"]:
                    raise ValueError("no thread_id")

            calls: dict[str, Callable[[int], Awaitable[object]]] = {
                "httpx_ok": httpx_ok,
                "wire_ok": lambda worker: wire.request(worker, "GET", "/ok"),
                "httpx_thread_create": httpx_thread,
                "wire_thread_create": lambda worker: create_thread(wire, worker),
            }
            for label, call in calls.items():
                print(f"  [client cost] {label} ...", flush=True)
                figures |= await _cost(label, call, sizes, pid)
    return figures
