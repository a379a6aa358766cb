"""Identifiers and timestamps as the official server mints them."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime

SYSTEM_NAMESPACE = uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")
"""The namespace the official server derives system assistant ids from (uuid5 of graph id)."""


def system_assistant_id(graph_id: str) -> str:
    return str(uuid.uuid5(SYSTEM_NAMESPACE, graph_id))


def uuid7() -> str:
    """A time-ordered UUID (RFC 9562 v7), so ids sort by creation like the official ones."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & (2**48 - 1)) << 80 | rand & ((1 << 80) - 1)
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=value))


def now_iso() -> str:
    """UTC now, ISO-8601 with microseconds and `+00:00`, which sorts correctly as text."""
    return datetime.now(UTC).isoformat()


def iso_at(epoch_seconds: float) -> str:
    """`now_iso` for an instant given in epoch seconds (a clock's reading)."""
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat()


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
