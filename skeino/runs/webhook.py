"""POST a finished run to its webhook: bounded retries, a timeout, never blocking the run."""

from __future__ import annotations

import logging
from typing import Any

import anyio
import httpx

from skeino.http.responses import dumps

logger = logging.getLogger("skeino.webhook")

ATTEMPTS = 3
TIMEOUT_SECONDS = 10.0
BACKOFF_SECONDS = 0.5


async def send_webhook(url: str, run: Any) -> bool:
    """Deliver `run` as JSON; True once a 2xx answer came back, False after the last try."""
    body = dumps(run)
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = await client.post(
                    url, content=body, headers={"content-type": "application/json"}
                )
                if response.is_success:
                    return True
                logger.warning(
                    "webhook %s answered %d (try %d)", url, response.status_code, attempt
                )
            except httpx.HTTPError as exc:
                logger.warning("webhook %s failed: %s (try %d)", url, exc, attempt)
            await anyio.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
    return False
