"""Fixtures of the thread-stream tests (named so that no other test here sees them as its
own `client`): a real `skeino serve` per test module, and the SDK on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from tests.api.streams_support import serving


@pytest.fixture(scope="module")
def streams_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server per test module that imports this fixture."""
    yield from serving(tmp_path_factory.mktemp("streams"))


@pytest.fixture
async def streams_client(streams_server: str) -> AsyncIterator[LangGraphClient]:
    sdk = get_client(url=streams_server)
    yield sdk
    await sdk.aclose()
