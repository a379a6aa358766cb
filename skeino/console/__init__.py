"""The built-in console: static ES modules and CSS served at `/console`, no build step.

The page calls only the public API, like any SDK client. Files are read once at start-up into
a table keyed by name, so a request can only ever name a shipped file (no path is ever joined
from user input). Every response revalidates (`no-cache` + `ETag`): module URLs carry no
version, and an upgraded skeino must never run a stale mix of old and new modules.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from skeino.http.request import Request
from skeino.http.responses import Response, error
from skeino.http.router import Route

STATIC = Path(__file__).parent / "static"
TYPES = {
    ".html": b"text/html; charset=utf-8",
    ".js": b"text/javascript; charset=utf-8",
    ".css": b"text/css; charset=utf-8",
    ".svg": b"image/svg+xml",
}
# The page may talk to its own origin only: a second guarantee, beside the tests, that the
# console never reaches a CDN or anything else on the network.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: bytes
    etag: str


def load_assets(root: Path = STATIC) -> dict[str, Asset]:
    """Every shipped file by its name relative to `root` (only the types we know)."""
    assets = {}
    for path in sorted(root.rglob("*")):
        media_type = TYPES.get(path.suffix)
        if path.is_file() and media_type is not None:
            body = path.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            assets[path.relative_to(root).as_posix()] = Asset(body, media_type, etag)
    return assets


def _serve(asset: Asset, req: Request) -> Response:
    headers = {
        "Cache-Control": "no-cache",
        "ETag": asset.etag,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": POLICY,
        "Referrer-Policy": "no-referrer",
    }
    if req.header("if-none-match") == asset.etag:
        return Response(b"", 304, headers, media_type=None)
    return Response(asset.body, 200, headers, media_type=asset.media_type)


def routes() -> list[Route]:
    """`/console` (redirected to `/console/` so relative module imports resolve) and its files."""
    assets = load_assets()

    async def home(req: Request) -> Response:
        # relative, so the console also works where skeino is mounted under a prefix
        return Response(b"", 308, {"Location": "console/"}, media_type=None)

    async def index(req: Request) -> Response:
        return _serve(assets["index.html"], req)

    async def asset(req: Request) -> Response:
        found = assets.get(req.path_params["name"])
        return _serve(found, req) if found is not None else error(404, "Not Found")

    tags = ("Console",)
    return [
        Route("GET", "/console", home, tags=tags, summary="The built-in console"),
        Route("GET", "/console/", index, tags=tags, summary="The console's page"),
        Route("GET", "/console/{name:path}", asset, tags=tags, summary="The console's files"),
    ]
