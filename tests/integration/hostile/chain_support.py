"""The full chain of our six plugins on one route, for the hostile-input tests.

ai-tenant-resolver (header or JWT source) -> ai-input-guard -> ai-action-authz -> ai-token-limiter ->
ai-output-redactor -> ai-audit-log, on the gateway's own Redis: the limiter and the audit log get a namespace
of the route's own, so a test can list every key its traffic wrote and check that no tenant-shaped value
reached another tenant's keys. Tenants ``acme`` (pro) and ``globex`` (free) are configured; each request
that gets through is answered by the mock LLM.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis
from fixtures.gateway import MOCK_LLM_URL, GatewayUnderTest, RouteUnderTest

RESOLVER = "ai-tenant-resolver"
GUARD = "ai-input-guard"
AUTHZ = "ai-action-authz"
LIMITER = "ai-token-limiter"
REDACTOR = "ai-output-redactor"
AUDIT = "ai-audit-log"
CHAIN = (RESOLVER, GUARD, AUTHZ, LIMITER, REDACTOR, AUDIT)
TENANTS = [{"id": "acme", "tier": "pro", "region": "eu"}, {"id": "globex", "tier": "free"}]
AUTHZ_POLICY = '@id("everyone") permit(principal, action, resource);'
CLIENT_TIMEOUT_S = 60
"""Generous: a request fails on it only when the gateway hangs (no timed assertion anywhere)."""


def redis_url() -> str:
    return os.environ.get("KONG_AI_REDIS_URL") or "redis://127.0.0.1:6379/0"


def redis_conf() -> dict[str, Any]:
    client = redis.Redis.from_url(redis_url())
    kwargs = client.connection_pool.connection_kwargs
    client.close()
    return {"host": kwargs.get("host", "127.0.0.1"), "port": int(kwargs.get("port", 6379))}


def chat(prompt: str = "hello there", **extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": prompt}], "max_tokens": 32, **extra}


def assert_kong_error(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    """A clear refusal: one of ``statuses`` (any 4xx when none given), a Kong-style JSON ``message``."""
    status = response.status_code
    assert (status in statuses) if statuses else (400 <= status < 500), f"{status} {response.text[:300]}"
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("message"), str), body
    return body


@dataclass
class ChainRoute:
    gateway: GatewayUnderTest
    route: RouteUnderTest
    upstream_path: str
    limiter_ns: str
    audit_ns: str
    hits_before: int = 0

    def post(
        self,
        body: Any = None,
        *,
        tenant: str | None = "acme",
        headers: dict[str, str] | list[tuple[str, Any]] | None = None,
        content_type: str | None = "application/json",
        query: str = "",
    ) -> httpx.Response:
        sent: list[tuple[str, Any]] = list(headers.items() if isinstance(headers, dict) else headers or [])
        if tenant is not None:
            sent.append(("X-Tenant-ID", tenant))
        if content_type is not None:
            sent.append(("Content-Type", content_type))
        raw = body if isinstance(body, bytes) else json.dumps(chat() if body is None else body).encode()
        url = self.route.url() + query
        return self.gateway.proxy.post(url, content=raw, headers=sent, timeout=CLIENT_TIMEOUT_S)

    def upstream_hits(self) -> int:
        """Requests the mock LLM received on this route's upstream path since the route was made."""
        return _hits(self.upstream_path) - self.hits_before

    def redis_keys(self) -> list[str]:
        """Every Redis key this route's limiter and audit log wrote (their namespaces are the route's)."""
        client = redis.Redis.from_url(redis_url(), decode_responses=True, socket_timeout=10)
        try:
            found = [
                key
                for key in client.scan_iter(match="*", count=1000)
                if self.limiter_ns in key or self.audit_ns in key
            ]
        finally:
            client.close()
        return sorted(found)

    def tags(self) -> set[str]:
        """The hash tags (tenants, ``~`` for none) of every key this route's limiter and audit log wrote."""
        return {key.split("{", 1)[1].split("}", 1)[0] for key in self.redis_keys() if "{" in key}

    def audit_tenants(self) -> set[str]:
        """The audit log's index of tenants with records under this route's namespace."""
        client = redis.Redis.from_url(redis_url(), decode_responses=True, socket_timeout=10)
        try:
            return set(client.smembers(f"ai-audit-log:{self.audit_ns}:tenants"))
        finally:
            client.close()


@dataclass
class ChainEnv:
    gateway: GatewayUnderTest
    make_route: Callable[..., RouteUnderTest]
    tmp: Path
    routes: list[ChainRoute] = field(default_factory=list)

    def route(
        self,
        *,
        resolver: dict[str, Any] | None = None,
        guard: dict[str, Any] | None = None,
        authz: dict[str, Any] | None = None,
        limiter: dict[str, Any] | None = None,
        redactor: dict[str, Any] | None = None,
        audit: dict[str, Any] | None = None,
        upstream: str = "/v1/chat/completions",
    ) -> ChainRoute:
        """A fresh route with all six plugins; each ``<plugin>`` dict is merged into its default config."""
        route = self.make_route(upstream)
        tag = uuid.uuid4().hex[:10]
        limiter_ns, audit_ns = f"hl{tag}", f"ha{tag}"
        route.add_plugin(RESOLVER, {"sources": ["header"], "tenants": TENANTS, **(resolver or {})})
        route.add_plugin(GUARD, {"format": "openai-chat", "ood": {"mode": "off"}, **(guard or {})})
        route.add_plugin(AUTHZ, {"policy": AUTHZ_POLICY, **(authz or {})})
        limits = [
            {"metric": "requests", "limit": 10000, "window": "60", "scope": "tenant"},
            {"metric": "tokens", "limit": 10_000_000, "window": "60", "scope": "tenant"},
        ]
        route.add_plugin(
            LIMITER,
            {"strategy": "redis", "namespace": limiter_ns, "redis": redis_conf(), "limits": limits}
            | (limiter or {}),
        )
        route.add_plugin(REDACTOR, redactor or {})
        route.add_plugin(
            AUDIT,
            {
                "namespace": audit_ns,
                "redis": redis_conf(),
                "spill_dir": str(self.tmp / f"spill-{audit_ns}"),
                "flush_interval_ms": 100,
                **(audit or {}),
            },
        )
        chain = ChainRoute(self.gateway, route, upstream, limiter_ns, audit_ns, _hits(upstream))
        self.routes.append(chain)
        return chain

    def cleanup(self) -> None:
        client = redis.Redis.from_url(redis_url(), socket_timeout=10)
        try:
            for chain in self.routes:
                stale = [k for k in client.scan_iter(match="*", count=1000) if _ours(k, chain)]
                if stale:
                    client.delete(*stale)
        finally:
            client.close()


def _hits(path: str) -> int:
    stats = httpx.get(f"{MOCK_LLM_URL}/__stats", timeout=10).json()
    return int(stats["paths"].get(path, 0))


def _ours(key: bytes, chain: ChainRoute) -> bool:
    text = key.decode("latin-1")
    return chain.limiter_ns in text or chain.audit_ns in text
