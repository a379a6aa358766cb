"""What a scenario is, the registry of them, and the context each one runs with."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import httpx
from langgraph_sdk.client import LangGraphClient, SyncLangGraphClient

from conformance.capture import Bound, Recorder

T = TypeVar("T")


class SetupError(Exception):
    """A scenario could not prepare what it checks; reported as such, not as a difference."""


@dataclass
class Context:
    """Captured clients for one scenario run plus a tag unique to that run.

    `tag` goes into the metadata of everything the scenario creates, and every
    search filters on it, so leftovers of other scenarios never show up.
    """

    client: LangGraphClient
    sync_client: SyncLangGraphClient
    http: httpx.AsyncClient
    tag: dict[str, str]
    recorder: Recorder
    websocket_connect: Callable[..., Any]
    """What the SDK's WebSocket transport should connect with: captured, and in-process
    for an app (`websocket.py`)."""

    async def sync(self, body: Callable[[SyncLangGraphClient], T]) -> T:
        """Run sync SDK code in a worker thread (it must not block the loop an ASGI app runs on)."""
        return await anyio.to_thread.run_sync(body, self.sync_client)

    @staticmethod
    async def attempt(call: Awaitable[Any]) -> None:
        """Await a call that may fail (an error status, or an error the SDK raises from a run's
        body); the captured exchange records what the server said, which is what gets compared."""
        try:
            await call
        except Exception:
            return

    @asynccontextmanager
    async def unrecorded(self) -> AsyncIterator[None]:
        """Requests whose number depends on timing (polls, cleanup) are sent but not compared."""
        self.recorder.paused = True
        try:
            yield
        finally:
            self.recorder.paused = False

    @asynccontextmanager
    async def bounded(self, until: Bound) -> AsyncIterator[None]:
        """Event streams opened inside are recorded up to the event that completes `until`
        (a thread's events never end by themselves); read at least that far before closing."""
        self.recorder.bound = until
        try:
            yield
        finally:
            self.recorder.bound = None

    @asynccontextmanager
    async def setup(self, what: str) -> AsyncIterator[None]:
        """Unrecorded preparation or clean-up; if it fails the scenario says it could not
        set up (naming `what`) instead of reporting differences it never got to check."""
        async with self.unrecorded():
            try:
                yield
            except SetupError:
                raise
            except Exception as error:
                raise SetupError(f"{what}: {type(error).__name__}: {error}") from error

    async def poll(self, probe: Callable[[], Awaitable[bool]], limit: float = 10.0) -> None:
        """Repeat `probe` (unrecorded) until it is true, so the next step is not racy; a
        precondition never reached within `limit` seconds is a set-up failure."""
        async with self.setup("waiting for a precondition"):
            try:
                with anyio.fail_after(limit):
                    while not await probe():
                        await anyio.sleep(0.05)
            except TimeoutError:
                raise SetupError(f"precondition not reached within {limit:g}s") from None

    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())


ScenarioBody = Callable[[Context], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    """A named behaviour; the docstring of its body says what it shows."""

    name: str
    body: ScenarioBody
    resource: str

    @property
    def description(self) -> str:
        return (self.body.__doc__ or "").strip().splitlines()[0] if self.body.__doc__ else ""


REGISTRY: dict[str, Scenario] = {}


def register(name: str, body: ScenarioBody, resource: str) -> None:
    """Add a scenario; names are unique across all modules."""
    if name in REGISTRY:
        raise ValueError(f"duplicate scenario {name}")
    REGISTRY[name] = Scenario(name, body, resource)


def scenario(body: ScenarioBody) -> ScenarioBody:
    """Decorator: register `body` under its function name, grouped by its module's name."""
    register(body.__name__, body, body.__module__.rsplit(".", 1)[-1])
    return body
