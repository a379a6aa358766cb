"""Server metadata endpoints."""

from __future__ import annotations

from conformance.scenario import Context, scenario


@scenario
async def system_info(ctx: Context) -> None:
    """GET /ok and GET /info answer 200 with JSON."""
    await ctx.http.get("/ok")
    await ctx.http.get("/info")


@scenario
async def system_cors(ctx: Context) -> None:
    """CORS as a browser page on another origin sees it: the headers exposed to it, and a
    preflight that asks for private network access (Studio calling localhost)."""
    origin = {"Origin": "https://smith.langchain.com"}
    await ctx.http.get("/ok", headers=origin)
    preflight = {
        **origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
        "Access-Control-Request-Private-Network": "true",
    }
    await ctx.http.options("/threads/search", headers=preflight)


@scenario
async def system_http_app(ctx: Context) -> None:
    """The manifest's `http.app`: its own route, a route that shadows a built-in path, and
    its middleware answering before the built-in routes (and health) see a request."""
    await ctx.http.get("/custom/ping")
    await ctx.http.get("/assistants/shadowed")
    teapot = {"x-conformance-teapot": "1"}
    await ctx.http.post("/threads/search", json={}, headers=teapot)
    await ctx.http.get("/ok", headers=teapot)
