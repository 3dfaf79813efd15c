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
# The rules tier's verdict in block mode, the classifier's only recorded: tests of the rules hold whatever
# the classifier's default mode and model.
RULES_ONLY = {"injection": {"mode": "block", "classifier": {"mode": "shadow"}}}
TENANT_RESOLVER = ("ai-tenant-resolver", {"sources": ["header"], "tenants": TENANTS})


def chat(
    content: Any = "What is the capital of France?", model: str = "gpt-4o", **fields: Any
) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": content}], **fields}


class Caller:
    """A guarded route called with a consumer's key: authenticated callers are told where and why (the 400
    names the path and the category), so the tests can assert both."""

    def __init__(self, route: GuardedRoute, key: str) -> None:
        self.route = route
        self.key = key

    def post(self, body: dict[str, Any]) -> Any:
        return self.route.post(body, headers={"apikey": self.key})

    def upstream_hits(self) -> int:
        return self.route.upstream_hits()

    def refuses(self, body: dict[str, Any], path: str, error: str) -> None:
        response = self.post(body)
        assert response.status_code == 400, response.text
        assert response.json() == {"message": "Invalid request", "errors": [{"path": path, "error": error}]}
        assert self.route.upstream_hits() == 0

    def passes(self, body: dict[str, Any]) -> None:
        response = self.post(body)
        assert response.status_code == 200, (body, response.text)
