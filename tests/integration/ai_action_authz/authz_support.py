"""What the ai-action-authz gateway tests share: a route with the resolver, maybe the guard, and authz.

Tenants come from the ``X-Tenant-ID`` header through ai-tenant-resolver (its `header` source), so each
test picks the caller by header; each route has its own upstream path on the mock LLM, whose ``/__stats``
counters say whether a refused request ever reached the model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from fixtures.gateway import MOCK_LLM_URL, GatewayUnderTest, RouteUnderTest

TENANTS = [
    {"id": "acme", "tier": "pro"},
    {"id": "globex", "tier": "free"},
    {"id": "initech", "tier": "enterprise"},
]
RESOLVER = ("ai-tenant-resolver", {"sources": ["header"], "tenants": TENANTS})
INPUT_GUARD = ("ai-input-guard", {"ood": {"mode": "off"}})


@dataclass
class AuthzRoute:
    gateway: GatewayUnderTest
    route: RouteUnderTest
    upstream_path: str

    def post(
        self,
        body: Any,
        tenant: str | None = "acme",
        *,
        suffix: str = "",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if tenant is not None:
            all_headers["X-Tenant-ID"] = tenant
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.gateway.proxy.post(self.route.url(suffix), content=raw, headers=all_headers)

    def upstream_hits(self) -> int:
        stats = httpx.get(f"{MOCK_LLM_URL}/__stats", timeout=10).json()
        return int(stats["paths"].get(self.upstream_path, 0))

    def shared(self, response: httpx.Response) -> dict[str, Any]:
        """kong.ctx.shared as the request left it (emulator only)."""
        stats = self.gateway.request_stats(response.headers["X-Kong-Request-Id"])
        return stats["ctx_shared"] or {}


def sse_data(body: bytes) -> list[str]:
    """The ``data:`` payloads of an SSE body, ``[DONE]`` left out."""
    found = []
    for line in body.decode().splitlines():
        if line.startswith("data:") and line[5:].strip() != "[DONE]":
            found.append(line[5:].strip())
    return found


def openai_answer(response: httpx.Response) -> Any:
    """The answer as the official OpenAI SDK reads it (JSON, or a stream accumulated as the SDK does)."""
    from openai.lib.streaming.chat import ChatCompletionStreamState
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

    if not response.headers["Content-Type"].startswith("text/event-stream"):
        return ChatCompletion.model_validate_json(response.content)
    state: Any = ChatCompletionStreamState()
    for data in sse_data(response.content):
        state.handle_chunk(ChatCompletionChunk.model_validate_json(data))
    return state.get_final_completion()


def anthropic_answer(response: httpx.Response) -> Any:
    """The answer as the official Anthropic SDK reads it (JSON, or a stream accumulated as the SDK does)."""
    import pydantic
    from anthropic.lib.streaming._messages import accumulate_event
    from anthropic.types import Message, RawMessageStreamEvent

    if not response.headers["Content-Type"].startswith("text/event-stream"):
        return Message.model_validate_json(response.content)
    adapter: Any = pydantic.TypeAdapter(RawMessageStreamEvent)
    snapshot = None
    buffers: dict[int, bytes] = {}
    for data in sse_data(response.content):
        event = adapter.validate_json(data)
        snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=buffers)
    return snapshot


def chat(model: str = "gpt-4o", **fields: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "hello"}], **fields}


def tool(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}


def assert_forbidden(response: httpx.Response) -> str:
    """A denial: 403, Kong-style message and a decision id, nothing about the policy."""
    assert response.status_code == 403, response.text
    body = response.json()
    assert set(body) == {"message", "decision_id"}, body
    assert body["message"] == "Forbidden"
    assert len(body["decision_id"]) == 32
    return str(body["decision_id"])
