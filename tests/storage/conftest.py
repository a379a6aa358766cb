"""Every storage test runs against both backends: they must be indistinguishable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from skeino.storage import Storage, open_storage


@pytest.fixture(params=["memory", "sqlite"])
def storage_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    return f"sqlite:///{tmp_path}/nested/dir/skeino.db"


@pytest.fixture
async def storage(storage_uri: str) -> AsyncIterator[Storage]:
    store = open_storage(storage_uri)
    await store.open()
    yield store
    await store.close()
