"""A2A file parts ↔ LangChain multimodal content blocks (image, audio, video, file).

A file given by URI stays a URL: the server never fetches it. Bytes are base64 text both
ways.
"""

from __future__ import annotations

from typing import Any

from skeino.jsonrpc import RpcError

CONTENT_TYPE_NOT_SUPPORTED = -32005
MEDIA_BLOCKS = ("image", "audio", "video", "file")


def content_block(part: dict[str, Any]) -> dict[str, Any]:
    """The content block of a file part (`{"file": {"bytes" | "uri", "mimeType", "name"}}`)."""
    found = part.get("file")
    if not isinstance(found, dict):
        raise _refused("FilePart must contain a 'file' object with 'bytes' or 'uri'.")
    data, uri = found.get("bytes"), found.get("uri")
    if data is None and uri is None:
        raise _refused("FilePart 'file' must contain either 'bytes' or 'uri'.")
    if data is not None and uri is not None:
        raise _refused("FilePart 'file' must contain only one of 'bytes' or 'uri'.")
    mime_type = found.get("mimeType")
    top = mime_type.split("/", 1)[0].strip().lower() if isinstance(mime_type, str) else ""
    block: dict[str, Any] = {"type": top if top in MEDIA_BLOCKS[:3] else "file"}
    block |= {"base64": data} if data is not None else {"url": uri}
    if mime_type:
        block["mime_type"] = mime_type
    if found.get("name"):
        block["extras"] = {"filename": found["name"]}
    return block


def file_part(block: dict[str, Any]) -> dict[str, Any] | None:
    """The file part of a media block; None for one that carries no file."""
    source = next((key for key in ("base64", "data", "url") if block.get(key)), None)
    if source is None or not isinstance(block[source], str):
        return None
    found: dict[str, Any] = {"uri" if source == "url" else "bytes": block[source]}
    if isinstance(block.get("mime_type"), str) and block["mime_type"]:
        found["mimeType"] = block["mime_type"]
    extras = block.get("extras")
    name = block.get("filename") or (extras.get("filename") if isinstance(extras, dict) else None)
    if isinstance(name, str) and name:
        found["name"] = name
    return {"kind": "file", "file": found}


def _refused(message: str) -> RpcError:
    return RpcError(CONTENT_TYPE_NOT_SUPPORTED, message)
