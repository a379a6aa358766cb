"""The router: templates, typed parameters, 404/405 and error mapping."""

from __future__ import annotations

import httpx
import pytest

from skeino.errors import Conflict
from skeino.http.request import Request
from skeino.http.responses import Response, json_response
from skeino.http.router import Route, Router

pytestmark = pytest.mark.anyio


async def echo(req: Request) -> Response:
    return json_response(req.path_params)


async def conflict(req: Request) -> Response:
    raise Conflict("busy")


async def crash(req: Request) -> Response:
    raise RuntimeError("secret")


ROUTER = Router(
    [
        Route("GET", "/items/{item_id:uuid}", echo),
        Route("DELETE", "/items/{item_id:uuid}", echo),
        Route("GET", "/files/{rest:path}", echo),
        Route("GET", "/named/{name}", echo),
        Route("POST", "/conflict", conflict),
        Route("GET", "/crash", crash),
    ],
    max_body=10,
)


@pytest.fixture
async def http() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=ROUTER), base_url="http://t")


async def test_typed_params(http: httpx.AsyncClient) -> None:
    uid = "0E0D8F1C-8D2A-4B7A-9E55-1A0C3C3E5F10"
    assert (await http.get(f"/items/{uid}")).json() == {"item_id": uid.lower()}
    bad = await http.get("/items/nope")
    assert bad.status_code == 422
    assert bad.json() == {"detail": "Invalid item ID: must be a UUID"}
    assert (await http.get("/files/a/b/c")).json() == {"rest": "a/b/c"}
    assert (await http.get("/named/x")).json() == {"name": "x"}


async def test_404_405(http: httpx.AsyncClient) -> None:
    assert (await http.get("/nothing")).status_code == 404
    wrong = await http.post("/items/0e0d8f1c-8d2a-4b7a-9e55-1a0c3c3e5f10")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, DELETE"


async def test_errors_are_json(http: httpx.AsyncClient) -> None:
    response = await http.post("/conflict")
    assert response.status_code == 409 and response.json() == {"detail": "busy"}
    crashed = await http.get("/crash")
    assert crashed.status_code == 500
    assert crashed.json() == {"detail": "Internal Server Error"}


def test_the_index_tries_exactly_the_routes_that_could_match() -> None:
    routes = [
        Route("GET", "/ok", echo),
        Route("GET", "/items/{item_id:uuid}", echo),
        Route("GET", "/items/search", echo),
        Route("POST", "/items/{item_id}/tags", echo),
        Route("GET", "/{kind}/{item_id}/tags", echo),
        Route("GET", "/files/{rest:path}", echo),
        Route("GET", "/{anything:path}", echo),
    ]
    router = Router(routes, max_body=10)
    paths = [
        "/", "/ok", "/ok/", "/items", "/items/", "/items/search", "/items/x/tags",
        "/other/x/tags", "/files/a", "/files/a/b/c/d/e/f", "/nope", "/a/b/c/d/e/f/g/h",
    ]  # fmt: skip
    for path in paths:
        linear = [route for route in routes if route.matches(path) is not None]
        indexed = [route for route in router.candidates(path) if route.matches(path) is not None]
        assert indexed == linear, path


async def test_route_order_wins_and_405_lists_every_method(http: httpx.AsyncClient) -> None:
    assert (await http.put("/items/0b9f7a44-0bde-4b5e-8d3f-6f1e0c6b1f52")).headers["allow"] == (
        "GET, DELETE"
    )
    assert (await http.get("/named/x/y")).status_code == 404
