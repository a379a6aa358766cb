"""Store handlers that return a filter: it applies to item values, as filters apply to
other records' metadata. Everyone shares one namespace here; the filter alone separates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from langgraph_sdk import Auth
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import PermissionDeniedError

import skeino
from conformance.graphs.chat import graph as chat

pytestmark = pytest.mark.anyio

auth = Auth()


@auth.authenticate
async def authenticate(authorization: str | None) -> str:
    return (authorization or "").removeprefix("Bearer ")


@auth.on.store
async def own_items(ctx: Auth.types.AuthContext, value: Any) -> Any:
    if ctx.action == "put":
        value["value"] = {**value["value"], "owner": ctx.user.identity}
    if ctx.user.identity == "tagged":
        return {"tags": {"$contains": "mine"}}
    return {"owner": ctx.user.identity}


@pytest.fixture
async def clients(database_uri: str) -> AsyncIterator[dict[str, LangGraphClient]]:
    settings = skeino.SkeinoSettings(database_uri=database_uri)
    app = skeino.create_app(graphs={"chat": chat}, settings=settings, auth=auth)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        made = {
            name: httpx.AsyncClient(
                transport=transport, base_url="http://s", headers={"Authorization": name}
            )
            for name in ("a", "b", "tagged")
        }
        yield {name: LangGraphClient(http) for name, http in made.items()}
        for http in made.values():
            await http.aclose()


async def keys(client: LangGraphClient, **kwargs: Any) -> list[str]:
    found = await client.store.search_items(["shared"], **kwargs)
    return [item["key"] for item in found["items"]]


async def test_items_that_fail_the_filter_are_not_there(
    clients: dict[str, LangGraphClient],
) -> None:
    a, b = clients["a"], clients["b"]
    for key in ("a1", "a2", "a3"):
        await a.store.put_item(["shared"], key, {"n": key})
    await b.store.put_item(["shared"], "b1", {"n": "b1"})
    assert (await a.store.get_item(["shared"], "a1"))["value"] == {"n": "a1", "owner": "a"}
    assert await a.store.get_item(["shared"], "b1") is None
    assert await keys(a) == ["a1", "a2", "a3"]
    assert await keys(a, limit=1, offset=1) == ["a2"]
    assert await keys(b, filter={"n": "b1"}) == ["b1"]
    assert await keys(a, filter={"owner": "b"}) == []  # both must hold
    with pytest.raises(PermissionDeniedError):
        await b.store.put_item(["shared"], "a1", {"n": "taken"})
    await b.store.delete_item(["shared"], "a1")  # not b's: nothing happens
    assert (await a.store.get_item(["shared"], "a1"))["value"]["n"] == "a1"
    await a.store.delete_item(["shared"], "a1")
    assert await keys(a) == ["a2", "a3"]


async def test_operators_the_store_lacks_are_checked_item_by_item(
    clients: dict[str, LangGraphClient],
) -> None:
    tagged = clients["tagged"]
    for key, tags in (("t1", ["mine"]), ("t2", ["other"]), ("t3", ["mine", "x"]), ("t4", [])):
        await tagged.store.put_item(["shared"], key, {"tags": tags})
    assert await keys(tagged) == ["t1", "t3"]
    assert await keys(tagged, limit=1, offset=1) == ["t3"]
    assert await tagged.store.get_item(["shared"], "t2") is None
