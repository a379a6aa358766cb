"""A bounded read of an event stream records exactly the events up to the bound, however
the body is cut into chunks and however far the client reads past it."""

from __future__ import annotations

import itertools
import json
from typing import Any

import anyio
import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.capture import CapturingAsyncTransport, Recorder


def sse_body(events: list[dict[str, Any]], newline: str) -> bytes:
    blocks = [f"event: {e['event']}{newline}data: {json.dumps(e['data'])}{newline}" for e in events]
    return (newline.join(blocks) + newline).encode()


def chunked(body: bytes, cuts: list[int]) -> list[bytes]:
    edges = sorted({0, len(body), *(cut % (len(body) + 1) for cut in cuts)})
    return [body[start:end] for start, end in itertools.pairwise(edges)]


class Chunks(httpx.AsyncBaseTransport):
    """Answers an event stream sent in the given chunks (it stands for a server)."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream"}
        return httpx.Response(200, headers=headers, content=iter_bytes(self._chunks))


async def iter_bytes(chunks: list[bytes]) -> Any:
    for chunk in chunks:
        yield chunk


events_strategy = st.lists(
    st.fixed_dictionaries(
        {"event": st.sampled_from(("values", "lifecycle")), "data": st.integers(0, 9)}
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(events_strategy, st.data(), st.sampled_from(("\n", "\r\n")))
def test_bounded_read_records_up_to_the_bound(
    events: list[dict[str, Any]], data: st.DataObject, newline: str
) -> None:
    stop = data.draw(st.integers(1, len(events)), label="bound after")
    extra = data.draw(st.integers(0, len(events) - stop), label="read past it")
    body = sse_body(events, newline)
    chunks = chunked(body, data.draw(st.lists(st.integers(0, len(body)), max_size=6)))
    recorder = Recorder()
    recorder.bound = lambda read: len(read) >= stop

    async def read() -> None:
        transport = CapturingAsyncTransport(Chunks(chunks), recorder)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://s.invalid") as client,
            client.stream("GET", "/events") as response,
        ):
            seen = 0
            async for line in response.aiter_lines():
                seen += line.startswith("data:")
                if seen >= stop + extra:
                    break

    anyio.run(read)
    [exchange] = recorder.exchanges
    assert exchange["response"]["events"] == events[:stop]


def test_unbounded_read_records_what_was_read() -> None:
    events = [{"event": "values", "data": n} for n in range(3)]
    recorder = Recorder()

    async def read() -> None:
        transport = CapturingAsyncTransport(Chunks([sse_body(events, "\n")]), recorder)
        async with httpx.AsyncClient(transport=transport, base_url="http://s.invalid") as client:
            await client.get("/events")

    anyio.run(read)
    assert recorder.exchanges[0]["response"]["events"] == events
