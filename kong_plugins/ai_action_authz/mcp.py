"""MCP ``tools/list`` answers filtered to the tools the caller may be offered; pure (no ``kong``).

An MCP server answers ``tools/list`` with ``{"jsonrpc": "2.0", "id": ..., "result": {"tools": [{"name": ...},
...]}}``, alone, in a batch (an array), or as SSE ``data:`` events (the streamable HTTP transport). Every
tool named there is decided as ``tool.offer`` on ``Tool::"<name>"``; the answer keeps the permitted ones, in
their order, everything else unchanged (events without a tool list are kept byte for byte).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from kong_plugins.ai_action_authz.output import EVENT_SPLIT, Uninspectable, answer_start
from kong_plugins.core import strict_json

_SSE_DATA = re.compile(rb"(?:^|[\r\n])data:")

__all__ = ["MAX_LISTED_TOOLS", "filter_tool_lists", "listed_tools"]

MAX_LISTED_TOOLS = 1024


def listed_tools(body: bytes) -> list[str] | None:
    """The tool names of every ``tools/list`` result in ``body``; None when it is not JSON-RPC we know;
    :class:`Uninspectable` when an object in it repeats a member name (the client may read the other list).
    """
    documents = _documents(body)
    if documents is None:
        return None
    names: list[str] = []
    for document in documents:
        for message in document if isinstance(document, list) else [document]:
            for tool in _tools(message) or []:
                if isinstance(tool, dict) and isinstance(tool.get("name"), str):
                    names.append(tool["name"])
    return names[:MAX_LISTED_TOOLS]


def filter_tool_lists(body: bytes, allowed: Callable[[str], bool]) -> tuple[bytes, int]:
    """``body`` with the tools ``allowed`` refuses removed from every list; and how many were removed."""
    removed = 0

    def keep(message: Any) -> bool:
        nonlocal removed
        tools = _tools(message)
        if tools is None:
            return False
        kept = [
            t for t in tools if isinstance(t, dict) and isinstance(t.get("name"), str) and allowed(t["name"])
        ]
        removed += len(tools) - len(kept)
        message["result"]["tools"] = kept
        return len(kept) != len(tools)

    if answer_start(body) in (b"{", b"["):
        document = strict_json.loads(body)
        changed = any([keep(m) for m in _messages(document)])
        return (_dump(document) if changed else body), removed
    parts = EVENT_SPLIT.split(body.removeprefix(b"\xef\xbb\xbf"))
    out = []
    for index in range(0, len(parts), 2):
        raw = parts[index]
        separator = parts[index + 1] if index + 1 < len(parts) else b""
        document = _event_json(raw)
        if document is not None and any(
            [keep(m) for m in (document if isinstance(document, list) else [document])]
        ):
            other = [line for line in raw.splitlines() if not line.startswith(b"data:")]
            raw = b"\n".join([*other, b"data: " + _dump(document)])
        out.append(raw + separator)
    return b"".join(out), removed


def _messages(document: Any) -> list[Any]:
    return document if isinstance(document, list) else [document]


def _tools(message: Any) -> list[Any] | None:
    if not isinstance(message, dict) or not isinstance(message.get("result"), dict):
        return None
    tools = message["result"].get("tools")
    return tools if isinstance(tools, list) else None


def _documents(body: bytes) -> list[Any] | None:
    if answer_start(body) in (b"{", b"["):
        try:
            return [strict_json.loads(body)]
        except strict_json.DuplicateKey:
            raise Uninspectable("a JSON object repeats a member name") from None
        except (ValueError, RecursionError):
            return None
    if _SSE_DATA.search(body):
        return [
            doc
            for raw in EVENT_SPLIT.split(body.removeprefix(b"\xef\xbb\xbf"))[::2]
            if (doc := _event_json(raw)) is not None
        ]
    return None


def _event_json(raw: bytes) -> Any:
    lines = [line[5:].removeprefix(b" ") for line in raw.splitlines() if line.startswith(b"data:")]
    if not lines:
        return None
    try:
        return strict_json.loads(b"\n".join(lines))
    except strict_json.DuplicateKey:
        raise Uninspectable("a JSON object repeats a member name") from None
    except (ValueError, RecursionError):
        return None


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
