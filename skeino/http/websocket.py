"""An ASGI WebSocket with a bounded send buffer: writers queue, one task sends.

Writers never wait (a run's events reach a socket from the engine's path): `send_text`
queues a frame, and one sender task writes the queue out in order. A socket whose queue
reaches `limit` frames is cut off with close code 1013 ("try again later") instead of
holding memory or slowing anyone down. `close()` ends the socket once what is queued has
been written; `reject()` refuses a handshake (the server answers it with HTTP 403).
"""

from __future__ import annotations

from collections import deque

import anyio

from skeino.types import Receive, Scope, Send

NORMAL = 1000
GOING_AWAY = 1001
INTERNAL_ERROR = 1011
TRY_AGAIN_LATER = 1013
SEND_BUFFER = 1024


async def reject(send: Send) -> None:
    """Refuse a handshake: a close before the accept."""
    await send({"type": "websocket.close", "code": 1008, "reason": ""})


class WebSocket:
    def __init__(self, scope: Scope, receive: Receive, send: Send, limit: int = SEND_BUFFER):
        self.scope = scope
        self._receive = receive
        self._send = send
        self.limit = limit
        self._queue: deque[str] = deque()
        self._wake = anyio.Event()
        self._closing: tuple[int, str] | None = None
        self.disconnected = False

    async def accept(self) -> bool:
        """Complete the handshake; False when the client left before it."""
        message = await self._receive()
        if message["type"] != "websocket.connect":
            self.disconnected = True
            return False
        await self._send({"type": "websocket.accept"})
        return True

    async def receive_text(self) -> str | None:
        """The next text (or UTF-8 bytes) frame; None once the client disconnected."""
        while not self.disconnected:
            message = await self._receive()
            if message["type"] == "websocket.disconnect":
                self.disconnected = True
                self.close(NORMAL)
                return None
            if message.get("text") is not None:
                return str(message["text"])
            if message.get("bytes") is not None:
                return bytes(message["bytes"]).decode("utf-8", "replace")
        return None

    def send_text(self, text: str) -> None:
        """Queue a frame; a socket already `limit` frames behind is cut off instead."""
        if self._closing is not None:
            return
        if len(self._queue) >= self.limit:
            self._queue.clear()
            self.close(TRY_AGAIN_LATER, "client fell too far behind")
            return
        self._queue.append(text)
        self._wake.set()

    def close(self, code: int = NORMAL, reason: str = "") -> None:
        """Close once the queued frames are out (a no-op when closing already)."""
        if self._closing is None:
            self._closing = (code, reason)
            self._wake.set()

    async def run_sender(self) -> None:
        """Write queued frames until the socket closes; then send the close frame."""
        try:
            while True:
                while self._queue and not self.disconnected:
                    await self._send({"type": "websocket.send", "text": self._queue.popleft()})
                if self._closing is not None or self.disconnected:
                    break
                self._wake = anyio.Event()
                if not self._queue and self._closing is None:
                    await self._wake.wait()
            if not self.disconnected and self._closing is not None:
                code, reason = self._closing
                await self._send({"type": "websocket.close", "code": code, "reason": reason})
        except OSError:  # the connection is gone under us
            self.disconnected = True
