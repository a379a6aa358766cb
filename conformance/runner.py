"""Run scenarios against a target, record them, or check them against recordings."""

from __future__ import annotations

import json
import traceback
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import anyio
import httpx
from langgraph_sdk.client import LangGraphClient, SyncLangGraphClient

from conformance import recording, scenarios, websocket
from conformance.capture import CapturingAsyncTransport, CapturingSyncTransport, Recorder
from conformance.compare import Difference, Kind
from conformance.profiles import STRICT, Profile
from conformance.scenario import Context, Scenario, SetupError
from conformance.target import Target
from conformance.verdict import Verdict, judge, not_set_up

SCENARIO_TIMEOUT = 60.0
HEADERS = {"User-Agent": f"langgraph-sdk-py/{version('langgraph-sdk')}"}
TIMEOUT = httpx.Timeout(connect=5, read=30, write=30, pool=5)


@dataclass
class Run:
    """What one scenario run put on the wire, and how it ended."""

    exchanges: list[dict[str, Any]]
    error: str | None = None
    setup_error: str | None = None


async def run_scenario(scenario: Scenario, target: Target) -> Run:
    """Run one scenario with fresh captured clients; an exception ends the run, it is not raised."""
    recorder = Recorder()
    run = Run(recorder.exchanges)
    async with anyio.create_task_group() as task_group:
        async_transport = CapturingAsyncTransport(target.async_transport(task_group), recorder)
        connect = websocket.capturing(websocket.connect_for(target.app, task_group), recorder)
        await _run_body(scenario, target, recorder, async_transport, connect, run)
        task_group.cancel_scope.cancel()
    return run


async def _run_body(
    scenario: Scenario,
    target: Target,
    recorder: Recorder,
    async_transport: CapturingAsyncTransport,
    connect: websocket.Connect,
    run: Run,
) -> None:
    """The scenario itself, with its captured async and sync clients."""
    sync_transport = CapturingSyncTransport(target.sync_transport(), recorder)
    async with httpx.AsyncClient(
        base_url=target.base_url,
        transport=async_transport,
        timeout=TIMEOUT,
        headers=HEADERS,
    ) as http:
        with httpx.Client(
            base_url=target.base_url,
            transport=sync_transport,
            timeout=TIMEOUT,
            headers=HEADERS,
        ) as sync_http:
            context = Context(
                LangGraphClient(http),
                SyncLangGraphClient(sync_http),
                http,
                {"conformance": f"{scenario.name}-{Context.new_id()}"},
                recorder,
                connect,
            )
            try:
                with anyio.fail_after(SCENARIO_TIMEOUT):
                    await scenario.body(context)
            except SetupError as error:
                run.setup_error = str(error)
            except Exception as error:
                run.error = f"{type(error).__name__}: {error}"
                run.error += "\n" + "".join(traceback.format_exception(error)[-3:])


def info(target: Target) -> dict[str, Any]:
    """The server's `GET /info` body (its name and versions)."""
    with urllib.request.urlopen(f"{target.base_url}/info", timeout=10) as response:
        body = json.load(response)
    return body if isinstance(body, dict) else {}


def server_info(target: Target) -> dict[str, Any]:
    """The official server's versions, for the recording header."""
    info_body = info(target)
    return {
        "version": info_body.get("version"),
        "langgraph_py_version": info_body.get("langgraph_py_version"),
    }


async def record(target: Target, names: Iterable[str]) -> list[str]:
    """Record each scenario to `recordings/<name>.json`; returns the names that raised."""
    server = server_info(target)
    failed = []
    for name in names:
        chosen = scenarios.get(name)
        run = await run_scenario(chosen, target)
        if run.error or run.setup_error:
            failed.append(f"{name}: {run.error or run.setup_error}")
            continue
        recording.Recording(name, chosen.description, server, target.base_url, run.exchanges).save()
    return failed


async def check_one(name: str, target: Target, profile: Profile = STRICT) -> Verdict:
    """Replay one scenario and judge it against its recording under `profile`."""
    try:
        recorded = recording.load(name)
    except FileNotFoundError:
        message = "no recording; run `record` first"
        return Verdict(name, [Difference(None, "$", message, Kind.NO_RECORDING)])
    run = await run_scenario(scenarios.get(name), target)
    if run.setup_error:
        return not_set_up(name, recorded.exchanges, run.setup_error)
    base_urls = (recorded.base_url, target.base_url)
    return judge(name, recorded.exchanges, run.exchanges, base_urls, profile, run.error)
