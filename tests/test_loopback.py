"""A graph that calls `get_client()` with no URL reaches the server it runs in, in-process,
without credentials (the SDK's loopback), while network callers still need them."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import orjson
import pytest
from langgraph_sdk import get_client

import skeino
from tests.test_server import free_port, serving

pytestmark = pytest.mark.anyio

GRAPH = """
from typing_extensions import TypedDict
from langgraph.graph import StateGraph
from langgraph_sdk import get_client

at_import = get_client()


class State(TypedDict, total=False):
    assistants: int
    threads: int


async def look(state: State) -> State:
    at_run = get_client()
    assistants = await at_run.assistants.search(limit=100)
    threads = await at_import.threads.search(limit=100)
    return {"assistants": len(assistants), "threads": len(threads)}


graph = StateGraph(State).add_node(look).add_edge("__start__", "look").compile()
"""

AUTH = """
from langgraph_sdk import Auth

auth = Auth()


@auth.authenticate
async def authenticate(authorization: str | None) -> str:
    if authorization != "Bearer good":
        raise Auth.exceptions.HTTPException(401, "Missing token")
    return "someone"
"""


async def test_get_client_without_url_reaches_this_server(tmp_path: Path) -> None:
    (tmp_path / "looking.py").write_text(GRAPH)
    (tmp_path / "auth.py").write_text(AUTH)
    manifest = {"graphs": {"looking": "./looking.py:graph"}, "auth": {"path": "./auth.py:auth"}}
    (tmp_path / "langgraph.json").write_bytes(orjson.dumps(manifest))
    settings = skeino.SkeinoSettings(database_uri=f"sqlite:///{tmp_path}/loop.db")
    app = skeino.from_langgraph_json(tmp_path / "langgraph.json", settings=settings)
    port, stop = free_port(), anyio.Event()
    url = f"http://127.0.0.1:{port}"
    async with anyio.create_task_group() as tg:
        tg.start_soon(serving, app, port, stop)
        client = get_client(url=url, headers={"Authorization": "Bearer good"})
        with anyio.fail_after(10):
            while True:
                try:
                    await client.assistants.search()
                    break
                except httpx.TransportError:
                    await anyio.sleep(0.05)
        async with httpx.AsyncClient(base_url=url) as stranger:
            assert (await stranger.post("/assistants/search", json={})).status_code == 401
        thread = await client.threads.create()
        out = await client.runs.wait(thread["thread_id"], "looking", input={})
        assert out == {"assistants": 1, "threads": 1}
        await client.aclose()
        stop.set()
