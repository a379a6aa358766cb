"""Arbitrary input on every route, hostile shapes included (huge and extreme numbers, NUL
characters, JSON nested past the limit, hundreds of keys): bodies, query strings and path
parameters. Always a 2xx or a 4xx with `detail`, and the database stays usable."""

from __future__ import annotations

import dataclasses
import re
import typing
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import skeino
from skeino.app import SkeinoApp
from skeino.http.router import Route
from skeino.ids import system_assistant_id
from tests.conftest import MANIFEST


def _nested(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for _ in range(depth):
        root = {"a": root}
    return root


hostile = st.one_of(
    st.integers(-(2**80), 2**80),
    st.sampled_from([2**63, 2**64, -(2**63) - 1, 1e308, -1e308, 1e16, "\u0000", "a\u0000b"]),
    st.integers(250, 300).map(_nested),
    st.just({f"k{i}": i for i in range(500)}),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 2000)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | hostile,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
query_values = st.one_of(
    st.text(max_size=12),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["1e308", "NaN", "-1", "true", "[]", "{}", "%00", "\u0000"]),
)

UPSTREAM_SHAPES = {("GET", "/store/items")}
"""Routes whose 4xx bodies keep the official server's own shapes (`{"error": ...}`, plain
text), which clients already handle."""

Harness = tuple[BlockingPortal, httpx.AsyncClient, SkeinoApp, dict[str, str]]


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    db: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    app = skeino.from_langgraph_json(
        MANIFEST, settings=skeino.SkeinoSettings(database_uri=f"sqlite:///{db}")
    )
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.running()):
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://f")
        thread = portal.call(lambda: http.post("/threads", json={}))
        ids = {"thread_id": thread.json()["thread_id"], "assistant_id": system_assistant_id("chat")}
        yield portal, http, app, ids
        portal.call(http.aclose)


def _routes(app: SkeinoApp) -> list[Route]:
    assert app.router is not None
    return [r for r in app.router if r.body is not None]


def _query_routes(app: SkeinoApp) -> list[Route]:
    """Every route with a query or path parameters, but a thread's stream, which stays open
    until the client leaves (the in-process transport waits for the whole body)."""
    assert app.router is not None
    endless = ("GET", "/threads/{thread_id:uuid}/stream")
    return [
        r
        for r in app.router
        if (r.query is not None or "{" in r.template) and (r.method, r.template) != endless
    ]


def _path(route: Route, ids: dict[str, str], odd: str | None = None) -> str:
    """The route's path with known ids, unknown ones, or (given `odd`) any text."""

    def fill(m: re.Match[str]) -> str:
        if odd is not None:
            return quote(odd, safe="") or "x"
        return ids.get(m.group(1), str(uuid.uuid4()))

    return re.sub(r"{(\w+)(?::\w+)?}", fill, route.template)


def _bodies(model: Any) -> st.SearchStrategy[Any]:
    """Any JSON, or objects with the model's own field names (lists of them for batches)."""
    item = typing.get_args(model)[0] if typing.get_origin(model) is list else model
    names = [f.name for f in dataclasses.fields(item)]
    shaped = st.dictionaries(st.sampled_from(names), json_values, max_size=len(names))
    if item is not model:
        shaped = st.lists(shaped, max_size=2)
    return st.one_of(json_values, shaped)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_body_gets_a_clean_answer(harness: Harness, data: st.DataObject) -> None:
    portal, http, app, ids = harness
    route = data.draw(st.sampled_from(_routes(app)))
    body = data.draw(_bodies(route.body))  # type: ignore[arg-type]
    response = portal.call(
        lambda: http.request(route.method, _path(route, ids), json=body, timeout=30)
    )
    assert response.status_code < 500, (route.template, body, response.text)
    if response.status_code >= 400:
        assert isinstance(response.json()["detail"], str)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_query_and_path_gets_a_clean_answer(harness: Harness, data: st.DataObject) -> None:
    portal, http, app, ids = harness
    route = data.draw(st.sampled_from(_query_routes(app)))
    names = [f.name for f in dataclasses.fields(route.query)] if route.query else []
    keys = st.sampled_from(names) | st.text(max_size=5) if names else st.text(max_size=5)
    params = data.draw(st.dictionaries(keys, query_values, max_size=4))
    odd = data.draw(st.none() | st.text(max_size=20))
    body = {} if route.body is not None else None
    response = portal.call(
        lambda: http.request(
            route.method, _path(route, ids, odd), params=params, json=body, timeout=30
        )
    )
    assert response.status_code < 500, (route.template, params, odd, response.text)
    if response.status_code >= 400 and (route.method, route.template) not in UPSTREAM_SHAPES:
        assert isinstance(response.json()["detail"], str)


def test_database_still_usable(harness: Harness) -> None:
    portal, http, _, _ = harness
    assert portal.call(http.get, "/ok").status_code == 200
    assert portal.call(lambda: http.post("/threads/search", json={"limit": 5})).status_code == 200
