"""Helpers of the thread-stream tests: a real `skeino serve` on the conformance graphs
(plus one streaming custom events the v3 way), and raw protocol requests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx

from tests.conftest import MANIFEST, ROOT
from tests.multiprocess.test_kill import ready
from tests.test_server import free_port


def manifest(tmp: Path) -> Path:
    """The conformance graphs, and one that streams custom events the v3 way."""
    graphs = json.loads(MANIFEST.read_text())["graphs"]
    found = {name: str(MANIFEST.parent / path) for name, path in graphs.items()}
    found["custom_stream"] = str(Path(__file__).parent / "protocol_graphs.py") + ":custom"
    path = tmp / "langgraph.json"
    path.write_text(json.dumps({"dependencies": [str(ROOT / "conformance")], "graphs": found}))
    return path


def start(
    tmp: Path, database: str | None = None, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "skeino", "serve", str(manifest(tmp)), "--port", str(port)]
    command += ["--database", database or f"sqlite:///{tmp}/streams.db"]
    with open(tmp / f"server-{port}.log", "wb") as log:  # the child keeps its own descriptor
        environ = {**os.environ, **(env or {})}
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environ)
    return proc, f"http://127.0.0.1:{port}"


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def raw_events(
    url: str, thread_id: str, body: dict[str, Any], until: str, at_root: bool = True
) -> list[Any]:
    """Events of `POST .../stream/events` up to the first one (at the root, or below it)
    whose method:event is `until`."""
    events: list[Any] = []
    async with (
        httpx.AsyncClient(base_url=url, timeout=30) as http,
        http.stream("POST", f"/threads/{thread_id}/stream/events", json=body) as response,
    ):
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if not line.startswith("data: "):
                continue
            event = json.loads(line[len("data: ") :])
            events.append(event)
            data, root = event["params"]["data"], not event["params"]["namespace"]
            kind = data.get("event") if isinstance(data, dict) else ""
            if root == at_root and f"{event['method']}:{kind}" == until:
                return events
    return events


def serving(
    tmp: Path, database: str | None = None, env: dict[str, str] | None = None
) -> Iterator[str]:
    """A server for the length of a fixture."""
    proc, url = start(tmp, database, env)
    try:
        anyio.run(_ready, url)
        yield url
    finally:
        stop(proc)


async def _ready(url: str) -> None:
    with anyio.fail_after(30):
        await ready(url)


async def command(url: str, thread_id: str, body: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        return await http.post(f"/threads/{thread_id}/commands", json=body)


def run_start(graph: str, input: Any) -> dict[str, Any]:
    return {"id": 1, "method": "run.start", "params": {"assistant_id": graph, "input": input}}
