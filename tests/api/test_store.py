"""`/store` through the official SDK (async and sync), its errors on the wire, a graph
sharing the store with the API, and semantic search configured in `langgraph.json`.

Needs the store wired into the app (`Services.store`, `open_store` at start-up)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import orjson
import pytest
from langgraph_sdk.client import LangGraphClient, SyncLangGraphClient
from langgraph_sdk.errors import BadRequestError, UnprocessableEntityError

import skeino
from conformance.target import SyncOverAsyncTransport
from skeino.app import SkeinoApp
from tests.conftest import ROOT

pytestmark = pytest.mark.anyio

FACTS = ["memories", "facts"]
EMBED_SOURCE = """
import string

def embed(texts):
    return [[float(t.lower().count(c)) for c in string.ascii_lowercase[:8]] for t in texts]
"""


@pytest.fixture
def root() -> list[str]:
    """A namespace of this test's own, so the tests never see each other's items."""
    return ["test", uuid.uuid4().hex]


async def test_put_get_search_namespaces_delete(client: LangGraphClient, root: list[str]) -> None:
    store = client.store
    await store.put_item([*root, "a"], "k1", {"n": 1, "kind": "odd"})
    await store.put_item([*root, "a"], "k2", {"n": 2, "kind": "even"}, index=False)
    await store.put_item([*root, "b"], "k3", {"n": 3, "kind": "odd"}, ttl=60)

    item = await store.get_item([*root, "a"], "k1", refresh_ttl=True)
    assert list(item) == ["namespace", "key", "value", "created_at", "updated_at"]
    assert item["namespace"] == [*root, "a"] and item["value"] == {"n": 1, "kind": "odd"}
    assert item["created_at"].endswith("+00:00")

    odd = await store.search_items(root, filter={"kind": "odd"})
    assert sorted(i["key"] for i in odd["items"]) == ["k1", "k3"]
    assert all(i["score"] is None for i in odd["items"])
    assert list(odd["items"][0]) == [*item, "score"]
    page = await store.search_items(root, limit=1, offset=1, refresh_ttl=False)
    assert len(page["items"]) == 1
    assert (await store.search_items(root, filter={"n": {"$gt": 2}}))["items"][0]["key"] == "k3"

    listed = await store.list_namespaces(prefix=root)
    assert listed == {"namespaces": [[*root, "a"], [*root, "b"]]}
    shallow = await store.list_namespaces(prefix=root, max_depth=2, limit=1)
    assert shallow == {"namespaces": [root]}
    assert await store.list_namespaces(prefix=root, suffix=["b"]) == {"namespaces": [[*root, "b"]]}

    await store.delete_item([*root, "a"], "k1")
    assert await store.get_item([*root, "a"], "k1") is None
    await store.put_item([*root, "a"], "k2", {"n": 22})
    assert (await store.get_item([*root, "a"], "k2"))["value"] == {"n": 22}


async def test_sync_client(app: SkeinoApp, root: list[str]) -> None:
    transport = SyncOverAsyncTransport(httpx.ASGITransport(app=app))
    with httpx.Client(transport=transport, base_url="http://skeino") as sync_http:
        store = SyncLangGraphClient(sync_http).store

        def calls() -> tuple[object, ...]:
            store.put_item(root, "sync", {"ok": True})
            got = store.get_item(root, "sync")
            found = store.search_items(root[:1], filter={"ok": True}, limit=1000)
            names = store.list_namespaces(prefix=root, suffix=root[-1:])
            store.delete_item(root, "sync")
            return got, found, names, store.get_item(root, "sync")

        got, found, names, gone = await anyio.to_thread.run_sync(calls)
    assert got["value"] == {"ok": True}  # type: ignore[index]
    assert [i["key"] for i in found["items"] if i["namespace"] == root] == ["sync"]  # type: ignore[index]
    assert names == {"namespaces": [root]} and gone is None


async def test_namespace_errors(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    dotted = "Namespace label 'a.b' must be a non-empty string without periods"
    for method, path, body in [
        ("PUT", "/store/items", {"namespace": ["a.b"], "key": "k", "value": {}}),
        ("DELETE", "/store/items", {"namespace": ["a.b"], "key": "k"}),
        ("POST", "/store/items/search", {"namespace_prefix": ["a.b"]}),
        ("POST", "/store/namespaces", {"suffix": ["a.b"]}),
    ]:
        response = await http.request(method, path, content=orjson.dumps(body))
        assert (response.status_code, response.text) == (422, dotted)
        assert "content-type" not in response.headers
    for params in [{"key": "k"}, {"namespace": "a..b", "key": "k"}, {}]:
        response = await http.get("/store/items", params=params)
        assert (response.status_code, response.text) == (422, dotted.replace("a.b", ""))
    with pytest.raises(UnprocessableEntityError):
        await client.store.search_items(["a.b"])
    with pytest.raises(BadRequestError) as empty:
        await client.store.put_item([], "k", {})
    assert empty.value.response.json() == {"detail": "Namespace cannot be empty."}
    with pytest.raises(BadRequestError) as reserved:
        await client.store.put_item(["langgraph", "x"], "k", {})
    assert reserved.value.response.json() == {
        "detail": "Root label for namespace cannot be \"langgraph\". Got: ('langgraph', 'x')"
    }


async def test_body_and_query_errors(http: httpx.AsyncClient, database_uri: str) -> None:
    for params in [{"namespace": "a"}, {"namespace": "a", "key": ""}]:
        missing_key = await http.get("/store/items", params=params)
        assert (missing_key.status_code, missing_key.json()) == (400, {"error": "Key is required"})
    for body in [
        {"namespace": ["a"], "value": {}},
        {"namespace": ["a"], "key": "k", "value": [1]},
        {"namespace": ["a"], "key": "k", "value": {}, "index": True},
        {"namespace": ["a"], "key": "k", "value": {}, "ttl": "x"},
    ]:
        assert (await http.put("/store/items", json=body)).status_code == 422
    assert (await http.request("DELETE", "/store/items", json={})).status_code == 422
    search = await http.post("/store/items/search", json={"namespace_prefix": ["a"], "limit": -1})
    assert search.status_code == 422
    assert (await http.post("/store/namespaces", json={"limit": "x"})).status_code == 422
    empty = await http.post("/store/items/search")
    assert (empty.status_code, empty.json()) == (422, {"detail": "Invalid JSON in request body"})
    odd_filter = {"namespace_prefix": ["a"], "filter": {"": None}}
    refused = await http.post("/store/items/search", json=odd_filter)
    assert refused.status_code == (422 if database_uri.startswith("sqlite") else 200)
    assert (await http.get("/store/namespaces")).status_code == 405


async def test_lenient_inputs_match_the_official_server(http: httpx.AsyncClient) -> None:
    """Empty keys, dotted keys, negative TTLs and unknown `refresh_ttl` values are accepted."""
    for key, ttl in [("", None), ("k.with.dot", None), ("neg", -1)]:
        put = await http.put(
            "/store/items", json={"namespace": ["lenient"], "key": key, "value": {}, "ttl": ttl}
        )
        assert put.status_code == 204
    got = await http.get(
        "/store/items", params={"namespace": "lenient", "key": "k.with.dot", "refresh_ttl": "maybe"}
    )
    assert got.json()["key"] == "k.with.dot"
    deleted = await http.request("DELETE", "/store/items", json={"key": "absent"})
    assert deleted.status_code == 204


async def test_graph_and_api_share_the_store(client: LangGraphClient) -> None:
    await client.store.put_item(FACTS, "from-api", {"fact": "from-api"})
    out = await client.runs.wait(None, "store", input={"fact": "from-graph"})
    assert {"from-api", "from-graph"} <= set(out["known"])  # type: ignore[index]
    found = await client.store.search_items(FACTS, limit=100)
    assert {"from-api", "from-graph"} <= {i["key"] for i in found["items"]}
    written = await client.store.get_item(FACTS, "from-graph")
    assert written["value"] == {"fact": "from-graph"}


@pytest.fixture
async def indexed(tmp_path: Path) -> AsyncIterator[LangGraphClient]:
    """An app whose `langgraph.json` configures `store.index` and `store.ttl`."""
    (tmp_path / "embed.py").write_text(EMBED_SOURCE)
    manifest = {
        "graphs": {"store": str(ROOT / "conformance" / "graphs" / "store.py") + ":graph"},
        "store": {
            "index": {"embed": "./embed.py:embed", "dims": 8, "fields": ["text"]},
            "ttl": {"refresh_on_read": True, "default_ttl": 60, "sweep_interval_minutes": 5},
        },
    }
    (tmp_path / "langgraph.json").write_bytes(orjson.dumps(manifest))
    settings = skeino.SkeinoSettings(database_uri="memory://")
    app = skeino.from_langgraph_json(tmp_path / "langgraph.json", settings=settings)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://skeino") as http:
            yield LangGraphClient(http)


async def test_semantic_query(indexed: LangGraphClient) -> None:
    store = indexed.store
    for key, text in {"a": "aaaa", "b": "bbbb", "ab": "abab"}.items():
        await store.put_item(["docs"], key, {"text": text})
    await store.put_item(["docs"], "skipped", {"text": "aaaa"}, index=False)
    ranked = (await store.search_items(["docs"], query="aa"))["items"]
    scores = [(i["key"], None if i["score"] is None else round(i["score"], 3)) for i in ranked]
    assert scores == [("a", 1.0), ("ab", 0.707), ("b", 0.0), ("skipped", None)]
    top = await store.search_items(["docs"], query="bb", limit=1)
    assert [i["key"] for i in top["items"]] == ["b"]


async def test_concurrent_runs_writing_the_store_all_succeed(client: LangGraphClient) -> None:
    """Runs that write and read the store while other runs checkpoint: on SQLite the store's
    batches meet the checkpointer's commits, which must not fail a run ("database is
    locked"; found by langgraphjs's api.test.mts, whose runs run concurrently)."""
    outputs: list[dict[str, object]] = []

    async def remember(n: int) -> None:
        thread_id = (await client.threads.create())["thread_id"]
        outputs.append(await client.runs.wait(thread_id, "store", input={"fact": f"f{n}"}))

    async with anyio.create_task_group() as tg:
        for n in range(16):
            tg.start_soon(remember, n)
    assert [out for out in outputs if "__error__" in out] == []
    assert len(outputs) == 16
