"""Run scenarios against a target, record them, or check them against recordings."""

from __future__ import annotations

import json
import traceback
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import anyio
import httpx
from langgraph_sdk.client import LangGraphClient, SyncLangGraphClient

from conformance import recording, scenarios
from conformance.capture import CapturingAsyncTransport, CapturingSyncTransport, Recorder
from conformance.compare import Difference, diff_exchanges
from conformance.normalise import normalise_run
from conformance.scenario import Context, Scenario
from conformance.target import Target

SCENARIO_TIMEOUT = 60.0
HEADERS = {"User-Agent": f"langgraph-sdk-py/{version('langgraph-sdk')}"}
TIMEOUT = httpx.Timeout(connect=5, read=30, write=30, pool=5)


@dataclass
class Run:
    """What one scenario run put on the wire, and how it ended."""

    exchanges: list[dict[str, Any]]
    error: str | None = None


@dataclass
class Verdict:
    """The outcome of checking one scenario."""

    name: str
    differences: list[Difference] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "differences": [str(difference) for difference in self.differences],
        }


async def run_scenario(scenario: Scenario, target: Target) -> Run:
    """Run one scenario with fresh captured clients; an exception ends the run, it is not raised."""
    recorder = Recorder()
    async_transport = CapturingAsyncTransport(target.async_transport(), recorder)
    sync_transport = CapturingSyncTransport(target.sync_transport(), recorder)
    run = Run(recorder.exchanges)
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
            )
            try:
                with anyio.fail_after(SCENARIO_TIMEOUT):
                    await scenario.body(context)
            except Exception as error:
                run.error = f"{type(error).__name__}: {error}"
                run.error += "\n" + "".join(traceback.format_exception(error)[-3:])
    return run


def server_info(target: Target) -> dict[str, Any]:
    """The official server's versions, for the recording header."""
    with urllib.request.urlopen(f"{target.base_url}/info", timeout=10) as response:
        info = json.load(response)
    return {
        "version": info.get("version"),
        "langgraph_py_version": info.get("langgraph_py_version"),
    }


async def record(target: Target, names: Iterable[str]) -> list[str]:
    """Record each scenario to `recordings/<name>.json`; returns the names that raised."""
    server = server_info(target)
    failed = []
    for name in names:
        chosen = scenarios.get(name)
        run = await run_scenario(chosen, target)
        if run.error:
            failed.append(f"{name}: {run.error}")
            continue
        recording.Recording(name, chosen.description, server, target.base_url, run.exchanges).save()
    return failed


async def check_one(name: str, target: Target) -> Verdict:
    """Replay one scenario and compare it with its recording."""
    try:
        recorded = recording.load(name)
    except FileNotFoundError:
        return Verdict(name, [Difference(None, "$", "no recording; run `record` first")])
    run = await run_scenario(scenarios.get(name), target)
    expected = normalise_run(recorded.exchanges, recorded.base_url)
    actual = normalise_run(run.exchanges, target.base_url)
    differences = diff_exchanges(expected, actual)
    if run.error:
        note = f"scenario raised after {len(run.exchanges)} exchanges: {run.error}"
        differences.insert(0, Difference(None, "$", note))
    return Verdict(name, differences)
