"""Server metadata endpoints."""

from __future__ import annotations

from conformance.scenario import Context, scenario


@scenario
async def system_info(ctx: Context) -> None:
    """GET /ok and GET /info answer 200 with JSON."""
    await ctx.http.get("/ok")
    await ctx.http.get("/info")
