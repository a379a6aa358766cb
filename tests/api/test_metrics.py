"""`/metrics` scraped and parsed as Prometheus would, and its JSON form, after real traffic."""

from __future__ import annotations

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

from tests.metrics.prometheus import Scrape, parse

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-0000-0000-000000000000"


async def scrape(http: httpx.AsyncClient) -> Scrape:
    answer = await http.get("/metrics")
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(answer.text)


async def test_requests_runs_and_queue(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(tid, "chat", input={"messages": [{"role": "user", "content": "hi"}]})
    await http.get(f"/threads/{MISSING}")
    await http.get("/ok")
    await http.get("/no/such/route")
    later = await client.runs.create(None, "chat", after_seconds=3600, input={"messages": []})

    metrics = await scrape(http)
    requests = "lg_api_http_requests_total"
    assert metrics.kinds[requests] == "counter"
    assert metrics.value(requests, method="POST", path="/threads", status="200") == 1
    assert metrics.value(requests, method="GET", path="/threads/{thread_id}", status="404") == 1
    paths = {labels["path"] for labels, _ in metrics.series(requests)}
    assert "/ok" not in paths and "/no/such/route" not in paths
    latency = "lg_api_http_requests_latency_seconds"
    assert metrics.kinds[latency] == "histogram"
    waited = {"method": "POST", "path": "/threads/{thread_id}/runs/wait"}
    assert metrics.value(f"{latency}_count", **waited) == 1
    buckets = [v for ls, v in metrics.series(f"{latency}_bucket") if ls["path"] == waited["path"]]
    assert buckets == sorted(buckets) and buckets[-1] == 1

    assert metrics.value("lg_api_runs_ended_total", status="success") == 1
    assert metrics.value("lg_api_run_duration_seconds_count", status="success") == 1
    assert metrics.value("lg_api_num_pending_runs") == 1
    assert metrics.value("lg_api_pending_runs_wait_time_max_seconds") >= 0
    assert metrics.value("lg_api_num_running_runs") == 0
    assert metrics.value("lg_api_stream_subscribers") == 0

    as_json = (await http.get("/metrics", params={"format": "json"})).json()
    assert as_json["queue"]["n_pending"] == 1 and as_json["queue"]["n_running"] == 0
    assert as_json["queue"]["pending_runs_wait_time_max_secs"] >= 0
    assert {"method": "POST", "path": "/threads", "status": 200, "count": 1} in as_json["api"][
        "http_requests_total"
    ]
    assert as_json["runs"]["ended_total"] == {"success": 1}
    assert as_json["workers"] == {"active": 0} and as_json["streams"] == {"subscribers": 0}
    await client.runs.cancel(later["thread_id"], later["run_id"])


async def test_an_unknown_format_is_prometheus(http: httpx.AsyncClient) -> None:
    answer = await http.get("/metrics", params={"format": "xml"})
    assert answer.headers["content-type"].startswith("text/plain")
    assert "lg_api_num_pending_runs" in parse(answer.text).kinds
