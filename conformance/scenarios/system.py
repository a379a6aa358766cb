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
