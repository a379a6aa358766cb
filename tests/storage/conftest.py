"""Every storage test runs against every backend: they must be indistinguishable."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from skeino.backend import open_backend
from skeino.storage import Storage
from tests.postgres import database


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def storage_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path / "nested" / "dir" / "skeino.db") as uri:
        yield uri


@pytest.fixture
async def storage(storage_uri: str) -> AsyncIterator[Storage]:
    async with open_backend(storage_uri) as backend:
        yield backend.storage
