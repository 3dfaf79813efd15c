"""The request facts authorization needs: from ai-input-guard's context, or from the body when it is absent.

ai-input-guard parses and validates the body once for the chain and publishes ``ai_guard.request``; this
module only reads that map. On a route without the guard, :func:`view_from_body` parses the raw body itself,
once, bounded in size, and takes only what decisions need (it validates nothing else: that is the guard's
job).
"""

from __future__ import annotations

import json
from typing import Any

from kong_plugins.ai_action_authz.actions import MAX_TOOLS, RequestView, argument_tags
from kong_plugins.core import strict_json
from kong_plugins.core.context import RequestFacts, TenantFacts

__all__ = [
    "UnreadableBody",
    "group_roles",
    "parse_body",
    "principal_facts",
    "read_document",
    "view_from_body",
    "view_from_document",
    "view_from_facts",
]

MAX_ROLES = 64
MAX_GROUP_NAME = 64


def view_from_facts(facts: RequestFacts) -> RequestView:
    names = facts.tool_names if isinstance(facts.tool_names, list) else []
    return RequestView(
        format=facts.format or "custom",
        model=facts.model if isinstance(facts.model, str) else None,
        stream=facts.stream is True,
        max_tokens=_int_or_none(facts.max_tokens),
        tool_names=tuple(name for name in names[:MAX_TOOLS] if isinstance(name, str)),
        too_many=len(names) > MAX_TOOLS,
    )


class UnreadableBody(ValueError):
    """A body that may be JSON to the upstream but that this plugin cannot read, so cannot decide on.

    ``reason`` is for the log. Raised for JSON nested past Python's recursion limit or with an integer past
    its digit limit (JSON all the same: another parser reads the calls in it), on any route; and on an MCP
    route for any body that is not JSON (a lenient JSON-RPC server may still accept a trailing comma)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_body(raw: bytes) -> Any:
    """The JSON document of ``raw`` (None when empty, not JSON or with a repeated member name): parsed once
    per request."""
    try:
        return strict_json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        return None


def read_document(raw: bytes, *, mcp: bool) -> Any:
    """The JSON document of ``raw`` (None when empty, or not JSON on a route that is not MCP), or
    :class:`UnreadableBody` when deciding without it would skip what the upstream reads in it: an object
    that repeats a member name is one (the upstream may read the value this plugin would not), on any route.
    """
    if not raw:
        return None
    try:
        return strict_json.loads(raw)
    except strict_json.DuplicateKey:
        raise UnreadableBody("a JSON object repeats a member name") from None
    except RecursionError:
        raise UnreadableBody("JSON nested deeper than the decoder's recursion limit") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        if mcp:
            raise UnreadableBody(f"an MCP body that is not JSON ({type(exc).__name__})") from None
        return None
    except ValueError:  # not a syntax error: int() refused a literal past sys.get_int_max_str_digits()
        raise UnreadableBody("JSON with a number too long to read") from None


def view_from_body(raw: bytes) -> RequestView:
    """What a JSON body asks for (an unparseable or non-object body is ``custom`` with no facts)."""
    return view_from_document(parse_body(raw))


def view_from_document(body: Any, mcp: bool | None = None) -> RequestView:
    """What a parsed JSON body asks for.

    ``mcp`` is the route's setting: on an MCP route every object with a ``method`` is JSON-RPC (a lenient
    server runs it without ``"jsonrpc": "2.0"``); on any other route an object is never JSON-RPC, so that
    ``jsonrpc``/``method`` members, which an OpenAI-compatible server ignores, cannot hide a chat request's
    model and tools from the decision. None (offline cases) recognises ``"jsonrpc": "2.0"`` messages."""
    if isinstance(body, list) and body:
        # a JSON-RPC server answers an invalid batch item with its own error and runs the others: an
        # odd item must not turn the calls next to it into "no MCP at all"
        return _mcp_view([item for item in body if isinstance(item, dict)])
    if not isinstance(body, dict):
        return RequestView()
    json_rpc = body.get("jsonrpc") == "2.0" if mcp is None else mcp
    if json_rpc and isinstance(body.get("method"), str):
        return _mcp_view([body])
    model = body.get("model") if isinstance(body.get("model"), str) else None
    if "input" in body:
        fmt = "openai-embeddings"
    elif "messages" in body:
        fmt = "anthropic-messages" if "system" in body or _has_anthropic_max(body) else "openai-chat"
    elif "prompt" in body:
        fmt = "openai-completions"
    else:
        fmt = "custom"
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    # OpenAI's deprecated `functions` still offers functions (answered with `function_call`): tools too
    tools = [
        *(body.get("tools") if isinstance(body.get("tools"), list) else []),
        *(body.get("functions") if isinstance(body.get("functions"), list) else []),
    ]
    return RequestView(
        format=fmt,
        model=model,
        stream=body.get("stream") is True,
        max_tokens=_int_or_none(limit),
        tool_names=_tool_names(tools),
        too_many=len(tools) > MAX_TOOLS,
    )


def principal_facts(tenant: TenantFacts | None) -> dict[str, Any]:
    """Tenant id, tier, region and roles from the tenant context (empty strings without a tenant)."""
    if tenant is None or not tenant.id:
        return {"tenant": "", "tier": "", "region": "", "roles": ()}
    roles = getattr(tenant, "roles", None)
    return {
        "tenant": tenant.id,
        "tier": tenant.tier or "",
        "region": tenant.region or "",
        "roles": tuple(dict.fromkeys(r for r in (roles or [])[:MAX_ROLES] if isinstance(r, str) and r)),
    }


def group_roles(groups: Any) -> tuple[str, ...]:
    """Role names from ``kong.client.get_consumer_groups()`` (a list of consumer group entities, or nil).

    Bounded like the JWT roles: at most MAX_ROLES names of at most MAX_GROUP_NAME characters; a longer name
    is dropped, never cut (a prefix could name another, more privileged group), as is an entry without a
    string ``name``.
    """
    if not isinstance(groups, list):
        return ()
    names = []
    for group in groups[: MAX_ROLES * 4]:
        name = group.get("name") if isinstance(group, dict) else None
        if isinstance(name, str) and 0 < len(name) <= MAX_GROUP_NAME:
            names.append(name)
    return tuple(dict.fromkeys(names))[:MAX_ROLES]


def _mcp_view(messages: list[dict[str, Any]]) -> RequestView:
    calls = []
    lists = False
    for message in messages:  # all of them (the body is bounded): a call after the first MAX_TOOLS counts
        lists = lists or message.get("method") == "tools/list"
        if message.get("method") != "tools/call":
            continue
        params = message.get("params")
        if not isinstance(params, dict) or not isinstance(params.get("name"), str):
            calls.append(("", ()))  # a tools/call without a tool name: decided as the unnamed tool
            continue
        try:
            calls.append((params["name"], argument_tags(params.get("arguments"))))
        except strict_json.DuplicateKey:
            raise UnreadableBody("tool call arguments repeat a member name") from None
    return RequestView(
        format="mcp", mcp_calls=tuple(calls[:MAX_TOOLS]), mcp_list=lists, too_many=len(calls) > MAX_TOOLS
    )


def _has_anthropic_max(body: dict[str, Any]) -> bool:
    return "max_tokens" in body and "max_completion_tokens" not in body and "anthropic_version" in body


def _tool_names(tools: Any) -> tuple[str, ...]:
    if not isinstance(tools, list):
        return ()
    names = []
    for tool in tools[:MAX_TOOLS]:
        if not isinstance(tool, dict):
            continue
        function = tool.get("function") if isinstance(tool.get("function"), dict) else tool.get("custom")
        name = function.get("name") if isinstance(function, dict) else tool.get("name")
        if isinstance(name, str):
            names.append(name)
    return tuple(names)


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return max(-(2**63), min(value, 2**63 - 1))
