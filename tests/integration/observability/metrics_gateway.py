"""An emulated Kong 3.9 node whose plugins run in TWO kong-ai-pluginserver processes sharing one metrics
directory (as Kong 3.9 runs one process per ``pluginserver_names`` entry with a ``start_cmd``): process A
serves ai-tenant-resolver, ai-input-guard and ai-token-limiter and listens for scrapes; process B serves
ai-audit-log. One scrape of A must show both processes' counts.

The gateway runs on its own asyncio loop in a thread, so tests use plain blocking clients.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import socket
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis
import yaml
from harness.conf import KongConf, PluginServerConf
from harness.gateway import Gateway
from integration.ai_token_limiter.limiter_support import poll_until

from kong_plugins.ai_tenant_resolver.api_keys import ApiKeyStore
from kong_plugins.ai_tenant_resolver.registry import RedisTenantStore, TenantRecord

RESOLVER, GUARD, LIMITER, AUDIT = "ai-tenant-resolver", "ai-input-guard", "ai-token-limiter", "ai-audit-log"
PROCESS_A = (RESOLVER, GUARD, LIMITER)
PROCESS_B = (AUDIT,)
ROUTE = "metrics-chat"
# an exact cost: 0.5 USD per prompt token, 1 per completion token
PRICING = [{"model": "mock-gpt-4o*", "prompt_per_million": 500_000, "completion_per_million": 1_000_000}]


def free_port() -> int:
    """A port the kernel chose on 127.0.0.1 (bound and released: the server binds it next)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def deck(
    mock_llm: str,
    redis_port: int,
    namespace: str,
    tenants: list[str],
    requests_limit: int,
    *,
    spill_dir: str,
    audit_redis_port: int | None = None,
    queue_ms: int = 0,
    limiter_redis: dict | None = None,
    window: str = "3600",
    api_keys: bool = False,
) -> dict:
    redis = limiter_redis or {"host": "127.0.0.1", "port": redis_port}
    resolver: dict = {"sources": ["header"], "tenants": [{"id": t} for t in tenants]}
    if api_keys:  # tenants and their keys in Redis (seed_api_keys)
        stack = {"host": "127.0.0.1", "port": redis_port}
        resolver = {"sources": ["api_key"], "registry": "redis", "namespace": namespace, "redis": stack}
    audit_redis = {"host": "127.0.0.1", "port": audit_redis_port or redis_port, "connect_timeout": 200}
    return {
        "_format_version": "3.0",
        "services": [
            {
                "name": "llm",
                "url": f"{mock_llm}/v1/chat/completions",
                "routes": [
                    {
                        "name": ROUTE,
                        "paths": ["/chat"],
                        "plugins": [
                            {"name": RESOLVER, "config": resolver},
                            {"name": GUARD, "config": {}},
                            {
                                "name": LIMITER,
                                "config": {
                                    "strategy": "redis",
                                    "namespace": namespace,
                                    "redis": redis,
                                    "limits": [
                                        {
                                            "metric": "requests",
                                            "limit": requests_limit,
                                            "window": window,
                                            "scope": "tenant",
                                        }
                                    ],
                                    "pricing": PRICING,
                                    **({"queue": {"max_wait_ms": queue_ms}} if queue_ms else {}),
                                },
                            },
                            {
                                "name": AUDIT,
                                "config": {
                                    "namespace": namespace,
                                    "redis": audit_redis,
                                    "spill_dir": spill_dir,
                                    "flush_interval_ms": 100,
                                },
                            },
                        ],
                    }
                ],
            }
        ],
    }


@dataclass
class MetricsNode:
    proxy: httpx.Client
    admin: httpx.Client
    metrics_url: str
    gateway: Gateway
    keys: dict[str, str] = field(default_factory=dict)
    """tenant -> its API key (``metrics_node(api_keys=True)``)."""
    namespace: str = ""

    def issue_key(self, tenant: str) -> str:
        """Another API key for ``tenant`` (``api_keys=True``), as ``kong-ai keys issue`` writes it."""
        with redis.Redis(port=int(os.environ["KONG_AI_REDIS_PORT"]), decode_responses=True) as client:
            return ApiKeyStore(client, self.namespace).issue(tenant).key

    def scrape(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """Every sample of one scrape: ``{(name, sorted labels): value}``."""
        # imported here: test_tracing.py uses these nodes without metrics, and without prometheus_client
        from prometheus_client.parser import text_string_to_metric_families

        text = httpx.get(self.metrics_url, timeout=10).text
        samples = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    def value(self, name: str, **labels: str) -> float:
        """The sum of ``name``'s samples whose labels include ``labels`` (0 when there is none)."""
        wanted = set(labels.items())
        return sum(v for (n, ls), v in self.scrape().items() if n == name and wanted <= set(ls))

    def send(self, tenant: str | None, prompt: str = "hello there", key: str | None = None) -> httpx.Response:
        """As ``tenant`` (its X-Tenant-ID, or its key with ``api_keys``), or with ``key`` as the API key."""
        headers = {"X-Tenant-ID": tenant} if tenant else {}
        if self.keys or key is not None:
            headers = {"X-API-Key": key if key is not None else self.keys[tenant or ""]}
        body = {"model": "mock-gpt-4o", "messages": [{"role": "user", "content": prompt}], "max_tokens": 20}
        return self.proxy.post("/chat", json=body, headers=headers)

    def wait_logged(self, response: httpx.Response) -> None:
        request_id = response.headers["X-Kong-Request-Id"]
        poll_until(
            lambda: self.admin.get(f"/_emulator/requests/{request_id}").json()["log_done"],
            deadline_s=20,
            what=f"log phase of {request_id}",
            every_s=0.01,
        )

    def pdk_calls(self, response: httpx.Response) -> dict[str, Any]:
        return self.admin.get(f"/_emulator/requests/{response.headers['X-Kong-Request-Id']}").json()


def server_conf(prefix: Path, plugins: tuple[str, ...], socket_name: str, extra: list[str]) -> list:
    py = shlex.quote(sys.executable)
    start = f"{py} -m kong_plugins.server.cli -p {prefix} --socket-name {socket_name} --no-lua-style"
    start += "".join(f" {shlex.quote(arg)}" for arg in extra)
    confs = []
    for index, name in enumerate(plugins):
        query = f"{py} -m kong_plugins.server.cli --dump {name}"
        confs.append(PluginServerConf(name, str(prefix / socket_name), start if index == 0 else None, query))
    return confs


@contextmanager
def metrics_node(
    tmp: Path,
    *,
    tenants: list[str],
    requests_limit: int = 3,
    max_tenants: int = 100,
    metrics: bool = True,
    server_args: tuple[str, ...] = (),
    audit_redis_port: int | None = None,
    queue_ms: int = 0,
    limiter_redis: dict | None = None,
    window: str = "3600",
    api_keys: bool = False,
) -> Iterator[MetricsNode]:
    """``limiter_redis``: the limiter's ``redis`` record (default: the stack's Redis); ``window`` of its
    requests limit (seconds); ``api_keys``: the resolver finds tenants by API key (registry and keys in
    the stack's Redis, one key per tenant in ``node.keys``)."""
    namespace = f"m{uuid.uuid4().hex[:10]}"
    mock_llm = os.environ["KONG_AI_MOCK_LLM_URL"]
    redis_port = int(os.environ["KONG_AI_REDIS_PORT"])
    deck_file = tmp / "kong.yaml"
    spec = deck(
        mock_llm,
        redis_port,
        namespace,
        tenants,
        requests_limit,
        spill_dir=str(tmp / "spill"),
        audit_redis_port=audit_redis_port,
        queue_ms=queue_ms,
        limiter_redis=limiter_redis,
        window=window,
        api_keys=api_keys,
    )
    keys = seed_api_keys(redis_port, namespace, tenants) if api_keys else {}
    deck_file.write_text(yaml.safe_dump(spec))
    port = free_port()
    shared = ["--metrics-dir", str(tmp / "metrics"), "--metrics-max-tenants", str(max_tenants)]
    listen = ["--metrics-listen", f"127.0.0.1:{port}", *shared]
    conf = KongConf(
        prefix=str(tmp),
        plugins=["bundled", *PROCESS_A, *PROCESS_B],
        pluginservers=[
            *server_conf(tmp, PROCESS_A, "a.sock", [*(listen if metrics else []), *server_args]),
            *server_conf(tmp, PROCESS_B, "b.sock", [*(shared if metrics else []), *server_args]),
        ],
    )
    gateway = Gateway(conf, declarative_path=str(deck_file), path_map=[], echo_log=False)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(gateway.start(("127.0.0.1", 0), ("127.0.0.1", 0)), loop).result(60)
    proxy = httpx.Client(base_url=f"http://127.0.0.1:{gateway.proxy.port}", timeout=30)
    admin = httpx.Client(base_url=f"http://127.0.0.1:{gateway.admin.port}", timeout=30)
    node = MetricsNode(proxy, admin, f"http://127.0.0.1:{port}/metrics", gateway, keys, namespace)
    try:
        if metrics:
            poll_until(_answers(node.metrics_url), deadline_s=30, what="the metrics endpoint")
        yield node
    finally:
        proxy.close()
        admin.close()
        asyncio.run_coroutine_threadsafe(gateway.stop(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def seed_api_keys(redis_port: int, namespace: str, tenants: list[str]) -> dict[str, str]:
    """The tenants in a Redis registry with one API key each, as ``kong-ai`` writes them."""
    keys = {}
    with redis.Redis(port=redis_port, decode_responses=True) as client:
        store = RedisTenantStore(client, namespace)
        for tenant in tenants:
            store.add(TenantRecord.from_mapping({"id": tenant}))
            keys[tenant] = ApiKeyStore(client, namespace).issue(tenant).key
    return keys


def _answers(url: str) -> Any:
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    return check
