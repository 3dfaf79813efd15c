"""Hostile answers: what a model can be made to say (or a compromised upstream sends) reaches our response
readers (ai-output-redactor, ai-action-authz, ai-token-limiter, ai-audit-log). JSON nested past Python's
recursion limit, inside an SSE event, a tool call's arguments or a JWT-shaped string, must be read as text
(and redacted as such), never crash a plugin into a 500.

Regression: ai-output-redactor caught ``ValueError`` but not ``RecursionError`` in four places (an SSE
event's data, the joined fragments of a streamed tool call, JSON inside a string, the payload of a
JWT-shaped string), so a prompt with 1100 brackets in a JWT-shaped string was answered 500.
"""

from __future__ import annotations

import json
from typing import Any

from integration.hostile.chain_support import REDACTOR, RESOLVER, TENANTS, ChainEnv, chat

from kong_plugins.core.hostile_inputs import b64url

DEPTH = 1500
"""Deeper than Python's default recursion limit (1000), which bounds its JSON decoder."""
EMAIL = "victim@example.com"


def _deep_array(inner: str) -> str:
    return "[" * DEPTH + inner + "]" * DEPTH


def _jwt_shaped() -> str:
    """Header with an ``alg``, payload an object nested DEPTH levels: what the JWT detector decodes."""
    header = b64url(b'{"alg":"HS256","typ":"JWT"}')
    payload = b64url(('{"a":' * DEPTH + "1" + "}" * DEPTH).encode())
    return f"{header}.{payload}.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_a_jwt_shaped_string_with_a_deep_payload_is_redacted_not_a_500(chain: ChainEnv) -> None:
    route = chain.route(guard={"max_message_chars": 100000})
    token = _jwt_shaped()
    for stream in (False, True):
        body = chat(f"here: {token} done", stream=stream)
        response = route.post(body, headers={"X-Mock-Verbatim": "1"})
        assert response.status_code == 200, (stream, response.status_code, response.text[:300])
        assert token not in response.text, stream


def test_deep_tool_call_arguments_are_read_as_text_not_a_500(chain: ChainEnv) -> None:
    route = chain.route()
    arguments = _deep_array(json.dumps(EMAIL))
    for stream in (False, True):
        headers = {"X-Mock-Tool-Call": "lookup", "X-Mock-Tool-Args": arguments}
        response = route.post(chat("call it", stream=stream), headers=headers)
        assert response.status_code == 200, (stream, response.status_code, response.text[:300])
        assert EMAIL not in response.text, stream


def test_a_deep_sse_event_is_read_as_text_not_a_500(raw_route: Any, gateway: Any) -> None:
    deep = _deep_array(json.dumps(EMAIL))
    body = f"data: {deep}\n\ndata: [DONE]\n\n".encode()
    route = raw_route(
        [(RESOLVER, {"sources": ["header"], "tenants": TENANTS}), (REDACTOR, {})],
        body,
        [("Content-Type", "text/event-stream")],
    )
    response = gateway.proxy.post(route.url(), json=chat(), headers={"X-Tenant-ID": "acme"}, timeout=60)
    assert response.status_code == 200, (response.status_code, response.text[:300])
    assert EMAIL not in response.text
