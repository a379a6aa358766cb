"""`from_langgraph_json`: graphs by file and module, dependencies, env, http, errors."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import httpx
import pytest

import skeino
from skeino.manifest import ManifestError

pytestmark = pytest.mark.anyio

GRAPH = """
from typing import TypedDict
from langgraph.graph import START, StateGraph

class State(TypedDict):
    n: int

def bump(state: State) -> State:
    return {"n": state["n"] + 1}

builder = StateGraph(State)
builder.add_node("bump", bump)
builder.add_edge(START, "bump")
graph = builder.compile()
uncompiled = builder

def factory(config):
    return builder.compile()

async def async_factory():
    return builder.compile()
"""

CUSTOM = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def hello(request):
    return JSONResponse({"hello": "world"})

async def fake_ok(request):
    return JSONResponse({"mine": True})

app = Starlette(routes=[Route("/hello", hello), Route("/ok", fake_ok)])
"""


def write_project(root: Path, manifest: str) -> Path:
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "graphs.py").write_text(GRAPH)
    (root / "local.py").write_text(GRAPH)
    (root / "web.py").write_text(CUSTOM)
    (root / ".env").write_text("SKEINO_TEST_FROM_DOTENV='yes'\n# comment\n")
    path = root / "langgraph.json"
    path.write_text(manifest)
    return path


async def test_all_graph_forms_and_extras(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    manifest = write_project(
        tmp_path,
        """{
        "dependencies": ["."],
        "graphs": {
            "file": "./local.py:graph",
            "module": "pkg.graphs:graph",
            "builder": "./local.py:uncompiled",
            "factory": {"path": "./local.py:factory"},
            "async_factory": "pkg.graphs:async_factory"
        },
        "env": ".env",
        "http": {"app": "./web.py:app", "cors": {"allow_origins": ["http://ui.test"]}},
        "python_version": "3.11",
        "mystery": 1
    }""",
    )
    os.environ.pop("SKEINO_TEST_FROM_DOTENV", None)
    with caplog.at_level(logging.WARNING, logger="skeino.manifest"):
        app = skeino.from_langgraph_json(
            manifest, settings=skeino.SkeinoSettings(database_uri="memory://")
        )
    assert "mystery" in caplog.text and "python_version" not in caplog.text
    assert os.environ.pop("SKEINO_TEST_FROM_DOTENV") == "yes"
    async with app.running():
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://m")
        for graph_id in ["file", "module", "builder", "factory", "async_factory"]:
            out = await http.post("/runs/wait", json={"assistant_id": graph_id, "input": {"n": 1}})
            assert out.json() == {"n": 2}, graph_id
        assert (await http.get("/hello")).json() == {"hello": "world"}
        assert (await http.get("/ok")).json() == {"ok": True, "services": {}}
        preflight = await http.options(
            "/threads",
            headers={"origin": "http://ui.test", "access-control-request-method": "POST"},
        )
        assert preflight.headers["access-control-allow-origin"] == "http://ui.test"


@pytest.mark.parametrize(
    ("graphs", "message"),
    [
        ('{"g": "./missing.py:graph"}', "file not found"),
        ('{"g": "./broken.py:graph"}', "broken.py"),
        ('{"g": "./local.py:nothing"}', "has no attribute 'nothing'"),
        ('{"g": "no_such_module:graph"}', "no_such_module"),
        ('{"g": "no-colon"}', "expected"),
    ],
)
def test_import_failures_name_the_file(tmp_path: Path, graphs: str, message: str) -> None:
    manifest = write_project(tmp_path, f'{{"graphs": {graphs}}}')
    (tmp_path / "broken.py").write_text("raise RuntimeError('kaput')\n")
    with pytest.raises(ManifestError, match=message):
        skeino.from_langgraph_json(manifest)


def test_bad_manifests(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="not found"):
        skeino.from_langgraph_json(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(ManifestError, match="not valid JSON"):
        skeino.from_langgraph_json(bad)
    bad.write_text('{"graphs": []}')
    with pytest.raises(ManifestError, match="'graphs' object"):
        skeino.from_langgraph_json(bad)


def test_settings_validation() -> None:
    with pytest.raises(ValueError, match="database_uri"):
        skeino.SkeinoSettings(database_uri="nowhere")
    with pytest.raises(ValueError, match="max_body_bytes"):
        skeino.SkeinoSettings(max_body_bytes=0)
