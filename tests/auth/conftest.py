"""An app with the `owners` auth, and one SDK client per caller over the same transport."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

import skeino
from conformance.graphs.chat import graph as chat
from conformance.graphs.slow import graph as slow
from skeino.app import SkeinoApp
from tests.auth.owners import auth, whoami


@pytest.fixture
async def app(database_uri: str) -> AsyncIterator[SkeinoApp]:
    settings = skeino.SkeinoSettings(database_uri=database_uri, heartbeat_seconds=0.5)
    graphs = {"chat": chat, "slow": slow, "whoami": whoami}
    application = skeino.create_app(graphs=graphs, settings=settings, auth=auth)
    async with application.running():
        yield application


@pytest.fixture
async def clients(app: SkeinoApp) -> AsyncIterator[dict[str, LangGraphClient]]:
    """`a`, `b`, `deny`, `raise` and `none` (no token)."""
    transport = httpx.ASGITransport(app=app)
    tokens = {"a": "token-a", "b": "token-b", "deny": "token-deny", "raise": "token-raise"}
    made: list[httpx.AsyncClient] = []
    for token in [*tokens.values(), None]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        made.append(httpx.AsyncClient(transport=transport, base_url="http://s", headers=headers))
    try:
        yield {name: LangGraphClient(c) for name, c in zip([*tokens, "none"], made, strict=True)}
    finally:
        for c in made:
            await c.aclose()


@pytest.fixture
def a(clients: dict[str, LangGraphClient]) -> LangGraphClient:
    return clients["a"]


@pytest.fixture
def b(clients: dict[str, LangGraphClient]) -> LangGraphClient:
    return clients["b"]
