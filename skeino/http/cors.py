"""Private network access: a preflight that asks for it is told `true`, as upstream does.

Browsers ask before a public page (LangGraph Studio) may call a server on a private
address such as localhost; Starlette's CORS middleware answers the preflight and this
adds the grant to its answer, whatever its status, exactly as the official server does.
"""

from __future__ import annotations

from skeino.types import ASGIApp, Message, Receive, Scope, Send

ASKS = (b"access-control-request-private-network", b"true")
GRANT = (b"access-control-allow-private-network", b"true")


class PrivateNetworkAccess:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "OPTIONS" or ASKS not in scope["headers"]:
            await self.app(scope, receive, send)
            return

        async def granting(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), GRANT]}
            await send(message)

        await self.app(scope, receive, granting)
