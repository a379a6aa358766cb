"""Shared fixtures: a real skeino app on the conformance graphs, driven by the real SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

import skeino
from skeino.app import SkeinoApp
from tests.postgres import SERVER, SKIPPED, database

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "conformance" / "langgraph.json"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_report_header() -> str:
    return f"postgres: {SERVER or 'none; ' + SKIPPED}"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def database_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path / "skeino.db") as uri:
        yield uri


@pytest.fixture
async def app(database_uri: str) -> AsyncIterator[SkeinoApp]:
    settings = skeino.SkeinoSettings(database_uri=database_uri, heartbeat_seconds=0.5)
    application = skeino.from_langgraph_json(MANIFEST, settings=settings)
    async with application.running():
        yield application


@pytest.fixture
async def http(app: SkeinoApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://skeino") as client:
        yield client


@pytest.fixture
def client(http: httpx.AsyncClient) -> LangGraphClient:
    return LangGraphClient(http)
