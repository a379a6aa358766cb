"""The app as a host sees it: ASGI lifespan, mounting under a prefix, restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import orjson
import pytest
from langgraph_sdk.client import LangGraphClient
from starlette.applications import Starlette
from starlette.routing import Mount

import skeino
from skeino.app import SkeinoApp
from tests.conftest import MANIFEST

pytestmark = pytest.mark.anyio


def _app(db: Path) -> SkeinoApp:
    return skeino.from_langgraph_json(
        MANIFEST, settings=skeino.SkeinoSettings(database_uri=f"sqlite:///{db}")
    )


def _client(app: object) -> LangGraphClient:
    return LangGraphClient(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a")
    )


async def test_restart_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "keep.db"
    async with _app(db).running() as app:
        client = _client(app)
        assistant = await client.assistants.create("interrupt", metadata={"k": "v"}, name="kept")
        thread = await client.threads.create(metadata={"owner": "me"})
        await client.runs.wait(thread["thread_id"], assistant["assistant_id"], input={"topic": "t"})
    async with _app(db).running() as app:
        client = _client(app)
        again = await client.assistants.get(assistant["assistant_id"])
        assert again["name"] == "kept" and again["metadata"] == {"k": "v"}
        assert len(await client.assistants.search(limit=100)) == 8
        kept = await client.threads.get(thread["thread_id"])
        assert kept["metadata"]["owner"] == "me"
        assert kept["status"] == "interrupted"
        state = await client.threads.get_state(thread["thread_id"])
        assert state["values"]["log"] == ["prepare:t"]
        assert state["next"] == ["ask"]
        resumed = await client.runs.wait(
            thread["thread_id"], assistant["assistant_id"], command={"resume": "ok"}
        )
        assert resumed["log"] == ["prepare:t", "ask", "act:ok"]


async def test_asgi_lifespan_protocol(tmp_path: Path) -> None:
    app = _app(tmp_path / "life.db")
    sent: list[str] = []
    inbox = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive() -> dict[str, str]:
        return next(inbox)

    async def send(message: dict[str, str]) -> None:
        sent.append(message["type"])

    await app({"type": "lifespan"}, receive, send)  # type: ignore[arg-type]
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


async def test_requests_before_startup_get_503(tmp_path: Path) -> None:
    app = _app(tmp_path / "cold.db")
    response = await httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://a"
    ).get("/ok")
    assert response.status_code == 503 and "lifespan" in response.json()["detail"]


async def test_mounted_under_a_prefix(tmp_path: Path) -> None:
    inner = _app(tmp_path / "mounted.db")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with inner.running():
            yield

    host = Starlette(routes=[Mount("/agents", app=inner)], lifespan=lifespan)
    async with lifespan(host):
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=host), base_url="http://a/agents"
        )
        client = LangGraphClient(http)
        thread = await client.threads.create()
        out = await client.runs.wait(thread["thread_id"], "custom", input={"count": 2})
        assert out == {"count": 2, "emitted": 2}
        assert (await http.get("/ok")).json()["ok"] is True


async def test_langgraph_config_gives_system_assistants_their_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As upstream: a JSON object of graph id -> config; configurable mirrored to context."""
    config = {"configurable": {"model": "m1"}, "recursion_limit": 7, "tags": ["x"]}
    monkeypatch.setenv("LANGGRAPH_CONFIG", orjson.dumps({"chat": config}).decode())
    settings = skeino.SkeinoSettings(database_uri="memory://")
    app = skeino.from_langgraph_json(MANIFEST, settings=settings)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            found = (await http.post("/assistants/search", json={"graph_id": "chat"})).json()
            other = (await http.post("/assistants/search", json={"graph_id": "slow"})).json()
    assert found[0]["config"] == config and found[0]["context"] == {"model": "m1"}
    assert other[0]["config"] == {} and other[0]["context"] == {}
    monkeypatch.setenv("LANGGRAPH_CONFIG", "[1]")
    with pytest.raises(ValueError, match="LANGGRAPH_CONFIG"):
        async with skeino.from_langgraph_json(MANIFEST, settings=settings).running():
            pass
