"""Which actions a request implies, and the context every decision sees; pure (no ``kong``).

Every request is ``route.call`` on its route (endpoint level). A body adds ``chat.create`` or
``embeddings.create`` (action level), ``model.use`` on the model it names and ``feature.use`` on
``streaming``/``tools`` when it streams or offers tools (tenant level), and ``tool.offer`` for every tool it
offers (action level). A response adds ``tool.call`` for every tool call in the model's output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.ai_action_authz.decide import ActionRequest
from kong_plugins.core import strict_json

__all__ = [
    "MAX_ARGUMENTS",
    "RequestView",
    "argument_tags",
    "bounded_name",
    "request_actions",
    "request_context",
]

MAX_TOOLS = 128
MAX_ARGUMENTS = 64
MAX_ARGUMENT_NAME = 128
MAX_ARGUMENT_VALUE = 1024
MAX_NAME = 256

_CHAT_FORMATS = frozenset({"openai-chat", "openai-completions", "anthropic-messages"})


@dataclass(frozen=True)
class RequestView:
    """The request facts authorization needs (from ai-input-guard's context, or the body)."""

    format: str = "custom"
    model: str | None = None
    stream: bool = False
    max_tokens: int | None = None
    tool_names: tuple[str, ...] = ()
    method: str = ""
    path: str = ""
    mcp_calls: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # (tool name, arguments)
    mcp_list: bool = False  # an MCP tools/list: its answer is filtered
    too_many: bool = False  # more tools offered or tools/call items than MAX_TOOLS: refused, never cut
    extra: dict[str, Any] = field(default_factory=dict)


def request_actions(route: str, view: RequestView) -> list[ActionRequest]:
    """The actions ``view`` implies, endpoint level first."""
    actions = [ActionRequest("route.call", "Route", route)]
    if view.model:
        actions.append(ActionRequest("model.use", "Model", bounded_name(view.model)))
    if view.stream:
        actions.append(ActionRequest("feature.use", "Feature", "streaming"))
    if view.tool_names:
        actions.append(ActionRequest("feature.use", "Feature", "tools"))
    if view.format in _CHAT_FORMATS:
        actions.append(ActionRequest("chat.create", "Route", route))
    elif view.format == "openai-embeddings":
        actions.append(ActionRequest("embeddings.create", "Route", route))
    for name in dict.fromkeys(view.tool_names[:MAX_TOOLS]):
        actions.append(ActionRequest("tool.offer", "Tool", bounded_name(name)))
    for name, arguments in view.mcp_calls[:MAX_TOOLS]:
        actions.append(ActionRequest("tool.call", "Tool", bounded_name(name), arguments))
    return actions


def bounded_name(name: str) -> str:
    """A model or tool name as an entity id: one longer than MAX_NAME becomes "" (never cut to a prefix,
    which could be the name of something the policy permits)."""
    return name if len(name) <= MAX_NAME else ""


def request_context(view: RequestView, phase: str = "request") -> dict[str, Any]:
    """The Cedar context of ``view`` (``attributes`` and ``arguments`` are added by :mod:`.decide`)."""
    context: dict[str, Any] = {
        "method": view.method,
        "path": view.path[:2048],
        "format": view.format,
        "model": bounded_name(view.model or ""),
        "stream": view.stream,
        "tool_count": len(view.tool_names),
        "phase": phase,
    }
    if view.max_tokens is not None:
        context["max_tokens"] = view.max_tokens
    return context


def argument_tags(arguments: Any) -> tuple[tuple[str, str], ...]:
    """A tool call's arguments as Cedar tags: top-level names -> text (strings as is, others as JSON).

    Bounded: at most MAX_ARGUMENTS names; a name or value over its bound is left out (a policy that needs it
    then sees it missing and, as Cedar does with ``hasTag``, does not match). Arguments given as JSON text
    whose object repeats a name raise :class:`~kong_plugins.core.strict_json.DuplicateKey`: the tool reads
    one of the values, the policy would see the other.
    """
    if isinstance(arguments, str):
        try:
            arguments = strict_json.loads(arguments) if len(arguments) <= 65536 else None
        except strict_json.DuplicateKey:
            raise
        except (ValueError, RecursionError):
            arguments = None
    if not isinstance(arguments, dict):
        return ()
    tags: list[tuple[str, str]] = []
    for name, value in list(arguments.items())[:MAX_ARGUMENTS]:
        if not isinstance(name, str) or len(name) > MAX_ARGUMENT_NAME or value is None:
            continue
        if isinstance(value, str):
            text = value
        else:
            try:
                text = json.dumps(value, separators=(",", ":"), sort_keys=True)
            except (TypeError, ValueError, RecursionError):
                continue
        if len(text) <= MAX_ARGUMENT_VALUE:
            tags.append((name, text))
    return tuple(tags)
