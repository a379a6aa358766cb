"""A user's `http.app`, hosted as upstream hosts it: its middleware around our routes, its
routes before ours (but for health and API description), its lifespan beside ours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import Auth
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

import skeino
from skeino.app import SkeinoApp
from skeino.types import ASGIApp, Message, Receive, Scope, Send
from tests.conftest import MANIFEST

pytestmark = pytest.mark.anyio


class Stamp:
    """Adds `x-stamp` to every response, once per pass, and notes whether a user was known."""

    def __init__(self, app: ASGIApp, label: str) -> None:
        self.app, self.label = app, label

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = "user" if scope.get("user") is not None else "anonymous"

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                value = f"{self.label}:{seen}".encode()
                message["headers"] = [*message.get("headers", []), (b"x-stamp", value)]
            await send(message)

        await self.app(scope, receive, stamped)


def _user_app(events: list[str]) -> Starlette:
    async def info(request: Request) -> JSONResponse:
        return JSONResponse({"mine": True})

    async def ok(request: Request) -> PlainTextResponse:
        return PlainTextResponse("shadowed")

    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse("hello")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.append("up")
        yield
        events.append("down")

    return Starlette(
        routes=[Route("/info", info), Route("/ok", ok), Route("/hello", hello)],
        middleware=[Middleware(Stamp, label="mine")],
        lifespan=lifespan,
    )


def _token_auth() -> Auth:
    auth = Auth()

    @auth.authenticate
    async def authenticate(authorization: str | None) -> str:
        if authorization != "Bearer good":
            raise Auth.exceptions.HTTPException(401, "Missing token")
        return "someone"

    return auth


def _app(tmp_path: Path, custom: Any, order: str = "middleware_first", **kw: Any) -> SkeinoApp:
    settings = skeino.SkeinoSettings(
        database_uri=f"sqlite:///{tmp_path}/hosting.db", middleware_order=order
    )
    return skeino.create_app(
        graphs=skeino.from_langgraph_json(MANIFEST).sources,
        settings=settings,
        custom_app=custom,
        **kw,
    )


@asynccontextmanager
async def _http(app: SkeinoApp) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.running(),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as http,
    ):
        yield http


async def test_user_middleware_wraps_our_routes_and_its_own_once(tmp_path: Path) -> None:
    async with _http(_app(tmp_path, _user_app([]))) as http:
        ours = await http.post("/threads/search", json={})
        assert ours.status_code == 200
        assert ours.headers.get_list("x-stamp") == ["mine:anonymous"]
        mine = await http.get("/hello")
        assert mine.text == "hello"
        assert mine.headers.get_list("x-stamp") == ["mine:anonymous"]


async def test_user_routes_shadow_ours_but_not_health(tmp_path: Path) -> None:
    async with _http(_app(tmp_path, _user_app([]))) as http:
        assert (await http.get("/info")).json() == {"mine": True}
        assert (await http.get("/ok")).json()["ok"] is True
        assert (await http.post("/assistants/search", json={})).status_code == 200


async def test_user_lifespan_runs_beside_ours(tmp_path: Path) -> None:
    events: list[str] = []
    app = _app(tmp_path, _user_app(events))
    async with app.running():
        assert events == ["up"]
    assert events == ["up", "down"]


async def test_middleware_first_runs_before_authentication(tmp_path: Path) -> None:
    app = _app(tmp_path, _user_app([]), auth=_token_auth())
    async with _http(app) as http:
        refused = await http.post("/threads/search", json={})
        assert refused.status_code == 401
        assert refused.headers.get_list("x-stamp") == ["mine:anonymous"]
        let_in = await http.post(
            "/threads/search", json={}, headers={"Authorization": "Bearer good"}
        )
        assert let_in.headers.get_list("x-stamp") == ["mine:anonymous"]


async def test_auth_first_puts_the_user_before_the_middleware(tmp_path: Path) -> None:
    app = _app(tmp_path, _user_app([]), "auth_first", auth=_token_auth())
    async with _http(app) as http:
        refused = await http.post("/threads/search", json={})
        assert refused.status_code == 401
        assert "x-stamp" not in refused.headers
        let_in = await http.post(
            "/threads/search", json={}, headers={"Authorization": "Bearer good"}
        )
        assert let_in.status_code == 200
        assert let_in.headers.get_list("x-stamp") == ["mine:user"]
        assert (await http.get("/ok")).headers.get_list("x-stamp") == ["mine:anonymous"]


async def test_a_plain_asgi_app_is_hosted_behind_our_routes(tmp_path: Path) -> None:
    async def plain(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("no lifespan here")
        await PlainTextResponse("plain")(scope, receive, send)

    async with _http(_app(tmp_path, plain)) as http:
        assert (await http.get("/anything")).text == "plain"
        assert (await http.get("/info")).json()["version"]


def test_an_unknown_middleware_order_is_refused() -> None:
    with pytest.raises(ValueError, match="middleware_order"):
        skeino.SkeinoSettings(middleware_order="sideways")


async def test_its_own_http_errors_answer_in_our_json_shape(tmp_path: Path) -> None:
    async with _http(_app(tmp_path, _user_app([]))) as http:
        missing = await http.get("/no/such/path")
        assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
        wrong = await http.delete("/hello")
        assert (wrong.status_code, wrong.json()["detail"]) == (405, "Method Not Allowed")
