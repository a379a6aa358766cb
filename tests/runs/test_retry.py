"""Which failures are retried, how long retries wait, and what the retried stream shows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace

import httpx
import pytest

from skeino.runs.events import StreamEvent
from skeino.runs.retry import backoff, is_retriable_stream_error, with_retries
from skeino.runs.stream import error_event

REQUEST = httpx.Request("POST", "https://provider.example/v1/chat")


def http_status_error(status: int) -> httpx.HTTPStatusError:
    response = httpx.Response(status, request=REQUEST)
    return httpx.HTTPStatusError("bad status", request=REQUEST, response=response)


class StatusError(Exception):
    """Like a provider SDK's APIStatusError: the status on the exception itself."""

    def __init__(self, status_code: int) -> None:
        super().__init__(f"status {status_code}")
        self.status_code = status_code


def provider_error(name: str) -> Exception:
    """An exception whose class (or base class) has a provider SDK's name."""
    base = type(name, (Exception,), {})
    return type("Subclassed" + name, (base,), {})("provider says no")


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused", request=REQUEST),
        httpx.ReadTimeout("slow", request=REQUEST),
        httpx.RemoteProtocolError("server disconnected", request=REQUEST),
        TimeoutError(),
        ConnectionResetError(),
        http_status_error(429),
        http_status_error(503),
        StatusError(500),
        StatusError(529),
        provider_error("APIConnectionError"),
        provider_error("RateLimitError"),
        provider_error("InternalServerError"),
    ],
)
def test_transient_failures_are_retriable(exc: Exception) -> None:
    assert is_retriable_stream_error(exc)


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("boom"),
        KeyError("missing"),
        http_status_error(400),
        http_status_error(404),
        StatusError(401),
        provider_error("BadRequestError"),
        httpx.UnsupportedProtocol("ftp://", request=REQUEST),
        type("Weird", (Exception,), {"status_code": "500"})(),
        type("NoStatus", (Exception,), {"response": SimpleNamespace(status_code=None)})(),
    ],
)
def test_other_failures_are_not(exc: Exception) -> None:
    assert not is_retriable_stream_error(exc)


def test_backoff_is_short_and_bounded() -> None:
    waits = [backoff(attempt) for attempt in range(2, 12)]
    assert waits[:3] == [0.1, 0.2, 0.4]
    assert waits == sorted(waits) and max(waits) == 2.0


def failing_attempts(failures: list[Exception]) -> Callable[[int], AsyncIterator[StreamEvent]]:
    """Attempt n yields one event, then fails with failures[n-1] (or ends when none left)."""

    async def attempt(number: int) -> AsyncIterator[StreamEvent]:
        yield StreamEvent("custom", number)
        if number <= len(failures):
            exc = failures[number - 1]
            yield error_event(exc)
            raise exc

    return attempt


async def collect(stream: AsyncIterator[StreamEvent]) -> list[tuple[str, object]]:
    return [(event.event, event.data) async for event in stream]


@pytest.mark.anyio
async def test_retried_failures_leave_no_error_on_the_stream() -> None:
    attempts = failing_attempts([ConnectionError("a"), TimeoutError("b")])
    assert await collect(with_retries(attempts, 2)) == [("custom", 1), ("custom", 2), ("custom", 3)]


@pytest.mark.anyio
async def test_the_last_failure_is_sent_and_raised_when_retries_run_out() -> None:
    events: list[tuple[str, object]] = []
    with pytest.raises(ConnectionError):
        async for event in with_retries(failing_attempts([ConnectionError("x")] * 3), 1):
            events.append((event.event, event.data))
    assert events == [
        ("custom", 1),
        ("custom", 2),
        # an OSError's message is not shown, as on the official server
        ("error", {"error": "ConnectionError", "message": "An internal error occurred"}),
    ]


@pytest.mark.anyio
async def test_a_non_retriable_failure_ends_at_once() -> None:
    events: list[tuple[str, object]] = []
    with pytest.raises(ValueError):
        async for event in with_retries(failing_attempts([ValueError("no")]), 5):
            events.append((event.event, event.data))
    assert events == [("custom", 1), ("error", {"error": "ValueError", "message": "no"})]
