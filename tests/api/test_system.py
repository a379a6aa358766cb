"""System routes and the generic HTTP behaviour every route shares."""

from __future__ import annotations

import httpx
import pytest

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
