"""Port of the suite's `http.app`: custom routes, a streaming route, a webhook sink, and two
middlewares that also wrap the server's own routes (one answers `?interrupt` itself and
tags every response, one copies `x-configurable-header` into a run request's config)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import anyio
import orjson
from langgraph_sdk import get_client
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

RUNS_PATH = re.compile(
    r"^(/runs(/stream|/wait)?$|/runs/batch$|/threads/[^/]+/runs(/stream|/wait)?)$"
)
_webhook: dict[str, Any] = {}


class Tagging:
    """Answers `?interrupt` requests itself; marks every other response `x-js-middleware`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if b"interrupt" in {p.split(b"=")[0] for p in scope["query_string"].split(b"&")}:
            await JSONResponse({"status": "interrupted"})(scope, receive, send)
            return

        async def tagged(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [*message["headers"], (b"x-js-middleware", b"true")],
                }
            await send(message)

        await self.app(scope, receive, tagged)


class ConfigurableHeader:
    """Copies the `x-configurable-header` request header into a run request's configurable."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers") or [])
        value = headers.get(b"x-configurable-header")
        if scope["type"] != "http" or scope["method"] != "POST" or value is None:
            await self.app(scope, receive, send)
            return
        if not RUNS_PATH.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        payload = orjson.loads(body or b"{}")
        configurable = payload.setdefault("config", {}).setdefault("configurable", {})
        configurable.setdefault("x-configurable-header", value.decode())
        body = orjson.dumps(payload)
        scope = {
            **scope,
            "headers": [(k, v) for k, v in scope["headers"] if k != b"content-length"],
        }
        scope["headers"].append((b"content-length", str(len(body)).encode()))
        rewritten = iter([{"type": "http.request", "body": body, "more_body": False}])

        async def replay() -> Any:
            return next(rewritten, None) or await receive()

        await self.app(scope, replay, send)


async def client_route(request: Request) -> JSONResponse:
    result = await get_client().runs.wait(
        None, "agent_simple", input={"messages": [{"role": "human", "content": "input"}]}
    )
    return JSONResponse({"result": result})


async def my_route(request: Request) -> JSONResponse:
    echo = request.headers.get("x-custom-input", "")
    return JSONResponse({"foo": "bar"}, headers={"x-custom-output": echo})


async def fake_runs_route(request: Request) -> JSONResponse:
    return JSONResponse({"foo": "afakeroute"})


async def error_route(request: Request) -> JSONResponse:
    raise HTTPException(400, "Bad request")


async def streaming_route(request: Request) -> StreamingResponse:
    async def counts() -> AsyncIterator[str]:
        for i in range(4):
            yield f"Count: {i}\n"
            await anyio.sleep(0.01)

    return StreamingResponse(counts(), media_type="text/plain")


async def webhook(request: Request) -> JSONResponse:
    _webhook.clear()
    _webhook.update(await request.json())
    return JSONResponse({"status": "success"})


async def webhook_payload(request: Request) -> JSONResponse:
    return JSONResponse(_webhook)


app = Starlette(
    routes=[
        Route("/custom/client", client_route),
        Route("/custom/my-route", my_route),
        Route("/runs/afakeroute", fake_runs_route),
        Route("/custom/error", error_route),
        Route("/custom/streaming", streaming_route),
        Route("/custom/webhook", webhook, methods=["POST"]),
        Route("/custom/webhook-payload", webhook_payload),
    ],
    middleware=[Middleware(Tagging), Middleware(ConfigurableHeader)],
)
