"""An app under the `owners` auth of tests/auth, with one raw HTTP client per caller, for
the JSON-RPC protocols (MCP, A2A) that must answer under the same auth as the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx

import skeino
from conformance.graphs.chat import graph as chat
from tests.auth.owners import auth

CALLERS = {"a": "token-a", "b": "token-b", "none": None}


@asynccontextmanager
async def guarded(database_uri: str) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """Clients `a`, `b` (two owners) and `none` (no token) of one app with auth."""
    settings = skeino.SkeinoSettings(database_uri=database_uri, heartbeat_seconds=0.5)
    app = skeino.create_app(graphs={"chat": chat}, settings=settings, auth=auth)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.running())
        transport = httpx.ASGITransport(app=app)
        clients = {}
        for name, token in CALLERS.items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            client = httpx.AsyncClient(transport=transport, base_url="http://s", headers=headers)
            clients[name] = await stack.enter_async_context(client)
        yield clients
