"""``kong-ai emergency`` through TWO gateway nodes sharing one Redis: an isolation, a revocation or a
restriction reaches both nodes within ``cache_ttl`` without any config change, lapses by itself at its
deadline (even while a node's cache still holds it), is lifted on both, and every action is in the log."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fixtures.gateway import MOCK_LLM_URL
from integration.ai_tenant_resolver.resolver_support import FORBIDDEN, GatewayRedis, KongAiCli, poll_until
from integration.ai_tenant_resolver.two_nodes import two_nodes

from kong_plugins.cli.main import main

pytestmark = [pytest.mark.redis, pytest.mark.harness]

CACHE_TTL = 1.0
LONG_CACHE_TTL = 300.0
DEADLINE_S = CACHE_TTL + 5.0
"""How long a change may take to show on both nodes: the cache bound, plus process start and scheduling on a
busy machine (a poll, never a sleep: it returns as soon as both nodes show it)."""
TOKEN_LIMIT = 1000
LAPSE_S = 8
"""An isolation short enough to watch lapse, long enough for a loaded machine to see it first."""


@pytest.fixture(scope="module")
def namespace(gateway_redis: GatewayRedis) -> Iterator[str]:
    namespace = f"t-emergency-{uuid.uuid4().hex[:10]}"
    yield namespace
    client = redis.Redis.from_url(gateway_redis.url, socket_timeout=5)
    try:
        for pattern in (f"{namespace}:*", f"ai-token-limiter:*:{namespace}:*"):
            stale = list(client.scan_iter(match=pattern, count=500))
            if stale:
                client.delete(*stale)
    finally:
        client.close()


class InProcessCli(KongAiCli):
    """``kong-ai`` run in this process (``kong_plugins.cli.main.main``, the console script's own entry): the
    same parser and code as the child process of :class:`KongAiCli` without a Python start per command
    (seconds each on a busy CI machine). One test still runs the real child process."""

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [*args, "--redis-url", self.redis_url, "--namespace", self.namespace]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit_:  # argparse
                code = int(exit_.code or 0)
        return subprocess.CompletedProcess(["kong-ai", *argv], code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def cli(gateway_redis: GatewayRedis, namespace: str) -> KongAiCli:
    return InProcessCli(gateway_redis.url, namespace)


@pytest.fixture(scope="module")
def child_cli(gateway_redis: GatewayRedis, namespace: str) -> KongAiCli:
    return KongAiCli(gateway_redis.url, namespace)


def _deck(namespace: str, redis_conf: dict[str, Any]) -> dict[str, Any]:
    def resolver(**extra: Any) -> dict[str, Any]:
        config = {
            "sources": ["header"],
            "registry": "redis",
            "namespace": namespace,
            "cache_ttl": CACHE_TTL,
            "redis": redis_conf,
            **extra,
        }
        return {"name": "ai-tenant-resolver", "config": config}

    limiter = {
        "name": "ai-token-limiter",
        "config": {
            "limits": [{"metric": "tokens", "limit": TOKEN_LIMIT, "window": "minute", "scope": "tenant"}],
            "strategy": "redis",
            "namespace": namespace,
            "redis": redis_conf,
        },
    }
    return {
        "_format_version": "3.0",
        "services": [
            {
                "name": "llm",
                "url": f"{MOCK_LLM_URL}/v1/chat/completions",
                "routes": [
                    {
                        "name": "em-chat",
                        "paths": ["/em-chat"],
                        "plugins": [resolver(), {"name": "ai-input-guard", "config": {}}, limiter],
                    },
                    {"name": "em-other", "paths": ["/em-other"], "plugins": [resolver()]},
                    {
                        "name": "em-long-cache",
                        "paths": ["/em-long-cache"],
                        "plugins": [resolver(cache_ttl=LONG_CACHE_TTL)],
                    },
                    {
                        "name": "em-keys",
                        "paths": ["/em-keys"],
                        "plugins": [resolver(sources=["api_key"])],
                    },
                    {
                        "name": "em-config",
                        "paths": ["/em-config"],
                        "plugins": [
                            {
                                "name": "ai-tenant-resolver",
                                "config": {
                                    "sources": ["header"],
                                    "tenants": [{"id": "umbrella"}],
                                    "emergency_controls": "on",
                                    "namespace": namespace,
                                    "cache_ttl": CACHE_TTL,
                                    "redis": redis_conf,
                                },
                            }
                        ],
                    },
                ],
            }
        ],
    }


@pytest.fixture(scope="module")
def nodes(
    namespace: str, cli: KongAiCli, gateway_redis: GatewayRedis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[str]]:
    for tenant in ("acme", "globex", "initech", "hooli", "stark"):
        cli.ok("tenants", "add", tenant)
    root = tmp_path_factory.mktemp("emergency-nodes")
    with two_nodes(_deck(namespace, gateway_redis.plugin_config), Path(root)) as urls:
        yield urls


def _chat(model: str = "mock-gpt-4o") -> dict[str, Any]:
    return {"model": model, "max_tokens": 20, "messages": [{"role": "user", "content": "Hello there"}]}


def send(node: str, path: str, tenant: str | None = None, **headers: str) -> httpx.Response:
    if tenant is not None:
        headers["X-Tenant-ID"] = tenant
    return httpx.post(f"{node}{path}", json=_chat(), headers=headers, timeout=30)


def statuses(nodes: list[str], path: str, tenant: str | None = None, **headers: str) -> list[int]:
    return [send(node, path, tenant, **headers).status_code for node in nodes]


def until_all(
    nodes: list[str],
    path: str,
    tenant: str | None,
    status: int,
    *,
    deadline_s: float = DEADLINE_S,
    **headers: str,
) -> None:
    poll_until(
        lambda: statuses(nodes, path, tenant, **headers) == [status] * len(nodes),
        deadline_s=deadline_s,
        what=f"{path} as {tenant}: {status} on every node",
    )


def _list(cli: KongAiCli, *extra: str) -> Any:
    return json.loads(cli.ok("emergency", "list", "--json", *extra))


def test_isolate_reaches_both_nodes_on_every_route_then_lift(
    nodes: list[str], cli: KongAiCli, child_cli: KongAiCli
) -> None:
    for path in ("/em-chat", "/em-other"):
        assert statuses(nodes, path, "acme") == [200, 200]

    out = child_cli.ok("emergency", "isolate", "acme", "--reason", "incident 42: key leaked", "--by", "alice")
    assert "tenant acme isolated (until lifted)" in out
    for path in ("/em-chat", "/em-other"):
        until_all(nodes, path, "acme", 403)
    refused = send(nodes[1], "/em-other", "acme")
    body = refused.json()
    assert {k: v for k, v in body.items() if k != "request_id"} == FORBIDDEN  # generic: nothing internal
    assert "X-Tenant-ID" not in refused.headers
    assert statuses(nodes, "/em-other", "globex") == [200, 200]  # other tenants go on

    (entry,) = _list(cli)
    assert entry["tenant"] == "acme"
    (control,) = entry["controls"]
    assert control["control"] == "isolate" and control["until_ms"] is None
    assert control["by"] == "alice" and control["reason"] == "incident 42: key leaked"
    table = cli.ok("emergency", "list")
    assert "acme" in table and "until lifted" in table and "alice" in table

    cli.ok("emergency", "lift", "acme", "--by", "bob", "--reason", "key rotated")
    for path in ("/em-chat", "/em-other"):
        until_all(nodes, path, "acme", 200)
    assert _list(cli, "--tenant", "acme") == []
    assert cli.run("emergency", "lift", "acme").returncode == 1  # nothing left to lift

    history = _list(cli, "--history", "--tenant", "acme")
    assert [(h["action"], h["by"], h["reason"]) for h in history[:2]] == [
        ("lift", "bob", "key rotated"),
        ("isolate", "alice", "incident 42: key leaked"),
    ]
    assert history[0]["detail"] == {"controls": ["isolate"]}


def test_isolation_lapses_at_its_deadline_even_while_a_node_caches_it(
    nodes: list[str], cli: KongAiCli, gateway_redis: GatewayRedis, namespace: str
) -> None:
    # the isolation comes first, so each node's first lookup (cached LONG_CACHE_TTL = 300 s) holds it
    cli.ok("emergency", "isolate", "initech", "--for", f"{LAPSE_S}s", "--reason", "burst of abuse")
    client = redis.Redis.from_url(gateway_redis.url, decode_responses=True)
    key = f"{namespace}:{{initech}}:emergency"
    try:
        assert 0 < client.pttl(key) <= LAPSE_S * 1000  # Redis expires the control itself
        seen = statuses(nodes, "/em-long-cache", "initech")
        (isolated,) = _list(cli, "--history", "--tenant", "initech")
        until_ms = isolated["until_ms"]
        # the deadline is checked on every request: both nodes let the tenant in again long before their
        # cache entries (300 s) expire
        until_all(nodes, "/em-long-cache", "initech", 200, deadline_s=LAPSE_S + DEADLINE_S)
        assert time.time() * 1000 >= until_ms - 50  # not before the deadline (Redis's clock vs ours)
        poll_until(lambda: client.exists(key) == 0, deadline_s=DEADLINE_S, what="the key expired in Redis")
    finally:
        client.close()
    assert seen == [403, 403], "the isolation did not show before it lapsed (machine too slow?)"
    assert [e for e in _list(cli) if e["tenant"] == "initech"] == []


def test_isolation_with_a_config_registry(nodes: list[str], cli: KongAiCli) -> None:
    """``emergency_controls: on`` with tenants listed in the config: the overlay is read from Redis too."""
    assert statuses(nodes, "/em-config", "umbrella") == [200, 200]
    # umbrella is only in the config: the Redis registry (used by the other routes) does not hold it
    cli.ok("emergency", "isolate", "umbrella", "--for", "1h", "--unknown-tenant")
    until_all(nodes, "/em-config", "umbrella", 403)
    cli.ok("emergency", "lift", "umbrella", "--only", "isolate")
    until_all(nodes, "/em-config", "umbrella", 200)


def test_revoke_keys_one_then_all(nodes: list[str], cli: KongAiCli) -> None:
    first, second = cli.issue_key("hooli"), cli.issue_key("hooli")
    for issued in (first, second):
        assert statuses(nodes, "/em-keys", **{"X-API-Key": issued["key"]}) == [200, 200]

    cli.ok("emergency", "revoke-keys", "hooli", "--key", first["key_id"], "--reason", "seen on pastebin")
    until_all(nodes, "/em-keys", None, 401, **{"X-API-Key": first["key"]})
    assert statuses(nodes, "/em-keys", **{"X-API-Key": second["key"]}) == [200, 200]

    out = cli.ok("emergency", "revoke-keys", "hooli", "--by", "carol")
    assert second["key_id"] in out
    until_all(nodes, "/em-keys", None, 401, **{"X-API-Key": second["key"]})
    assert json.loads(cli.ok("keys", "list", "--tenant", "hooli", "--json")) == []

    history = _list(cli, "--history", "--tenant", "hooli")
    assert [(h["action"], h["detail"]) for h in history] == [
        ("revoke-keys", {"key_ids": [second["key_id"]]}),
        ("revoke-keys", {"key_ids": [first["key_id"]]}),
    ]
    assert history[0]["by"] == "carol" and history[1]["reason"] == "seen on pastebin"


def _limit(response: httpx.Response) -> str | None:
    return response.headers.get("X-RateLimit-Limit-Tokens-Minute")


def _chat_as(node: str, tenant: str, model: str) -> httpx.Response:
    return httpx.post(f"{node}/em-chat", json=_chat(model), headers={"X-Tenant-ID": tenant}, timeout=30)


def test_restrict_narrows_limits_models_and_routes_on_both_nodes_then_lift(
    nodes: list[str], cli: KongAiCli
) -> None:
    for node in nodes:
        answer = _chat_as(node, "stark", "mock-gpt-4o")
        assert answer.status_code == 200 and _limit(answer) == str(TOKEN_LIMIT)
    assert statuses(nodes, "/em-other", "stark") == [200, 200]

    out = cli.ok(
        "emergency", "restrict", "stark", "--for", "1h", "--tokens-per-minute", "10%",
        "--models", "mock-gpt-4o-mini", "--routes", "em-chat", "--reason", "unusual volume",
    )  # fmt: skip
    assert "tenant stark restricted" in out

    # A chat answered before a busy node saw the restriction spends the minute's tokens (23 a chat), so
    # after it the narrowed budget (100) may be spent: the narrowed limit is checked, 200 or 429.
    def narrowed_everywhere() -> bool:
        for node in nodes:
            if _chat_as(node, "stark", "mock-gpt-4o").status_code != 403:  # ai-input-guard: model
                return False
            if send(node, "/em-other", "stark").status_code != 403:  # ai-tenant-resolver: route
                return False
        return True

    poll_until(narrowed_everywhere, deadline_s=DEADLINE_S, what="the restriction on both nodes")
    for node in nodes:  # the chat route's entry carries the models, so its limits are narrowed too
        allowed = _chat_as(node, "stark", "mock-gpt-4o-mini")
        assert allowed.status_code in (200, 429) and _limit(allowed) == str(TOKEN_LIMIT // 10), allowed.text
    refused = _chat_as(nodes[0], "stark", "mock-gpt-4o")
    assert refused.json()["errors"] == [{"path": "/model", "error": "model not allowed for this tenant"}]
    for node in nodes:  # other tenants keep their limits
        assert _limit(_chat_as(node, "acme", "mock-gpt-4o")) == str(TOKEN_LIMIT)

    (entry,) = _list(cli, "--tenant", "stark")
    (control,) = entry["controls"]
    assert control["control"] == "restrict" and control["reason"] == "unusual volume"
    assert control["tokens_factor"] == 0.1 and control["models"] == ["mock-gpt-4o-mini"]
    assert control["routes"] == ["em-chat"] and control["until_ms"] > time.time() * 1000

    cli.ok("emergency", "lift", "stark", "--only", "restrict")

    def restored_everywhere() -> bool:
        for node in nodes:
            answer = _chat_as(node, "stark", "mock-gpt-4o")
            if answer.status_code != 200 or _limit(answer) != str(TOKEN_LIMIT):
                return False
            if send(node, "/em-other", "stark").status_code != 200:
                return False
        return True

    poll_until(restored_everywhere, deadline_s=DEADLINE_S, what="the restriction lifted on both nodes")
    assert [h["action"] for h in _list(cli, "--history", "--tenant", "stark")] == ["lift", "restrict"]
