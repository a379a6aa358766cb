"""Filter semantics: exact matches go to storage, `$contains` is checked row by row."""

from __future__ import annotations

from typing import Any

import pytest

from skeino.auth.filters import matches, narrow, scoped_search
from skeino.storage.base import Page
from skeino.storage.filters import contains, paginate

pytestmark = pytest.mark.anyio


def test_matches() -> None:
    meta = {"owner": "a", "tags": ["x", "y"]}
    assert matches(meta, None) and matches(meta, {})
    assert matches(meta, {"owner": "a"}) and matches(meta, {"owner": {"$eq": "a"}})
    assert not matches(meta, {"owner": "b"}) and not matches({}, {"owner": "a"})
    assert matches(meta, {"tags": {"$contains": "x"}})
    assert matches(meta, {"tags": {"$contains": ["y", "x"]}})
    assert not matches(meta, {"tags": {"$contains": ["x", "z"]}})
    assert not matches(meta, {"owner": {"$contains": "a"}})  # not a list


def test_narrow() -> None:
    assert narrow({"k": 1}, {"owner": "a"}) == ({"k": 1, "owner": "a"}, {})
    assert narrow({"owner": "a"}, {"owner": {"$eq": "a"}}) == ({"owner": "a"}, {})
    assert narrow({"owner": "b"}, {"owner": "a"}) == (None, {})
    assert narrow({}, {"tags": {"$contains": "x"}}) == ({}, {"tags": {"$contains": "x"}})


async def test_scoped_search_pages_after_filtering() -> None:
    rows = [{"id": i, "metadata": {"tags": ["x"] if i % 2 else []}} for i in range(10)]

    async def search(metadata: dict[str, Any], page: Page) -> tuple[list[Any], int]:
        found = [r for r in rows if contains(r["metadata"], metadata)]
        return paginate(found, page.limit, page.offset), len(found)

    page = Page(limit=2, offset=1)
    found, total = await scoped_search(search, {}, {"tags": {"$contains": "x"}}, page)
    assert ([r["id"] for r in found], total) == ([3, 5], 5)
    assert await scoped_search(search, {}, None, page) == (rows[1:3], 10)
