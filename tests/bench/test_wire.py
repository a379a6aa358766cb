"""The bench's light HTTP/1.1 client: its parser on partial input, and a real `skeino serve`."""

from __future__ import annotations

import pytest

from bench import servers
from bench.wire import Client, HTTPError, parse
from bench.workloads import create_thread, wait_one_node

CHUNKED = (
    b"HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\ncontent-type: application/json\r\n\r\n"
    b"1\r\n\n\r\nb\r\n"
    b'{"value":2}\r\n0\r\n\r\n'
)
SIZED = b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"


@pytest.mark.parametrize("raw", [CHUNKED, SIZED])
def test_a_response_is_complete_only_at_its_last_byte(raw: bytes) -> None:
    for cut in range(len(raw)):
        assert parse(bytearray(raw[:cut])) is None
    response, used = parse(bytearray(raw + b"HTTP/1.1 200 OK\r\n")) or (None, 0)
    assert used == len(raw)
    assert response is not None


def test_chunks_are_joined_and_connection_close_is_seen() -> None:
    chunked, _ = parse(bytearray(CHUNKED)) or (None, 0)
    sized, _ = parse(bytearray(SIZED)) or (None, 0)
    assert chunked is not None and sized is not None
    assert (chunked.status, chunked.body, chunked.keep_alive) == (200, b'\n{"value":2}', True)
    assert (sized.status, sized.body, sized.keep_alive) == (201, b"{}", False)


def test_trailers_after_the_last_chunk_are_skipped() -> None:
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\n"
    assert parse(bytearray(raw[:-2])) is None
    response, used = parse(bytearray(raw)) or (None, 0)
    assert response is not None and response.body == b"ok" and used == len(raw)


@pytest.mark.anyio
async def test_thread_create_and_wait_on_one_kept_alive_connection() -> None:
    with servers.skeino_cli("memory://") as server:
        async with Client(server.url) as wire:
            thread = await create_thread(wire, 0)
            await wait_one_node(wire, 0, thread)  # chunked on skeino; the output is checked
            await wait_one_node(wire, 0, thread)
            with pytest.raises(HTTPError, match="422"):
                await wire.post(0, f"/threads/{thread}/runs/wait", b"{}")
            assert await wire.request(0, "GET", "/ok")
