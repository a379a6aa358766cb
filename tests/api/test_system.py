"""System routes and the generic HTTP behaviour every route shares."""

from __future__ import annotations

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import NotFoundError

import skeino
from tests.conftest import MANIFEST

pytestmark = pytest.mark.anyio


async def test_ok_info_health(http: httpx.AsyncClient) -> None:
    assert (await http.get("/ok")).json() == {"ok": True, "services": {}}
    info = (await http.get("/info")).json()
    assert {"version", "langgraph_py_version", "flags", "host"} <= set(info)
    assert info["flags"]["assistants"] is True
    assert (await http.get("/api/health")).json() == {"status": "ok"}
    assert "message" in (await http.get("/api/initial-message")).json()


async def test_openapi_lists_routes_and_models(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    assert spec["openapi"] == "3.1.0"
    assert "post" in spec["paths"]["/threads"]
    assert "get" in spec["paths"]["/threads/{thread_id}/state"]
    create = spec["components"]["schemas"]["AssistantCreate"]
    assert create["required"] == ["graph_id"]
    assert create["properties"]["if_exists"] == {"enum": ["raise", "do_nothing"]}
    assert "Superstep" in spec["components"]["schemas"]


async def test_unknown_path_and_wrong_method(http: httpx.AsyncClient) -> None:
    missing = await http.get("/nope")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    wrong = await http.put("/threads")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST"
    assert wrong.json() == {"detail": "Method Not Allowed"}


async def test_bad_bodies(http: httpx.AsyncClient) -> None:
    bad_json = await http.post(
        "/threads", content=b"{bad", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 422
    assert bad_json.json() == {"detail": "Invalid JSON in request body"}
    wrong_type = await http.post("/threads", json={"metadata": 5})
    assert wrong_type.status_code == 422
    assert "metadata" in wrong_type.json()["detail"]
    not_object = await http.post("/threads", json=[1])
    assert not_object.status_code == 422
    enum = await http.post("/threads", json={"if_exists": "zz"})
    assert enum.status_code == 422 and "if_exists" in enum.json()["detail"]
    required = await http.post("/assistants", json={})
    assert required.status_code == 422 and "graph_id" in required.json()["detail"]


async def test_body_too_large(http: httpx.AsyncClient) -> None:
    huge = b'{"metadata": {"x": "' + b"a" * (17 * 1024 * 1024) + b'"}}'
    response = await http.post(
        "/threads", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "detail" in response.json()


async def test_cors_preflight(http: httpx.AsyncClient) -> None:
    response = await http.options(
        "/threads",
        headers={"origin": "http://ui.test", "access-control-request-method": "POST"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in {"*", "http://ui.test"}


async def test_internal_truncate(database_uri: str) -> None:
    """`POST /internal/truncate`, served only when enabled, leaves only the system assistants
    and the store, as the official dev server's test aid does."""
    settings = skeino.SkeinoSettings(database_uri=database_uri, internal_truncate=True)
    application = skeino.from_langgraph_json(MANIFEST, settings=settings)
    async with application.running():
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://skeino") as http:
            client = LangGraphClient(http)
            systems = await client.assistants.count()
            made = await client.assistants.create("chat")
            thread = await client.threads.create()
            await client.runs.wait(thread["thread_id"], "chat", input={"messages": []})
            await client.crons.create("chat", schedule="0 0 * * *")
            await client.store.put_item(["kept"], "k", {"v": 1})
            wiped = await http.post("/internal/truncate", json={"threads": True})
            assert wiped.json() == {"ok": True}
            assert await client.threads.count() == 0
            assert await client.assistants.count() == systems
            assert await client.crons.count() == 0
            assert (await client.store.get_item(["kept"], "k"))["value"] == {"v": 1}
            with pytest.raises(NotFoundError):
                await client.assistants.get(made["assistant_id"])
            with pytest.raises(NotFoundError):
                await client.threads.get_state(thread["thread_id"])


async def test_internal_truncate_is_off_by_default(http: httpx.AsyncClient) -> None:
    assert (await http.post("/internal/truncate", json={})).status_code == 404
