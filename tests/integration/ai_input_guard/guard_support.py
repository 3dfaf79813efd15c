"""What the ai-input-guard gateway tests share: a guarded route, callers' credentials, request builders.

Each route gets its own upstream path on the mock LLM (``/echo/<tag>``), whose ``/__stats`` counters say
whether a refused request ever got past the gateway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from fixtures.gateway import MOCK_LLM_URL, GatewayUnderTest, RouteUnderTest

TENANTS = [{"id": "acme", "allowed_models": ["gpt-4o-mini"]}, {"id": "globex"}]


@dataclass
class GuardedRoute:
    """A route with the guard (and maybe an authenticator in front); ``post`` sends a body to it."""

    gateway: GatewayUnderTest
    route: RouteUnderTest
    upstream_path: str

    def post(
        self,
        body: bytes | dict[str, Any] | list[Any] | None,
        *,
        content_type: str | None = "application/json",
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> httpx.Response:
        raw = json.dumps(body).encode() if isinstance(body, dict | list) else body
        all_headers = dict(headers or {})
        if content_type is not None:
            all_headers["Content-Type"] = content_type
        return self.gateway.proxy.post(self.route.url(), content=raw, headers=all_headers, timeout=timeout)

    def upstream_hits(self) -> int:
        stats = httpx.get(f"{MOCK_LLM_URL}/__stats", timeout=10).json()
        return int(stats["paths"].get(self.upstream_path, 0))


KEY_AUTH = ("key-auth", {"key_names": ["apikey"]})
TENANT_RESOLVER = ("ai-tenant-resolver", {"sources": ["header"], "tenants": TENANTS})


def chat(
    content: Any = "What is the capital of France?", model: str = "gpt-4o", **fields: Any
) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": content}], **fields}
