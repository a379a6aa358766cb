"""The console's files: served whole, typed, revalidated, offline, and nothing else."""

from __future__ import annotations

import posixpath
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from langgraph_sdk import Auth

import skeino
from conformance.graphs.chat import graph as chat
from skeino.app import SkeinoApp
from skeino.console import load_assets

pytestmark = pytest.mark.anyio

ASSETS = load_assets()
URL = re.compile(rb"""(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s"'`)]*""")
SVG_NAMESPACE = b"http://www.w3.org/2000/svg"  # an XML name, never fetched
IMPORT = re.compile(r"""(?:import|from)\s*["']([^"']+)["']""")


def _client(console: bool = True) -> tuple[httpx.AsyncClient, SkeinoApp]:
    settings = skeino.SkeinoSettings(database_uri="memory://", console=console)
    app = skeino.create_app(graphs={"chat": chat}, settings=settings, auth=_auth())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://s"), app


async def _raw_get(app: SkeinoApp, path: str) -> tuple[int, bytes]:
    """A request whose path reaches the app exactly as written (httpx would tidy `..`)."""
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode()}
    scope |= {"headers": [], "query_string": b"", "root_path": "", "scheme": "http"}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def _auth() -> Auth:
    auth = Auth()

    @auth.authenticate
    async def authenticate(authorization: str | None) -> str:
        if authorization != "Bearer open-sesame":
            raise Auth.exceptions.HTTPException(status_code=401, detail="Invalid token")
        return "someone"

    return auth


@pytest.fixture
async def served() -> AsyncIterator[tuple[httpx.AsyncClient, SkeinoApp]]:
    client, app = _client()
    async with app.running(), client:
        yield client, app


@pytest.fixture
def http(served: tuple[httpx.AsyncClient, SkeinoApp]) -> httpx.AsyncClient:
    return served[0]


def test_the_console_is_small_and_whole() -> None:
    assert {"index.html", "app.js", "api.js", "style.css"} <= set(ASSETS)
    assert sum(len(a.body) for a in ASSETS.values()) < 150_000
    for name, asset in ASSETS.items():
        if not name.endswith(".js"):
            continue
        for target in IMPORT.findall(asset.body.decode()):
            assert target.startswith("."), f"{name} imports {target}: only our own modules"
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
            assert resolved in ASSETS, f"{name} imports {target}, which is not shipped"


def test_no_asset_names_another_host() -> None:
    for name, asset in ASSETS.items():
        found = [u for u in URL.findall(asset.body) if u != SVG_NAMESPACE]
        assert found == [], f"{name} names {found}"


async def test_every_asset_is_served_typed_and_revalidated(http: httpx.AsyncClient) -> None:
    for name, asset in ASSETS.items():
        response = await http.get(f"/console/{name}", headers={"Authorization": ""})
        assert response.status_code == 200, name
        assert response.content == asset.body
        assert response.headers["content-type"] == asset.media_type.decode()
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "connect-src 'self'" in response.headers["content-security-policy"]
        again = await http.get(f"/console/{name}", headers={"If-None-Match": asset.etag})
        assert (again.status_code, again.content) == (304, b"")
    assert (await http.get("/console/app.js")).headers["content-type"].startswith("text/javascript")


async def test_the_page_and_its_redirect(http: httpx.AsyncClient) -> None:
    moved = await http.get("/console")
    assert (moved.status_code, moved.headers["location"]) == (308, "console/")
    page = await http.get("/console/")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert b'<script type="module" src="app.js">' in page.content


@pytest.mark.parametrize(
    "path",
    [
        "/console/nothing.js",
        "/console/../app.py",
        "/console/%2e%2e/app.py",
        "/console/views/../../__init__.py",
        "/console/__init__.py",
        "/console//etc/passwd",
        "/console/static/app.js",
    ],
)
async def test_only_shipped_files_are_found(
    served: tuple[httpx.AsyncClient, SkeinoApp], path: str
) -> None:
    assert await _raw_get(served[1], path) == (404, b'{"detail":"Not Found"}')


async def test_the_files_need_no_token_but_the_api_does(http: httpx.AsyncClient) -> None:
    assert (await http.get("/console/")).status_code == 200
    assert (await http.post("/threads/search", json={})).status_code == 401
    ok = await http.post(
        "/threads/search", json={}, headers={"Authorization": "Bearer open-sesame"}
    )
    assert ok.status_code == 200


async def test_the_console_can_be_turned_off() -> None:
    client, app = _client(console=False)
    async with app.running(), client:
        for path in ("/console", "/console/", "/console/app.js"):
            response = await client.get(path, headers={"Authorization": "Bearer open-sesame"})
            assert response.status_code == 404, path
