"""Hostile inputs get a 4xx (or a plain answer), never a 500, on every backend."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio


def nested(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(depth):
        node["a"] = {}
        node = node["a"]
    return root


async def test_json_nested_too_deeply_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post("/threads", json={"metadata": nested(300)})
    assert response.status_code == 422
    assert "nested too deeply" in response.json()["detail"]
    assert (await http.post("/threads", json={"metadata": nested(200)})).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/threads/search", {"offset": 2**63}),
        ("POST", "/assistants/search", {"offset": 2**63, "metadata": {"n": 2**70}}),
        ("POST", "/threads/search", {"metadata": {f"k{i}": i for i in range(500)}}),
        ("POST", "/threads/search", {"metadata": {"n": 1e308, "m": -(2**80)}}),
        ("GET", "/threads/{thread}/runs?offset=99999999999999999999", None),
        ("POST", "/threads/{thread}/history", {"metadata": {"": 1, "a b": 2}}),
        ("POST", "/threads/{thread}/runs", {"assistant_id": "slow", "after_seconds": 1e16}),
        (
            "PUT",
            "/store/items",
            {"namespace": ["a"], "key": "k", "value": {}, "ttl": -1.7976931348623157e308},
        ),
        ("PUT", "/store/items", {"namespace": ["a"], "key": "k", "value": {}, "ttl": 1e13}),
        ("POST", "/threads/{thread}/runs", {"assistant_id": "a\u0000b", "input": {}}),
        ("POST", "/assistants/search", {"graph_id": "a\u0000b", "name": "\u0000"}),
    ],
)
async def test_extreme_values_are_answered(
    http: httpx.AsyncClient, method: str, path: str, body: Any
) -> None:
    thread = (await http.post("/threads", json={})).json()["thread_id"]
    response = await http.request(method, path.format(thread=thread), json=body)
    assert response.status_code < 500, response.text
    assert (await http.get("/ok")).status_code == 200
