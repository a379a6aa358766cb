"""The HTTP edge: routing, request parsing, responses and SSE, written straight to ASGI."""
