"""`skeino serve --reload`: what it watches, and a real server picking up an edited graph."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient

from skeino.reload import snapshot

GRAPH = """
from typing_extensions import TypedDict
from langgraph.graph import START, StateGraph

class S(TypedDict, total=False):
    answer: str

builder = StateGraph(S)
builder.add_node("node", lambda state: {{"answer": {answer!r}}})
builder.add_edge(START, "node")
graph = builder.compile()
"""


def project(root: Path, answer: str) -> Path:
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "graph.py").write_text(GRAPH.format(answer=answer))
    config = root / "langgraph.json"
    manifest = {"graphs": {"g": "./graph.py:graph"}, "dependencies": ["./src"], "env": ".env"}
    config.write_text(json.dumps(manifest))
    return config


def touched(path: Path, text: str) -> None:
    """Write and move the mtime on, so a change shows on filesystems with coarse times."""
    path.write_text(text)
    later = path.stat().st_mtime + 2
    os.utime(path, (later, later))


def test_the_manifest_its_files_and_dependencies_are_watched(tmp_path: Path) -> None:
    config = project(tmp_path, "one")
    (tmp_path / "src" / ".venv").mkdir()
    (tmp_path / "src" / ".venv" / "ignored.py").write_text("")
    (tmp_path / "unrelated.py").write_text("")
    first = snapshot(config)
    assert sorted(Path(p).name for p in first) == ["graph.py", "langgraph.json"]
    (tmp_path / "src" / "helper.py").write_text("")  # added
    second = snapshot(config)
    assert second != first
    (tmp_path / ".env").write_text("A=1")  # a named file appearing
    third = snapshot(config)
    assert third != second
    touched(tmp_path / "graph.py", "edited")
    assert snapshot(config) != third
    touched(tmp_path / "unrelated.py", "edited")
    touched(tmp_path / "src" / ".venv" / "ignored.py", "edited")
    assert snapshot(config) == snapshot(config)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answer(client: SyncLangGraphClient) -> str | None:
    try:
        out = client.runs.wait(None, "g", input={})
    except (httpx.HTTPError, OSError):
        return None  # restarting, or not up yet
    return out.get("answer") if isinstance(out, dict) else None


def _answers(client: SyncLangGraphClient, expected: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None
        if _answer(client) == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"the server never answered {expected!r}")


def test_an_edited_graph_is_served_after_a_reload(tmp_path: Path) -> None:
    config = project(tmp_path, "one")
    (tmp_path / ".env").write_text("LG_WEBHOOK_UNUSED=1")
    port = _free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "skeino", "serve", str(config), "--reload"),
            *("--port", str(port), "--database", f"sqlite:///{tmp_path}/reload.db"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    client = get_sync_client(url=f"http://127.0.0.1:{port}", timeout=5)
    try:
        _answers(client, "one", proc)
        touched(tmp_path / "graph.py", GRAPH.format(answer="two"))
        _answers(client, "two", proc)
    finally:
        client.close()
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, output
    assert "files changed: restarting the server" in output
