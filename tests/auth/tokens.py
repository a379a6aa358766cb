"""One custom auth for tests that need a door: `Bearer good` lets "someone" in."""

from __future__ import annotations

from langgraph_sdk import Auth


def token_auth() -> Auth:
    auth = Auth()

    @auth.authenticate
    async def authenticate(authorization: str | None) -> str:
        if authorization != "Bearer good":
            raise Auth.exceptions.HTTPException(401, "Missing token")
        return "someone"

    return auth


auth = token_auth()
"""For manifests: `{"auth": {"path": "tests.auth.tokens:auth"}}`."""
