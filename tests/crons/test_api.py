"""The crons endpoints through the official SDK, on memory and SQLite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import anyio
import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import BadRequestError, NotFoundError, UnprocessableEntityError

pytestmark = pytest.mark.anyio

FAR_FUTURE = "0 0 1 1 *"
EVERY_SECOND = "* * * * * *"
CUSTOM_ID = str(uuid.uuid5(uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8"), "custom"))


async def test_thread_cron_lifecycle(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    tid = thread["thread_id"]
    cron = await client.crons.create_for_thread(
        tid, "custom", schedule=FAR_FUTURE, input={"count": 1}, metadata={"team": "a"}
    )
    cid = cron["cron_id"]
    assert uuid.UUID(cid).version == 7
    assert cron["assistant_id"] == CUSTOM_ID and cron["thread_id"] == tid
    assert cron["user_id"] == "" and cron["end_time"] is None and cron["timezone"] is None
    assert cron["on_run_completed"] is None and cron["enabled"] is True
    assert cron["metadata"] == {"team": "a"}
    assert cron["next_run_date"] == f"{datetime.now(UTC).year + 1}-01-01T00:00:00+00:00"
    assert cron["payload"] == {
        "schedule": FAR_FUTURE,
        "input": {"count": 1},
        "metadata": {"team": "a"},
        "assistant_id": CUSTOM_ID,
        "config": {"configurable": {"cron_id": cid}},
    }
    assert cron["created_at"] == cron["updated_at"]

    assert await client.crons.search(thread_id=tid) == [cron]
    assert await client.crons.count(thread_id=tid) == 1

    updated = await client.crons.update(cid, schedule="0 0 2 1 *", enabled=False)
    assert updated["schedule"] == "0 0 2 1 *" and updated["enabled"] is False
    assert updated["next_run_date"].endswith("-01-02T00:00:00+00:00")
    assert updated["payload"]["enabled"] is False
    assert updated["updated_at"] > cron["updated_at"]
    found = await client.crons.search(
        thread_id=tid, enabled=False, select=["cron_id", "schedule", "enabled"]
    )
    assert found == [{"cron_id": cid, "schedule": "0 0 2 1 *", "enabled": False}]
    assert await client.crons.search(thread_id=tid, enabled=True) == []

    await client.crons.delete(cid)
    assert await client.crons.count(thread_id=tid) == 0
    with pytest.raises(NotFoundError):
        await client.crons.delete(cid)


async def test_stateless_cron(client: LangGraphClient) -> None:
    tag = {"test": str(uuid.uuid4())}
    cron = await client.crons.create(
        "custom", schedule=FAR_FUTURE, metadata=tag, timezone="Europe/Paris"
    )
    assert cron["thread_id"] is None and cron["on_run_completed"] == "delete"
    assert cron["timezone"] == "Europe/Paris"
    assert cron["next_run_date"].endswith("-12-31T23:00:00+00:00")  # midnight in Paris
    kept = await client.crons.create("custom", schedule=FAR_FUTURE, on_run_completed="keep")
    assert kept["on_run_completed"] == "keep"

    assert await client.crons.search(metadata=tag, sort_by="created_at") == [cron]
    assert await client.crons.count(metadata=tag) == 1
    assert await client.crons.count(assistant_id=CUSTOM_ID) == 2


async def test_update(client: LangGraphClient) -> None:
    cron = await client.crons.create(
        "custom", schedule=FAR_FUTURE, metadata={"a": 1}, config={"tags": ["x"]}
    )
    cid = cron["cron_id"]
    end = datetime(2099, 1, 1, tzinfo=UTC)
    updated = await client.crons.update(
        cid,
        end_time=end,
        metadata={"b": 2},
        config={"configurable": {"model": "m"}},
        on_run_completed="keep",
        timezone="Asia/Tokyo",
        input={"count": 2},
    )
    assert updated["end_time"] == "2099-01-01T00:00:00+00:00"
    assert updated["metadata"] == {"a": 1, "b": 2}
    assert updated["on_run_completed"] == "keep" and updated["timezone"] == "Asia/Tokyo"
    assert updated["next_run_date"].endswith("-12-31T15:00:00+00:00")
    assert updated["payload"]["config"] == {"configurable": {"model": "m", "cron_id": cid}}
    assert updated["payload"]["input"] == {"count": 2}
    assert updated["payload"]["metadata"] == {"b": 2}  # the payload takes the patch as given

    cleared = await client.crons.update(cid, end_time=None)
    assert cleared["end_time"] is None and cleared["payload"]["end_time"] is None


async def test_search_pages_and_sorts(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    tag = {"test": str(uuid.uuid4())}
    made = [
        await client.crons.create("custom", schedule=f"0 0 {day} 1 *", metadata=tag)
        for day in (3, 1, 2)
    ]
    newest_first = [c["cron_id"] for c in reversed(made)]
    assert [c["cron_id"] for c in await client.crons.search(metadata=tag)] == newest_first
    by_date = await client.crons.search(metadata=tag, sort_by="next_run_date", sort_order="asc")
    assert [c["schedule"] for c in by_date] == ["0 0 1 1 *", "0 0 2 1 *", "0 0 3 1 *"]

    response = await http.post("/runs/crons/search", json={"metadata": tag, "limit": 2})
    assert response.headers["x-pagination-total"] == "3"
    assert response.headers["x-pagination-next"] == "2"
    last = await http.post("/runs/crons/search", json={"metadata": tag, "limit": 2, "offset": 2})
    assert "x-pagination-next" not in last.headers and len(last.json()) == 1


async def _detail(error: pytest.ExceptionInfo[Exception]) -> str:
    assert isinstance(error.value, httpx.HTTPStatusError)
    return str(error.value.response.json()["detail"])


async def test_validation_errors(client: LangGraphClient) -> None:
    with pytest.raises(UnprocessableEntityError) as bad:
        await client.crons.create("custom", schedule="not a cron")
    assert (await _detail(bad)).startswith("Invalid cron schedule: 'not a cron'. Reason:")
    with pytest.raises(UnprocessableEntityError) as bad:
        await client.crons.create("custom", schedule=FAR_FUTURE, timezone="Not/AZone")
    assert (await _detail(bad)).startswith("Invalid timezone: 'Not/AZone'.")
    with pytest.raises(UnprocessableEntityError):
        await client.crons.create("custom", schedule=FAR_FUTURE, webhook="ftp://nope")
    with pytest.raises(UnprocessableEntityError):
        await client.crons.create("custom", schedule=FAR_FUTURE, multitask_strategy="sometimes")
    with pytest.raises(NotFoundError) as missing:
        await client.crons.create_for_thread(str(uuid.uuid4()), "custom", schedule=FAR_FUTURE)
    assert "not found" in await _detail(missing)
    with pytest.raises(UnprocessableEntityError) as bad:
        await client.crons.create_for_thread("not-a-uuid", "custom", schedule=FAR_FUTURE)
    assert await _detail(bad) == "Invalid thread ID: must be a UUID"
    with pytest.raises(NotFoundError):
        await client.crons.create("no-such-graph", schedule=FAR_FUTURE)
    with pytest.raises(UnprocessableEntityError) as bad:
        await client.crons.search(assistant_id="custom")
    assert await _detail(bad) == "Invalid assistant ID: must be a UUID"


async def test_update_errors(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    cid = (await client.crons.create("custom", schedule=FAR_FUTURE))["cron_id"]
    with pytest.raises(UnprocessableEntityError):
        await client.crons.update(cid, schedule="61 * * * *")
    with pytest.raises(UnprocessableEntityError):
        await client.crons.update(cid, timezone="Bad/Zone")
    with pytest.raises(NotFoundError) as missing:
        await client.crons.update(str(uuid.uuid4()), enabled=False)
    assert (await _detail(missing)).startswith("Cron '")
    with pytest.raises(BadRequestError) as empty:
        await client.crons.update(cid)
    assert await _detail(empty) == "Request body cannot be empty"
    response = await http.patch(f"/runs/crons/{cid}", json={"enabled": "yes"})
    assert response.status_code == 422
    response = await http.delete("/runs/crons/not-a-uuid")
    assert response.json() == {"detail": "Invalid cron ID: must be a UUID"}


async def test_info_advertises_crons(http: httpx.AsyncClient) -> None:
    assert (await http.get("/info")).json()["flags"]["crons"] is True


async def _count_runs(client: LangGraphClient, thread_id: str) -> int:
    return len(await client.runs.list(thread_id, limit=1000))


async def test_a_cron_fires_every_second_until_disabled(client: LangGraphClient) -> None:
    tid = (await client.threads.create())["thread_id"]
    cron = await client.crons.create_for_thread(
        tid, "custom", schedule=EVERY_SECOND, input={"count": 1}, metadata={"from": "cron"}
    )
    await anyio.sleep(3)
    runs = await client.runs.list(tid, limit=1000)
    assert len(runs) >= 2
    assert all(run["metadata"]["from"] == "cron" for run in runs)
    assert runs[0]["kwargs"]["config"]["configurable"]["cron_id"] == cron["cron_id"]
    [after] = await client.crons.search(thread_id=tid, select=["next_run_date"])
    assert after["next_run_date"] > cron["next_run_date"]

    await client.crons.update(cron["cron_id"], enabled=False)
    await anyio.sleep(0.3)  # a firing claimed just before the PATCH may still land
    settled = await _count_runs(client, tid)
    await anyio.sleep(1.5)
    assert await _count_runs(client, tid) == settled


async def test_a_cron_stops_at_its_end_time(client: LangGraphClient) -> None:
    tid = (await client.threads.create())["thread_id"]
    end = datetime.now(UTC) + timedelta(seconds=1.2)
    await client.crons.create_for_thread(tid, "custom", schedule=EVERY_SECOND, end_time=end)
    await anyio.sleep(2.5)
    fired = await _count_runs(client, tid)
    assert 1 <= fired <= 2
    await anyio.sleep(1.2)
    assert await _count_runs(client, tid) == fired


async def test_stateless_firings_keep_their_threads_when_asked(client: LangGraphClient) -> None:
    tag = {"test": str(uuid.uuid4())}
    cron = await client.crons.create(
        "custom",
        schedule=EVERY_SECOND,
        input={"count": 1},
        metadata=tag,
        on_run_completed="keep",
    )
    with anyio.fail_after(5):
        while len(await client.threads.search(metadata=tag)) < 2:
            await anyio.sleep(0.2)
    await client.crons.delete(cron["cron_id"])
    threads = await client.threads.search(metadata=tag)
    assert len({t["thread_id"] for t in threads}) == len(threads)  # a new thread per firing


async def test_get_a_cron(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    """`GET /runs/crons/{id}` (no SDK method yet) answers the cron as created or updated."""
    tid = (await client.threads.create())["thread_id"]
    cron = await client.crons.create_for_thread(tid, "custom", schedule=FAR_FUTURE)
    assert (await http.get(f"/runs/crons/{cron['cron_id']}")).json() == cron
    updated = await client.crons.update(cron["cron_id"], enabled=False)
    assert (await http.get(f"/runs/crons/{cron['cron_id']}")).json() == updated
    stateless = await client.crons.create("custom", schedule=FAR_FUTURE)
    assert (await http.get(f"/runs/crons/{stateless['cron_id']}")).json() == stateless
    await client.crons.delete(cron["cron_id"])
    gone = await http.get(f"/runs/crons/{cron['cron_id']}")
    assert (gone.status_code, gone.json()) == (404, {"detail": "Not Found"})
    bad = await http.get("/runs/crons/nope")
    assert (bad.status_code, bad.json()) == (422, {"detail": "Invalid cron ID: must be a UUID"})
