"""Domain errors raised by services; the HTTP edge alone maps them to status codes."""

from __future__ import annotations

from langgraph.errors import EmptyInputError, GraphBubbleUp, InvalidUpdateError, TaskNotFound
from starlette.exceptions import HTTPException


class SkeinoError(Exception):
    """Base of every error whose message is safe to show to a client."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(SkeinoError):
    """The addressed resource does not exist (or is not visible to the caller)."""


class Conflict(SkeinoError):
    """The resource exists already, or is busy."""


class InvalidInput(SkeinoError):
    """The request is well-formed JSON but its content cannot be honoured."""


class BadRequest(SkeinoError):
    """The request contradicts itself or the server's state in a way the client must fix."""


class Forbidden(SkeinoError):
    """The caller is known but may not do this."""


class Unauthorized(SkeinoError):
    """The caller could not be authenticated."""


class PayloadTooLarge(SkeinoError):
    """The request body exceeds the configured limit."""


SHOWN: tuple[type[BaseException], ...] = (
    *(ValueError, TypeError, KeyError, AttributeError, RuntimeError, RecursionError, TimeoutError),
    *(InvalidUpdateError, GraphBubbleUp, EmptyInputError, TaskNotFound, HTTPException),
    SkeinoError,
)
"""Exceptions whose message is meant for callers: builtins, LangGraph's own, HTTP, ours."""


def exception_json(exc: BaseException) -> dict[str, str]:
    """What a client sees of an exception a graph raised: its class name, and its message
    only when SHOWN; any other says "An internal error occurred", as the official server
    redacts it (a graph's own exception may carry secrets)."""
    message = str(exc) if isinstance(exc, SHOWN) else "An internal error occurred"
    return {"error": type(exc).__name__, "message": message}
