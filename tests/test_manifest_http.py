"""langgraph.json's `http` switches through a real app and the SDK: `mount_prefix`,
`configurable_headers` and `disable_*`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

import skeino
from skeino.app import SkeinoApp
from skeino.manifest import ManifestError
from tests.test_manifest import write_project

pytestmark = pytest.mark.anyio

HELLO = {"messages": [{"role": "user", "content": "hi"}]}


@asynccontextmanager
async def serving(
    tmp_path: Path,
    http: dict[str, Any],
    headers: dict[str, str] | None = None,
    graphs: dict[str, str] | None = None,
) -> AsyncIterator[tuple[SkeinoApp, httpx.AsyncClient]]:
    """The app of a project with these `http` settings, and a client of it (at the root)."""
    tmp_path.mkdir(exist_ok=True)
    manifest = {"graphs": graphs or {"g": "./local.py:graph"}, "http": http}
    path = write_project(tmp_path, json.dumps(manifest))
    settings = skeino.SkeinoSettings(database_uri="memory://")
    app = skeino.from_langgraph_json(path, settings=settings)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://m", headers=headers
        ) as client:
            yield app, client


def under(client: httpx.AsyncClient, prefix: str) -> httpx.AsyncClient:
    """Another client of the same app, at `prefix`."""
    return httpx.AsyncClient(transport=client._transport, base_url=f"http://m{prefix}")


async def test_mount_prefix_serves_everything_under_it(tmp_path: Path) -> None:
    http = {"mount_prefix": "/deploy/api/", "app": "./web.py:app"}
    async with serving(tmp_path, http) as (_, raw):
        prefixed = under(raw, "/deploy/api")
        sdk = LangGraphClient(prefixed)
        thread = await sdk.threads.create()
        assert await sdk.runs.wait(thread["thread_id"], "g", input={"n": 1}) == {"n": 2}
        assert (await prefixed.get("/hello")).json() == {"hello": "world"}  # http.app too
        assert (await prefixed.get("/openapi.json")).json()["servers"] == [{"url": "/deploy/api"}]
        for outside in ("/threads/search", "/hello", "/deploy/apix/threads"):
            missing = await raw.post(outside, json={})
            assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
        assert (await raw.get("/ok")).status_code == 200  # health checks and scrapers: root
        assert "lg_api_http_requests_total" in (await raw.get("/metrics")).text
        scraped = (await prefixed.get("/metrics", params={"format": "json"})).json()
        assert {"method": "POST", "path": "/threads", "status": 200, "count": 1} in scraped["api"][
            "http_requests_total"
        ]


@pytest.mark.parametrize(
    ("switch", "gone", "kept"),
    [
        ("assistants", [("POST", "/assistants/search")], [("POST", "/threads")]),
        ("threads", [("POST", "/threads"), ("POST", "/threads/search")], [("POST", "/runs")]),
        ("runs", [("POST", "/runs/wait"), ("POST", "/runs/crons/search")], [("POST", "/threads")]),
        ("store", [("POST", "/store/items/search")], [("POST", "/threads")]),
        (
            "meta",
            [("GET", "/info"), ("GET", "/docs"), ("GET", "/metrics"), ("GET", "/openapi.json")],
            [("GET", "/ok"), ("POST", "/threads")],
        ),
        ("mcp", [], [("GET", "/info")]),
        ("a2a", [], [("GET", "/info")]),
    ],
)
async def test_disable_switches(
    tmp_path: Path, switch: str, gone: list[tuple[str, str]], kept: list[tuple[str, str]]
) -> None:
    body = {"assistant_id": "g", "input": {"n": 1}}
    async with serving(tmp_path, {f"disable_{switch}": True}) as (app, client):
        assert app.settings.disabled == {switch}
        alive = (await client.get("/ok")).json()
        assert alive == ({"ok": True} if switch == "meta" else {"ok": True, "services": {}})
        for method, path in gone:
            answer = await client.request(method, path, json=body if method == "POST" else None)
            assert answer.status_code == 404, (method, path)
        for method, path in kept:
            answer = await client.request(method, path, json=body if method == "POST" else None)
            assert answer.status_code == 200, (method, path)


async def test_disable_webhooks_reaches_the_worker(tmp_path: Path) -> None:
    async with serving(tmp_path, {"disable_webhooks": True}) as (app, _):
        assert app.services is not None and app.services.worker.settings.webhooks is False
    async with serving(tmp_path / "on", {}) as (app, _):
        assert app.services is not None and app.services.worker.settings.webhooks is True


async def test_configurable_headers_reach_the_run(tmp_path: Path) -> None:
    patterns = {"includes": ["x-*", "my-header"], "excludes": ["x-secret*"]}
    sent = {
        "x-user-id": "u1",
        "My-Header": "yes",
        "x-secret-token": "no",
        "x-api-key": "never",
        "authorization": "Bearer never",
        "other": "no",
    }
    async with serving(tmp_path, {"configurable_headers": patterns}, sent) as (_, client):
        sdk = LangGraphClient(client)
        thread = await sdk.threads.create()
        run = await sdk.runs.create(thread["thread_id"], "g", input={"n": 1})
        await sdk.runs.join(thread["thread_id"], run["run_id"])
        stored = await sdk.runs.get(thread["thread_id"], run["run_id"])
    configurable = stored["kwargs"]["config"]["configurable"]
    assert {k: configurable.get(k) for k in sent} | {"my-header": configurable["my-header"]} == {
        **dict.fromkeys(sent),
        "x-user-id": "u1",
        "my-header": "yes",
    }


async def test_without_patterns_no_header_reaches_the_run(tmp_path: Path) -> None:
    async with serving(tmp_path, {}, {"x-user-id": "u1", "user-agent": "t"}) as (_, client):
        sdk = LangGraphClient(client)
        run = await sdk.runs.create(None, "g", input={"n": 1})
        await sdk.runs.join(run["thread_id"], run["run_id"])
        configurable = run["kwargs"]["config"]["configurable"]
    assert "x-user-id" not in configurable and "user-agent" not in configurable


def test_bad_http_settings(tmp_path: Path) -> None:
    manifest = write_project(tmp_path, json.dumps({"graphs": {"g": "./local.py:graph"}}))
    manifest.write_text(
        json.dumps({"graphs": {"g": "./local.py:graph"}, "http": {"mount_prefix": "api"}})
    )
    with pytest.raises(ManifestError, match="mount_prefix"):
        skeino.from_langgraph_json(manifest)
    with pytest.raises(ValueError, match="mount_prefix"):
        skeino.SkeinoSettings(mount_prefix="/api/")
    with pytest.raises(ValueError, match="unknown switches"):
        skeino.SkeinoSettings(disabled=frozenset({"everything"}))


async def test_mount_prefix_and_the_sdk_loopback(tmp_path: Path) -> None:
    """`get_client()` without a URL inside a graph reaches the app under its prefix."""
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "looking.py").write_text(LOOKING)
    graphs = {"looking": "./looking.py:graph"}
    async with serving(tmp_path, {"mount_prefix": "/p"}, graphs=graphs) as (_, raw):
        sdk = LangGraphClient(under(raw, "/p"))
        thread = await sdk.threads.create()
        assert await sdk.runs.wait(thread["thread_id"], "looking", input={}) == {"threads": 1}


LOOKING = """
from typing_extensions import TypedDict
from langgraph.graph import StateGraph
from langgraph_sdk import get_client


class State(TypedDict, total=False):
    threads: int


async def look(state: State) -> State:
    return {"threads": len(await get_client().threads.search(limit=100))}


graph = StateGraph(State).add_node(look).add_edge("__start__", "look").compile()
"""
