"""Domain errors raised by services; the HTTP edge alone maps them to status codes."""

from __future__ import annotations


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
