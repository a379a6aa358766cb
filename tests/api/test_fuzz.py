"""Arbitrary JSON bodies on every POST/PATCH route: always 2xx or a 4xx with `detail`."""

from __future__ import annotations

import dataclasses
import re
import typing
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 2000)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)

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
    return [r for r in app.router if r.method in {"POST", "PATCH"} and r.body is not None]


def _path(route: Route, ids: dict[str, str]) -> str:
    def fill(m: re.Match[str]) -> str:
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


def test_database_still_usable(harness: Harness) -> None:
    portal, http, _, _ = harness
    assert portal.call(http.get, "/ok").status_code == 200
    assert portal.call(lambda: http.post("/threads/search", json={"limit": 5})).status_code == 200
