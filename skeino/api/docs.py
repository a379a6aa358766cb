"""`GET /docs`: an interactive page for `/openapi.json` that needs no network.

The page is one small HTML file with its script and style inlined (shipped in
`skeino/http/assets`), so it works offline and under any mount prefix: it fetches
`openapi.json` relative to itself and sends requests the same way.
"""

from __future__ import annotations

from importlib.resources import files

from skeino.http.request import Request
from skeino.http.responses import Response
from skeino.http.router import Route
from skeino.services.container import Services

HTML_TYPE = b"text/html; charset=utf-8"


def page() -> bytes:
    assets = files("skeino.http") / "assets"
    html = (assets / "docs.html").read_text("utf-8")
    html = html.replace("/*STYLE*/", (assets / "docs.css").read_text("utf-8"))
    return html.replace("/*SCRIPT*/", (assets / "docs.js").read_text("utf-8")).encode()


def routes(svc: Services) -> list[Route]:
    body = page()

    async def docs(req: Request) -> Response:
        return Response(body, media_type=HTML_TYPE)

    return [Route("GET", "/docs", docs, tags=("System",), summary="This API, to read and try")]
