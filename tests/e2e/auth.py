"""Custom auth for the console's token test: one accepted bearer token."""

from __future__ import annotations

from langgraph_sdk import Auth

TOKEN = "console-token"

auth = Auth()


@auth.authenticate
async def authenticate(authorization: str | None) -> str:
    if authorization != f"Bearer {TOKEN}":
        raise Auth.exceptions.HTTPException(status_code=401, detail="Invalid token")
    return "console-user"
