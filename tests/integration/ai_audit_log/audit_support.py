"""Helpers for the ``ai-audit-log`` gateway tests: routes with the audit log behind the other plugins,
records read back from the private Redis (each one validated against docs/audit-record.schema.json), the
``kong-ai audit`` command run as a user would, and waiting for a request's log phase."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema
from fixtures.gateway import GatewayUnderTest, RouteUnderTest
from integration.ai_token_limiter.limiter_support import RestartableRedis, poll_until

from kong_plugins.ai_audit_log.redis_sink import read_entries

ROOT = Path(__file__).resolve().parents[3]
PLUGIN = "ai-audit-log"
RESOLVER = "ai-tenant-resolver"
GUARD = "ai-input-guard"
LIMITER = "ai-token-limiter"
TENANTS = [{"id": "acme", "tier": "free", "region": "eu"}, {"id": "globex", "tier": "pro"}]
RESOLVER_CONFIG: dict[str, Any] = {"sources": ["header"], "tenants": TENANTS}
RECORD_SCHEMA = json.loads((ROOT / "docs" / "audit-record.schema.json").read_text())
_VALIDATOR = jsonschema.Draft202012Validator(RECORD_SCHEMA, format_checker=jsonschema.FormatChecker())


def validate(record: dict[str, Any]) -> dict[str, Any]:
    """Every record a test reads is checked against the published JSON Schema."""
    _VALIDATOR.validate(record)
    return record


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class AuditRoute:
    route: RouteUnderTest
    namespace: str
    redis: RestartableRedis
    config: dict[str, Any]
    spill_dir: Path

    @property
    def gateway(self) -> GatewayUnderTest:
        return self.route.gateway

    def send(
        self,
        body: dict[str, Any] | bytes | None = None,
        *,
        tenant: str | None = "acme",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if tenant is not None:
            sent["X-Tenant-ID"] = tenant
        content = body if isinstance(body, bytes) else json.dumps(body or chat()).encode()
        sent.setdefault("Content-Type", "application/json")
        return self.gateway.proxy.post(self.route.url(), content=content, headers=sent)

    def wait_logged(self, response: httpx.Response) -> None:
        request_id = response.headers["X-Kong-Request-Id"]
        poll_until(
            lambda: self.gateway.request_stats(request_id)["log_done"],
            deadline_s=10,
            what=f"log phase of {request_id}",
            every_s=0.01,
        )

    def records(self, tenant: str | None = "acme") -> list[dict[str, Any]]:
        with self.redis.client() as client:
            entries = list(read_entries(client, self.namespace, tenant))
        return [validate(record) for _, record in entries if record is not None]

    def wait_records(self, count: int, tenant: str | None = "acme", deadline_s: float = 20) -> list[dict]:
        return poll_until(
            lambda: found if len(found := self.records(tenant)) >= count else None,
            deadline_s=deadline_s,
            what=f"{count} audit records of {tenant!r}",
        )

    def record_of(self, response: httpx.Response, tenant: str | None = "acme") -> dict[str, Any]:
        request_id = response.headers["X-Kong-Request-Id"]
        return poll_until(
            lambda: next((r for r in self.records(tenant) if r["request_id"] == request_id), None),
            deadline_s=10,
            what=f"the audit record of {request_id}",
        )

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``kong-ai audit ...`` against this route's Redis and namespace, as a user runs it."""
        return self.kong_ai("audit", *args)

    def kong_ai(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``kong-ai <args> --redis-url <this Redis> --namespace <this route's>``."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "kong_plugins.cli.main", *args]
        command += ["--redis-url", self.redis.url, "--namespace", self.namespace]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


@dataclass
class AuditEnv:
    gateway: GatewayUnderTest
    make_route: Callable[..., RouteUnderTest]
    redis: RestartableRedis
    tmp: Path
    routes: list[AuditRoute] = field(default_factory=list)

    def route(
        self,
        *,
        before: list[tuple[str, dict[str, Any]]] | None = None,
        upstream: str = "/v1/chat/completions",
        resolver: dict[str, Any] | None = None,
        **config: Any,
    ) -> AuditRoute:
        """A fresh route: the resolver (header source), ``before`` plugins, then the audit log (redis sink on
        the private Redis, a namespace and a spill directory of its own, a short flush interval)."""
        route = self.make_route(upstream)
        route.add_plugin(RESOLVER, resolver or RESOLVER_CONFIG)
        for name, plugin_config in before or []:
            route.add_plugin(name, plugin_config)
        namespace = f"t{uuid.uuid4().hex[:12]}"
        spill_dir = self.tmp / f"spill-{namespace}"
        full = {
            "namespace": namespace,
            "redis": self.redis.conf(),
            "spill_dir": str(spill_dir),
            "flush_interval_ms": 100,
            **config,
        }
        route.add_plugin(PLUGIN, full)
        audit_route = AuditRoute(route, namespace, self.redis, full, spill_dir)
        self.routes.append(audit_route)
        return audit_route


def chat(
    prompt: str = "hello there", *, model: str = "mock-gpt-4o", stream: bool = False, **extra: Any
) -> dict:
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": prompt}], **extra}
    if stream:
        body["stream"] = True
    return body


def limiter_config(redis: RestartableRedis, **extra: Any) -> dict[str, Any]:
    return {
        "strategy": "redis",
        "namespace": f"l{uuid.uuid4().hex[:12]}",
        "redis": redis.conf(),
        "limits": [{"metric": "requests", "limit": 100, "window": "60", "scope": "tenant"}],
        **extra,
    }
