"""Conformance suite for the LangGraph Agent Server HTTP API.

Scenarios drive the official `langgraph_sdk` clients; every HTTP exchange is
captured, recorded against the official server, and replayed against any other.
"""

from __future__ import annotations

from conformance.api import check, check_async
from conformance.profiles import LENIENT, STRICT, Profile
from conformance.target import Target
from conformance.verdict import Verdict

__all__ = ["LENIENT", "STRICT", "Profile", "Target", "Verdict", "check", "check_async"]
