"""`/store` routes: the key-value store graphs share, as the official server serves it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from langgraph.store.base import Item, SearchItem

from skeino.api.common import access
from skeino.http.request import Request
from skeino.http.responses import Response, empty, json_response
from skeino.http.router import Handler, Route
from skeino.models.store import StoreDelete, StoreGetQuery, StoreNamespaces, StorePut, StoreSearch
from skeino.services.container import Services
from skeino.services.store import InvalidNamespace, check_labels
from skeino.types import ASGIApp


def item_json(item: Item) -> dict[str, Any]:
    return {
        "namespace": list(item.namespace),
        "key": item.key,
        "value": item.value,
        "created_at": _iso(item.created_at),
        "updated_at": _iso(item.updated_at),
    }


def _iso(moment: datetime) -> str:
    """SQLite keeps naive UTC timestamps; the wire always carries the offset."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _search_json(item: SearchItem) -> dict[str, Any]:
    return {**item_json(item), "score": item.score}


def _plain_422(handler: Handler) -> Handler:
    """Bad namespace labels get the official server's bare-text 422, no content type."""

    async def wrapped(req: Request) -> ASGIApp:
        try:
            return await handler(req)
        except InvalidNamespace as exc:
            return Response(exc.detail.encode(), 422, media_type=None)

    return wrapped


def routes(svc: Services) -> list[Route]:
    store = svc.store

    async def put(req: Request) -> Response:
        await store.put(req.data, access(req))
        return empty()

    async def get(req: Request) -> Response:
        query: StoreGetQuery = req.data
        if not query.key:  # checked after the namespace, in the official's odd shape
            check_labels(query.namespace.split("."))
            return json_response({"error": "Key is required"}, 400)
        item = await store.get(query.namespace, query.key, query.refresh_ttl, access(req))
        return json_response(None if item is None else item_json(item))

    async def delete(req: Request) -> Response:
        await store.delete(req.data, access(req))
        return empty()

    async def search(req: Request) -> Response:
        items = await store.search(req.data, access(req))
        return json_response({"items": [_search_json(item) for item in items]})

    async def namespaces(req: Request) -> Response:
        found = await store.namespaces(req.data, access(req))
        return json_response({"namespaces": [list(namespace) for namespace in found]})

    tags = ("Store",)
    items = "/store/items"
    return [
        Route("PUT", items, _plain_422(put), body=StorePut, tags=tags, summary="Put an item"),
        Route("GET", items, _plain_422(get), query=StoreGetQuery, tags=tags, summary="Get an item"),
        Route(
            "DELETE",
            items,
            _plain_422(delete),
            body=StoreDelete,
            tags=tags,
            summary="Delete an item",
        ),
        Route(
            "POST",
            items + "/search",
            _plain_422(search),
            body=StoreSearch,
            tags=tags,
            summary="Search items under a namespace prefix",
        ),
        Route(
            "POST",
            "/store/namespaces",
            _plain_422(namespaces),
            body=StoreNamespaces,
            tags=tags,
            summary="List namespaces",
        ),
    ]
