"""The `Auth` the auth tests run against: bearer tokens, and every record owned by its
creator through a metadata filter (the pattern the official docs teach)."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import START, StateGraph
from langgraph_sdk import Auth
from typing_extensions import TypedDict

TOKENS = {"token-a": "user-a", "token-b": "user-b", "token-deny": "denier", "token-raise": "raiser"}

auth = Auth()


@auth.authenticate
async def authenticate(authorization: str | None) -> Auth.types.MinimalUserDict:
    if authorization == "Bearer teapot":
        raise Auth.exceptions.HTTPException(418, "short and stout", {"X-Teapot": "yes"})
    if not authorization:
        raise Auth.exceptions.HTTPException(401, "Missing token")
    identity = TOKENS.get(authorization.removeprefix("Bearer "))
    if identity is None:
        raise Auth.exceptions.HTTPException(401, "Invalid token")
    return {
        "identity": identity,
        "permissions": ["read", "write"],
        "display_name": identity.upper(),
    }


@auth.on
async def owner_only(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> Any:
    if ctx.user.identity == "denier":
        return False
    if ctx.user.identity == "raiser":
        raise Auth.exceptions.HTTPException(409, "raised in a handler")
    if ctx.action == "create":
        value.setdefault("metadata", {})["owner"] = ctx.user.identity
    return {"owner": ctx.user.identity}


@auth.on.threads.create_run
async def stamp_run(
    ctx: Auth.types.AuthContext, value: Auth.types.on.threads.create_run.value
) -> Any:
    value["metadata"]["run_owner"] = ctx.user.identity
    return {"owner": {"$eq": ctx.user.identity}}


@auth.on.store
async def own_namespace(ctx: Auth.types.AuthContext, value: Any) -> None:
    if ctx.user.identity == "denier":
        raise Auth.exceptions.HTTPException(403, "Forbidden")
    value["namespace"] = (ctx.user.identity, *(value.get("namespace") or ()))


class Seen(TypedDict, total=False):
    seen: dict[str, Any]


def look(state: Seen, config: RunnableConfig) -> Seen:
    """What a graph sees of its caller."""
    configurable = config["configurable"]
    user = configurable["langgraph_auth_user"]
    return {
        "seen": {
            "identity": user.identity,
            "item": user["identity"],
            "display_name": user.display_name,
            "user_id": configurable["langgraph_auth_user_id"],
            "permissions": list(configurable["langgraph_auth_permissions"]),
            "configurable_user_id": configurable["user_id"],
        }
    }


builder = StateGraph(Seen)
builder.add_node("look", look)
builder.add_edge(START, "look")
whoami = builder.compile()
