"""``kong-ai redteam`` against the local gateway: every attack refused where the plugins are configured,
and a weakened route (no input guard) reported with a non-zero exit that names the layer.

The CLI runs as an operator runs it (a child process, only the proxy URL and the flags), so what it reports
is what the gateway answered over HTTP. Runs in CI with the rest of the suite (`scripts/pongo run`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fixtures.gateway import GatewayUnderTest

REPO = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("KONG_AI_REDIS_URL") or "redis://127.0.0.1:6379/0"
TENANTS = [{"id": "acme", "tier": "pro"}, {"id": "globex", "tier": "free"}]
POLICY = """
@id("chat") permit(principal, action in [Action::"route.call", Action::"chat.create", Action::"model.use",
                                          Action::"feature.use", Action::"tool.offer"], resource);
@id("search") permit(principal, action == Action::"tool.call", resource == Tool::"search");
"""
CHAT_UPSTREAM = "/v1/chat/completions"


def redis_record() -> dict[str, Any]:
    parts = urllib.parse.urlsplit(REDIS_URL)
    return {"host": parts.hostname or "127.0.0.1", "port": parts.port or 6379}


def kong_ai(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "kong_plugins.cli.main", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)


def redteam(gateway: GatewayUnderTest, *flags: str) -> tuple[int, dict[str, Any]]:
    result = kong_ai("redteam", gateway.proxy_url, "--format", "json", "--quiet", *flags)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def verdicts(report: dict[str, Any], layer: str) -> list[str]:
    return [r["verdict"] for r in report["results"] if r["layer"] == layer]


@pytest.fixture
def namespace() -> Iterator[str]:
    """A Redis namespace for this test's keys and counters, emptied afterwards."""
    ns = f"t-redteam-{uuid.uuid4().hex[:10]}"
    yield ns
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        stale = [k for pattern in (f"{ns}:*", f"*{ns}*") for k in client.scan_iter(match=pattern, count=500)]
        if stale:
            client.delete(*set(stale))
    finally:
        client.close()


def issue_key(tenant: str, namespace: str) -> str:
    result = kong_ai(
        "keys", "issue", "--tenant", tenant, "--json", "--redis-url", REDIS_URL, "--namespace", namespace
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["key"]


def resolver(namespace: str) -> dict[str, Any]:
    return {"sources": ["api_key"], "namespace": namespace, "redis": redis_record(), "tenants": TENANTS}


@pytest.mark.slow
def test_demo_config_refuses_every_attack(gateway: GatewayUnderTest) -> None:
    """declarative/kong.yaml's /v1/chat/completions as shipped: tenant, input and limiter layers hold."""
    issued = kong_ai("keys", "issue", "--tenant", "globex", "--json", "--redis-url", REDIS_URL)
    assert issued.returncode == 0, issued.stderr
    key = json.loads(issued.stdout)
    # a fresh window for globex's free-tier limit (10 a minute), whatever ran before on the demo route
    reset = kong_ai("usage", "reset", "--tenant", "globex", "--namespace", "demo", "--redis-url", REDIS_URL)
    assert reset.returncode == 0, reset.stderr
    try:
        code, report = redteam(
            gateway,
            "--tenant-token",
            key["key"],
            "--other-tenant",
            "acme",
            "--limit",
            "10",
            "--mock-upstream",
        )
    finally:
        kong_ai("keys", "revoke", "--tenant", "globex", "--key-id", key["key_id"], "--redis-url", REDIS_URL)
    assert code == 0, report
    assert report["summary"]["fail"] == 0
    for layer in ("baseline", "tenant", "input", "limiter"):
        attacks = [
            r for r in report["results"] if r["layer"] == layer and r["attack"] != "path names another tenant"
        ]
        assert attacks and {r["verdict"] for r in attacks} == {"pass"}, (layer, report)
    # the demo has no JWT, path-tenant, redaction or authz route: those are skipped, each with its reason
    assert {r["layer"] for r in report["results"] if r["verdict"] == "skip"} == {
        "tenant",
        "jwt",
        "redaction",
        "tools",
    }
    assert report["requests_sent"] <= 150


@pytest.mark.slow
def test_full_chain_refuses_every_attack_of_every_layer(
    gateway: GatewayUnderTest, make_route: Any, namespace: str, tmp_path: Path
) -> None:
    """The six plugins on one route (and a JWT route, and a small-limit route): nothing gets through."""
    key = issue_key("acme", namespace)
    chain = make_route(upstream_path=CHAT_UPSTREAM)
    chain.add_plugin("ai-tenant-resolver", resolver(namespace))
    chain.add_plugin("ai-input-guard", {"injection": {"mode": "block"}})
    chain.add_plugin("ai-action-authz", {"policy": POLICY, "on_violation": "strip"})
    chain.add_plugin(
        "ai-token-limiter",
        {
            "strategy": "redis",
            "namespace": namespace,
            "redis": redis_record(),
            "limits": [{"metric": "requests", "limit": 1000, "window": "minute"}],
        },
    )
    chain.add_plugin("ai-output-redactor", {})
    chain.add_plugin(
        "ai-audit-log", {"namespace": namespace, "redis": redis_record(), "spill_dir": str(tmp_path)}
    )

    limited = make_route(upstream_path=CHAT_UPSTREAM)
    limited.add_plugin("ai-tenant-resolver", resolver(namespace))
    limited.add_plugin(
        "ai-token-limiter",
        {
            "strategy": "redis",
            "namespace": f"{namespace}-race",
            "redis": redis_record(),
            "limits": [{"metric": "requests", "limit": 4, "window": "minute"}],
        },
    )

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "public.pem").write_bytes(public_pem)
    (tmp_path / "private.pem").write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    jwt_route = make_route(upstream_path=CHAT_UPSTREAM)
    jwt_route.add_plugin(
        "ai-tenant-resolver",
        {
            "sources": ["jwt"],
            "tenants": TENANTS,
            "jwt": {"keys": [{"kid": "rt-1", "algorithm": "RS256", "key": public_pem.decode()}]},
        },
    )

    code, report = redteam(
        gateway,
        "--route", chain.url(),
        "--tenant-token", key,
        "--tenant", "acme",
        "--other-tenant", "globex",
        "--jwt-route", jwt_route.url(),
        "--jwt-kid", "rt-1",
        "--jwt-public-key", str(tmp_path / "public.pem"),
        "--jwt-signing-key", str(tmp_path / "private.pem"),
        "--limit", "4",
        "--limit-route", limited.url(),
        "--redaction-route", chain.url(),
        "--authz-route", chain.url(),
        "--mock-upstream",
    )  # fmt: skip
    assert code == 0, json.dumps(report, indent=1)
    skipped = [r["attack"] for r in report["results"] if r["verdict"] == "skip"]
    # the only flag this run leaves out, and the two catalogue tokens too big for any header block
    assert skipped == ["path names another tenant", "kid huge (catalogue)", "1 MB (catalogue)"], skipped
    for layer in ("tenant", "jwt", "input", "limiter", "redaction", "tools"):
        assert "pass" in verdicts(report, layer), layer


@pytest.mark.slow
def test_a_weakened_route_is_reported_layer_by_layer(
    gateway: GatewayUnderTest, make_route: Any, namespace: str
) -> None:
    """A route with the resolver alone (no input guard, limiter, redactor or authz): the injections reach the
    model, the race is all admitted, the PII and the forbidden tool call come back. Exit 1, layers named."""
    key = issue_key("acme", namespace)
    weak = make_route(upstream_path=CHAT_UPSTREAM)
    weak.add_plugin("ai-tenant-resolver", resolver(namespace))
    code, report = redteam(
        gateway,
        "--route", weak.url(),
        "--tenant-token", key,
        "--limit", "4",
        "--redaction-route", weak.url(),
        "--authz-route", weak.url(),
        "--mock-upstream",
        "--layers", "tenant,input,limiter,redaction,tools",
    )  # fmt: skip
    assert code == 1
    assert report["failed_layers"] == ["input", "limiter", "redaction", "tools"]
    for layer in ("input", "limiter", "redaction", "tools"):
        assert set(verdicts(report, layer)) == {"fail"}, (layer, report)
    assert set(verdicts(report, "tenant")) <= {"pass", "skip"} and "pass" in verdicts(report, "tenant")
    table = kong_ai("redteam", gateway.proxy_url, "--route", weak.url(), "--tenant-token", key,
                    "--layers", "input", "--quiet")  # fmt: skip
    assert table.returncode == 1
    assert "failed layers: input" in table.stdout and "got through" in table.stdout
