"""`GET /threads/{id}/storage`: each backend's footprint query, through the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph_sdk.client import LangGraphClient

import skeino
from skeino.backend import Backend, StoreOptions, open_backend, register_backend
from tests.conftest import MANIFEST

pytestmark = pytest.mark.anyio

EMPTY = {
    "total_bytes": 0,
    "checkpoints": {"count": 0, "bytes": 0},
    "channel_values": {"count": 0, "bytes": 0, "by_channel": {}},
    "pending_writes": {"count": 0, "bytes": 0},
}


def chat(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


async def test_a_threads_footprint_grows_with_its_runs(
    client: LangGraphClient, http: httpx.AsyncClient
) -> None:
    tid = (await client.threads.create())["thread_id"]
    assert (await http.get(f"/threads/{tid}/storage")).json() == {"thread_id": tid, **EMPTY}

    await client.runs.wait(tid, "chat", input=chat("hello"))
    first = (await http.get(f"/threads/{tid}/storage")).json()
    history = await client.threads.get_history(tid, limit=100)
    assert first["checkpoints"]["count"] == len(history) == 3
    channels = first["channel_values"]
    assert channels["by_channel"]["messages"]["versions"] >= 1
    assert channels["by_channel"]["messages"]["bytes"] > len("You said: hello")
    assert channels["bytes"] == sum(c["bytes"] for c in channels["by_channel"].values())
    assert channels["count"] == sum(c["versions"] for c in channels["by_channel"].values())
    assert first["pending_writes"]["count"] > 0 and first["checkpoints"]["bytes"] > 0
    parts = first["checkpoints"]["bytes"] + channels["bytes"] + first["pending_writes"]["bytes"]
    assert first["total_bytes"] == parts

    await client.runs.wait(tid, "chat", input=chat("again, with more words"))
    second = (await http.get(f"/threads/{tid}/storage")).json()
    assert second["checkpoints"]["count"] > first["checkpoints"]["count"]
    messages = second["channel_values"]["by_channel"]["messages"]
    assert messages["bytes"] > channels["by_channel"]["messages"]["bytes"]


async def test_missing_and_malformed_threads(http: httpx.AsyncClient) -> None:
    missing = await http.get("/threads/00000000-0000-0000-0000-000000000000/storage")
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": "Thread with ID 00000000-0000-0000-0000-000000000000 not found"
    }
    bad = await http.get("/threads/nope/storage")
    assert (bad.status_code, bad.json()) == (422, {"detail": "Invalid thread ID: must be a UUID"})


class OpaqueSaver(BaseCheckpointSaver[Any]):
    """A checkpointer skeino knows nothing about (its tables, if any, are its own)."""


@asynccontextmanager
async def _opaque(uri: str, options: StoreOptions) -> AsyncIterator[Backend]:
    async with open_backend("memory://", options) as backend:
        yield Backend(backend.storage, backend.crons, None, OpaqueSaver(), backend.store)


async def test_a_checkpointer_that_cannot_tell_answers_501() -> None:
    register_backend("opaque", _opaque)
    settings = skeino.SkeinoSettings(database_uri="opaque://")
    app = skeino.from_langgraph_json(MANIFEST, settings=settings)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://skeino") as http:
            tid = (await http.post("/threads", json={})).json()["thread_id"]
            answer = await http.get(f"/threads/{tid}/storage")
    assert answer.status_code == 501
    assert "built-in checkpointers" in answer.json()["detail"]
