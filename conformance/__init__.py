"""Conformance suite for the LangGraph Agent Server HTTP API.

Scenarios drive the official `langgraph_sdk` clients; every HTTP exchange is
captured, recorded against the official server, and replayed against any other.
"""

from __future__ import annotations

from conformance.api import check, check_async
from conformance.runner import Verdict
from conformance.target import Target

__all__ = ["Target", "Verdict", "check", "check_async"]
