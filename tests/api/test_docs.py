"""`/docs`: one small page with everything inlined, nothing fetched from elsewhere, that
renders every operation of `/openapi.json` (run in node against a minimal DOM)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.anyio

HARNESS = r"""
const fs = require("fs");
const script = fs.readFileSync(process.argv[2], "utf8");
const spec = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
class Node {
  constructor(tag) {
    Object.assign(this, { tag, children: [], attrs: {}, dataset: {}, textContent: "" });
  }
  append(...c) { this.children.push(...c); }
  replaceChildren(...c) { this.children = c; }
  setAttribute(k, v) { this.attrs[k] = v; }
  addEventListener() {}
}
const ids = {};
global.document = { getElementById: (id) => (ids[id] ||= new Node("#" + id)),
  createElement: (tag) => new Node(tag), querySelectorAll: () => [] };
global.location = { href: "http://offline.test/prefix/docs" };
const fetched = [];
global.fetch = async (url) => { fetched.push(url); return { json: async () => spec }; };
eval(script);
setTimeout(() => {
  const walk = (n) => (typeof n === "string" ? [] : [n, ...n.children.flatMap(walk)]);
  const nodes = walk(ids.operations);
  const ops = nodes.filter((n) => n.tag === "details" && n.dataset.search);
  const sections = nodes.filter((n) => n.tag === "section").length;
  console.log(JSON.stringify({ fetched, title: ids.title.textContent, ops: ops.length, sections }));
}, 50);
"""


async def test_docs_page_is_small_and_self_contained(http: httpx.AsyncClient) -> None:
    page = await http.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    assert len(page.content) < 16 * 1024
    assert not re.search(r"https?:|//[a-z]|<link|<script [^>]*src=|@import", html, re.I)
    assert "openapi.json" in html and "<script>" in html


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_docs_page_renders_every_operation(http: httpx.AsyncClient, tmp_path: Path) -> None:
    html = (await http.get("/docs")).text
    spec = (await http.get("/openapi.json")).json()
    script = html.split("<script>", 1)[1].rsplit("</script>", 1)[0]
    (tmp_path / "docs.js").write_text(script)
    (tmp_path / "openapi.json").write_text(json.dumps(spec))
    (tmp_path / "harness.js").write_text(HARNESS)
    done = subprocess.run(
        ["node", "harness.js", "docs.js", "openapi.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rendered = json.loads(done.stdout)
    assert rendered["fetched"] == ["http://offline.test/prefix/openapi.json"]
    assert rendered["ops"] == sum(len(methods) for methods in spec["paths"].values())
    assert rendered["sections"] == len(
        {op["tags"][0] for m in spec["paths"].values() for op in m.values()}
    )
    assert rendered["title"].startswith("skeino ")


async def test_new_routes_are_described(http: httpx.AsyncClient) -> None:
    paths = (await http.get("/openapi.json")).json()["paths"]
    assert "get" in paths["/runs/crons/{cron_id}"]
    assert "get" in paths["/threads/{thread_id}/storage"]
    assert "get" in paths["/metrics"] and "get" in paths["/docs"]
