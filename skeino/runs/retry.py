"""Opt-in retries of a run's stream after transient failures (`max_stream_retries`).

A model provider that drops a connection, times out or answers 429/5xx fails a run that
would succeed a moment later. Such a run is retried from its last checkpoint a bounded
number of times, so the steps that did finish are not redone. Which failures count is
decided in one place, `is_retriable_stream_error`; provider SDK errors are recognised by
class name so that skeino does not depend on any provider package.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

import anyio
import httpx

from skeino.runs.events import StreamEvent

logger = logging.getLogger("skeino.runs")

TRANSIENT_TYPES = (
    TimeoutError,
    ConnectionError,
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
# openai's and anthropic's names (APITimeoutError subclasses APIConnectionError in both).
TRANSIENT_CLASS_NAMES = frozenset({"APIConnectionError", "RateLimitError", "InternalServerError"})
TOO_MANY_REQUESTS = 429
BACKOFF_FIRST = 0.1
BACKOFF_MAX = 2.0


def is_retriable_stream_error(exc: BaseException) -> bool:
    """True for failures that say "try again later", not "this cannot work"."""
    if isinstance(exc, TRANSIENT_TYPES):
        return True
    if any(cls.__name__ in TRANSIENT_CLASS_NAMES for cls in type(exc).__mro__):
        return True
    status = _status_code(exc)
    return status is not None and (status == TOO_MANY_REQUESTS or status >= 500)


def _status_code(exc: BaseException) -> int | None:
    """The HTTP status an error carries itself (provider SDKs) or on its `response` (httpx)."""
    status = getattr(exc, "status_code", None)
    if status is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def backoff(attempt: int) -> float:
    """Seconds to wait before `attempt` (2, 3, ...): doubling from 0.1 s, never above 2 s."""
    return min(BACKOFF_FIRST * 2 ** (attempt - 2), BACKOFF_MAX)


async def with_retries(
    attempt: Callable[[int], AsyncIterator[StreamEvent]], retries: int
) -> AsyncIterator[StreamEvent]:
    """The events of `attempt(1)`, then of `attempt(2)`, ... while transient failures last.

    An attempt follows `astream_run`'s contract: on failure it yields `error` and raises.
    That `error` is held back until it is known to be final, so a retried failure leaves no
    trace on the wire but the next attempt's own events.
    """
    number = 1
    while True:
        error: StreamEvent | None = None
        try:
            async for event in attempt(number):
                if event.event == "error":
                    error = event
                else:
                    yield event
            return
        except Exception as exc:
            if number > retries or not is_retriable_stream_error(exc):
                if error is not None:
                    yield error
                raise
            logger.warning("attempt %d failed transiently (%r); retrying", number, exc)
        number += 1
        await anyio.sleep(backoff(number))
