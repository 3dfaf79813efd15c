"""MCP tools/list filtering (JSON and SSE) and request attributes (pure)."""

from __future__ import annotations

import json

from kong_plugins.ai_action_authz.attributes import compile_rules, extract
from kong_plugins.ai_action_authz.mcp import filter_tool_lists, listed_tools

LIST = {"jsonrpc": "2.0", "id": 1, "result": {"tools": [{"name": "search"}, {"name": "shell"}]}}


def test_sse_tool_lists_are_filtered_and_other_events_kept() -> None:
    body = b"event: message\ndata: " + json.dumps(LIST).encode() + b"\n\n: keep-alive\n\n"
    assert listed_tools(body) == ["search", "shell"]
    filtered, removed = filter_tool_lists(body, lambda name: name != "shell")
    assert removed == 1
    assert filtered.startswith(b"event: message\ndata: {") and filtered.endswith(b"\n\n: keep-alive\n\n")
    assert b"shell" not in filtered


def test_json_lists_unchanged_when_everything_is_allowed() -> None:
    body = json.dumps(LIST).encode()
    assert filter_tool_lists(body, lambda name: True) == (body, 0)
    assert listed_tools(b"not json") is None


def test_attributes_are_bounded_scalars() -> None:
    rules = compile_rules(
        [
            {"name": "m", "source": "body", "key": "/a/0/b~1c"},
            {"name": "h", "source": "header", "key": "X-H"},
            {"name": "p", "source": "path", "key": "/r/([0-9]+)"},
        ]
    )
    found = extract(rules, body={"a": [{"b/c": 7}]}, headers={"x-h": ["one"]}, path="/x/r/42/y")
    assert found == {"m": "7", "h": "one", "p": "42"}
    assert extract(rules, body={"a": [{"b/c": "x" * 300}]}, headers={"x-h": ["a", "b"]}, path="") == {}
