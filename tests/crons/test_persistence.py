"""Crons survive a restart on SQLite, and missed firings do not come back as a burst."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import anyio
import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

import skeino
from skeino.app import SkeinoApp
from skeino.backend import open_backend
from tests.conftest import MANIFEST

pytestmark = pytest.mark.anyio

YEARLY = "0 0 1 1 *"
LONG_AGO = "2020-01-01T00:00:00+00:00"


@asynccontextmanager
async def serving(database: Path) -> AsyncIterator[tuple[SkeinoApp, LangGraphClient]]:
    settings = skeino.SkeinoSettings(database_uri=f"sqlite:///{database}")
    app = skeino.from_langgraph_json(MANIFEST, settings=settings)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://skeino") as http:
            yield app, LangGraphClient(http)


async def _runs_settle(client: LangGraphClient, thread_id: str) -> int:
    """Wait for the first run, then a little longer for any (wrongly) following it."""
    with anyio.fail_after(5):
        while not await client.runs.list(thread_id):
            await anyio.sleep(0.1)
    await anyio.sleep(1)
    return len(await client.runs.list(thread_id, limit=100))


async def test_crons_survive_a_restart(tmp_path: Path) -> None:
    database = tmp_path / "skeino.db"
    async with serving(database) as (_, client):
        tid = (await client.threads.create())["thread_id"]
        on_thread = await client.crons.create_for_thread(tid, "custom", schedule=YEARLY)
        stateless = await client.crons.create(
            "custom", schedule="0 9 * * *", timezone="Europe/Paris", metadata={"k": "v"}
        )
        await client.crons.update(stateless["cron_id"], enabled=False)
    async with serving(database) as (_, client):
        found = await client.crons.search(sort_by="created_at", sort_order="asc")
        assert [c["cron_id"] for c in found] == [on_thread["cron_id"], stateless["cron_id"]]
        assert found[0] == on_thread
        assert found[1]["enabled"] is False and found[1]["metadata"] == {"k": "v"}
        assert found[1]["timezone"] == "Europe/Paris"


async def test_a_cron_missed_while_down_fires_once_at_start_up(tmp_path: Path) -> None:
    database = tmp_path / "skeino.db"
    async with serving(database) as (_, client):
        tid = (await client.threads.create())["thread_id"]
        cron = await client.crons.create_for_thread(tid, "custom", schedule=YEARLY)
    async with open_backend(f"sqlite:///{database}") as backend:
        # six missed firings
        await backend.crons.update(cron["cron_id"], {"next_run_date": LONG_AGO})

    async with serving(database) as (_, client):
        assert await _runs_settle(client, tid) == 1
        [after] = await client.crons.search(thread_id=tid)
        assert after["next_run_date"] == cron["next_run_date"]  # the next future slot
        assert after["next_run_date"] > datetime.now(UTC).isoformat()


async def test_a_missed_firing_fires_once_while_running(
    app: SkeinoApp, client: LangGraphClient
) -> None:
    tid = (await client.threads.create())["thread_id"]
    cron = await client.crons.create_for_thread(tid, "custom", schedule=YEARLY)
    assert app.services is not None
    crons = app.services.crons
    await crons.store.update(cron["cron_id"], {"next_run_date": LONG_AGO})
    crons.scheduler.wake()
    assert await _runs_settle(client, tid) == 1  # not one per year since 2020


async def test_a_thread_cron_goes_with_its_thread(client: LangGraphClient) -> None:
    tid = (await client.threads.create())["thread_id"]
    await client.crons.create_for_thread(tid, "custom", schedule="* * * * * *")
    await client.threads.delete(tid)
    with anyio.fail_after(5):
        while await client.crons.count(thread_id=tid):
            await anyio.sleep(0.2)


async def test_a_cron_that_cannot_be_scheduled_rests(
    app: SkeinoApp, client: LangGraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    tid = (await client.threads.create())["thread_id"]
    cron = await client.crons.create_for_thread(tid, "custom", schedule=YEARLY)
    assert app.services is not None
    crons = app.services.crons
    changes = {"next_run_date": LONG_AGO, "timezone": "Gone/Zone"}  # say tzdata dropped it
    await crons.store.update(cron["cron_id"], changes)
    crons.scheduler.wake()
    with anyio.fail_after(5):
        while (await crons.store.get(cron["cron_id"]) or {}).get("next_run_date") is not None:
            await anyio.sleep(0.05)
    assert await _runs_settle(client, tid) == 1  # the due firing still happens, once
    assert "cannot be scheduled" in caplog.text
