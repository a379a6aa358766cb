"""A scenario whose set-up fails says so instead of reporting differences."""

from __future__ import annotations

import json
from typing import Any

import anyio

from conformance import runner
from conformance.scenario import Context, Scenario
from conformance.target import Target


async def _refusing_server(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A server that answers every request 422, as one capping `limit` would a big page."""
    if scope["type"] != "http":
        return
    body = json.dumps({"detail": "limit too large"}).encode()
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _cleans_up_first(ctx: Context) -> None:
    async with ctx.setup("deleting leftovers"):
        await ctx.client.store.search_items(["facts"], limit=10)
    await ctx.client.threads.create()


async def _waits_for_ever(ctx: Context) -> None:
    async def never() -> bool:
        return False

    await ctx.poll(never, limit=0.1)
    await ctx.client.threads.create()


def _run(body: Any) -> runner.Run:
    scenario = Scenario("synthetic", body, "tests")
    return anyio.run(runner.run_scenario, scenario, Target.asgi(_refusing_server))


def test_a_failing_set_up_is_reported_as_such_and_nothing_after_it_runs() -> None:
    run = _run(_cleans_up_first)
    assert run.setup_error is not None and run.error is None
    assert run.setup_error.startswith("deleting leftovers: UnprocessableEntityError")
    assert run.exchanges == []


def test_a_precondition_never_reached_is_a_set_up_failure() -> None:
    run = _run(_waits_for_ever)
    assert run.setup_error == "precondition not reached within 0.1s"
    assert run.exchanges == []
