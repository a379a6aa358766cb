"""The door: who is let in, with what, and where auth does not apply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import Auth
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import JSONResponse
from starlette.routing import Route

import skeino
from conformance.graphs.chat import graph as chat
from skeino.app import SkeinoApp
from tests.auth.tokens import token_auth

pytestmark = pytest.mark.anyio


async def test_open_paths_need_no_token(app: SkeinoApp) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://s") as c:
        for path in ("/ok", "/info", "/openapi.json", "/api/health"):
            assert (await c.get(path)).status_code == 200, path
        refused = await c.post("/threads/search", json={})
        assert (refused.status_code, refused.json()) == (401, {"detail": "Missing token"})
        assert (await c.get("/nowhere")).status_code == 401  # before routing, as upstream
        bad = await c.post("/threads/search", json={}, headers={"Authorization": "Bearer x"})
        assert (bad.status_code, bad.json()) == (401, {"detail": "Invalid token"})
        teapot = await c.get("/threads/search", headers={"Authorization": "Bearer teapot"})
        assert (teapot.status_code, teapot.json()) == (418, {"detail": "short and stout"})
        assert teapot.headers["x-teapot"] == "yes"


def _app(auth: Auth, **options: Any) -> SkeinoApp:
    settings = skeino.SkeinoSettings(database_uri="memory://")
    return skeino.create_app(graphs={"chat": chat}, settings=settings, auth=auth, **options)


async def _call(app: SkeinoApp, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async with app.running():
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as c:
            return await c.request(method, path, **kwargs)


async def test_authenticate_gets_what_it_names() -> None:
    auth, seen = Auth(), {}

    @auth.authenticate
    async def authenticate(
        request: StarletteRequest,
        body: bytes,
        path: str,
        method: str,
        path_params: dict[str, str],
        query_params: dict[str, str],
        headers: dict[bytes, bytes],
        authorization: str | None,
    ) -> Any:
        seen.update(
            body=body,
            request_body=await request.body(),
            path=path,
            method=method,
            path_params=path_params,
            query_params=query_params,
            header=headers[b"x-who"],
            authorization=authorization,
        )
        return Auth.types.StudioUser("studio", is_authenticated=True)  # any BaseUser

    tid = "00000000-0000-4000-8000-000000000001"
    answer = await _call(
        _app(auth),
        "POST",
        f"/threads/{tid}/history?x=1",
        json={"limit": 1},
        headers={"x-who": "me", "Authorization": "Basic zz"},
    )
    assert answer.status_code == 404  # the route still read its body, then found no thread
    assert seen == {
        "body": b'{"limit":1}',
        "request_body": b'{"limit":1}',
        "path": f"/threads/{tid}/history",
        "method": "POST",
        "path_params": {"thread_id": tid},
        "query_params": {"x": "1"},
        "header": b"me",
        "authorization": "Basic zz",
    }


async def test_a_user_without_identity_is_refused() -> None:
    auth = Auth()

    @auth.authenticate
    async def authenticate() -> Any:
        return None

    answer = await _call(_app(auth), "POST", "/threads/search", json={})
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("Expected a BaseUser instance")


def _custom_app() -> Starlette:
    async def hello(request: StarletteRequest) -> JSONResponse:
        user = request.scope.get("user")
        return JSONResponse({"user": None if user is None else user.identity})

    return Starlette(routes=[Route("/custom/hello", hello)])


async def test_custom_routes_are_open_unless_the_manifest_opts_in() -> None:
    app = _app(token_auth(), custom_app=_custom_app())
    answer = await _call(app, "GET", "/custom/hello")
    assert (answer.status_code, answer.json()) == (200, {"user": None})
    app = _app(token_auth(), custom_app=_custom_app(), custom_route_auth=True)
    assert (await _call(app, "GET", "/custom/hello")).status_code == 401
    answer = await _call(app, "GET", "/custom/hello", headers={"Authorization": "Bearer good"})
    assert (answer.status_code, answer.json()) == (200, {"user": "someone"})


async def test_langgraph_json_loads_auth(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text(
        "from langgraph_sdk import Auth\n"
        "auth = Auth()\n"
        "@auth.authenticate\n"
        "async def authenticate(authorization: str | None) -> str:\n"
        "    if authorization != 'Bearer ok':\n"
        "        raise Auth.exceptions.HTTPException(401, 'nope')\n"
        "    return 'me'\n"
    )
    root = Path(__file__).resolve().parents[2] / "conformance" / "graphs" / "chat.py"
    manifest = {
        "graphs": {"chat": f"{root}:graph"},
        "auth": {"path": "./auth.py:auth", "disable_studio_auth": True},
    }
    (tmp_path / "langgraph.json").write_text(json.dumps(manifest))
    settings = skeino.SkeinoSettings(database_uri="memory://")
    app = skeino.from_langgraph_json(tmp_path / "langgraph.json", settings=settings)
    assert (await _call(app, "POST", "/threads/search", json={})).status_code == 401
    ok = await _call(
        app, "POST", "/threads/search", json={}, headers={"Authorization": "Bearer ok"}
    )
    assert ok.status_code == 200


async def test_a_manifest_auth_must_be_an_auth(tmp_path: Path) -> None:
    (tmp_path / "auth.py").write_text("auth = object()\n")
    root = Path(__file__).resolve().parents[2] / "conformance" / "graphs" / "chat.py"
    manifest = {"graphs": {"chat": f"{root}:graph"}, "auth": {"path": "./auth.py:auth"}}
    (tmp_path / "langgraph.json").write_text(json.dumps(manifest))
    with pytest.raises(skeino.manifest.ManifestError, match="not an Auth"):
        skeino.from_langgraph_json(tmp_path / "langgraph.json")
