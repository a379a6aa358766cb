"""Every storage test runs against both backends: they must be indistinguishable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from skeino.backend import open_backend
from skeino.storage import Storage


@pytest.fixture(params=["memory", "sqlite"])
def storage_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    return f"sqlite:///{tmp_path}/nested/dir/skeino.db"


@pytest.fixture
async def storage(storage_uri: str) -> AsyncIterator[Storage]:
    async with open_backend(storage_uri) as backend:
        yield backend.storage
