"""Response helpers several route modules share."""

from __future__ import annotations

from typing import Any

from skeino.http.responses import Response, json_response
from skeino.services.paging import Paged


def paged_response(page: Paged[Any]) -> Response:
    """A search page with the official server's pagination headers."""
    headers = {"X-Pagination-Total": str(page.shown_total)}
    if page.next_offset is not None:
        headers["X-Pagination-Next"] = str(page.next_offset)
    return json_response(page.rows, headers=headers)
