"""Helpers for the ``ai-token-limiter`` gateway tests: a Redis of the tests' own that can be killed and
restarted on the same port, routes with the limiter (and the tenant resolver in front), chat requests whose
token counts are known in advance, counters read back from Redis, and polling with deadlines.

Token arithmetic of the mock LLM (scripts/mock_llm.py) that the tests rely on: a chat request with one user
message of ``n`` characters has ``4 + ceil(n / 4)`` prompt tokens (the limiter's own estimate gives the
same number), and the answer has 16 completion tokens unless ``X-Mock-Completion-Tokens`` says otherwise
(capped by ``max_tokens``).
"""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import redis
from fixtures.gateway import GatewayUnderTest, RouteUnderTest

from kong_plugins.ai_token_limiter.report import CounterReport, read_counters

PLUGIN = "ai-token-limiter"
STREAM_PLUGIN = "ai-token-limiter-stream"
RESOLVER = "ai-tenant-resolver"
TENANTS = [
    {"id": "acme", "tier": "free"},
    {"id": "globex", "tier": "pro"},
    {"id": "initech"},
]
RESOLVER_CONFIG: dict[str, Any] = {"sources": ["header"], "tenants": TENANTS, "required": False}
PROMPT = "hello there"  # 11 characters
PROMPT_TOKENS = 4 + math.ceil(len(PROMPT) / 4)  # 7
ANSWER_TOKENS = 16  # the mock's default completion length
REDIS_START_DEADLINE_S = 15.0

T = TypeVar("T")


def poll_until(check: Callable[[], T | None], *, deadline_s: float, what: str, every_s: float = 0.05) -> T:
    """Call ``check`` until it returns something other than None/False; fail after ``deadline_s``."""
    deadline = time.monotonic() + deadline_s
    while True:
        result = check()
        if result is not None and result is not False:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not true after {deadline_s} s")
        time.sleep(every_s)  # a polling interval, not a synchronisation


def chat(
    model: str = "mock-gpt-4o",
    *,
    max_tokens: int | None = 40,
    stream: bool = False,
    include_usage: bool = False,
    prompt: str = PROMPT,
) -> dict[str, Any]:
    """An OpenAI chat request body with one user message."""
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": prompt}]}
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    if stream:
        body["stream"] = True
        if include_usage:
            body["stream_options"] = {"include_usage": True}
    return body


def pdk_calls(response: httpx.Response, plugin: str = PLUGIN, phase: str = "access") -> int:
    """PDK round trips of ``plugin`` in ``phase``, from the emulator's ``X-Emulator-Pdk-Calls`` header."""
    header = response.headers.get("X-Emulator-Pdk-Calls", "")
    counts = dict(item.strip().split("=", 1) for item in header.split(",") if "=" in item)
    return int(counts.get(f"{plugin}.{phase}", "0"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RestartableRedis:
    """A private redis-server the tests may kill, freeze and restart **on the same port** (the shared
    stack's Redis is never touched). No persistence by default: a restart starts empty, like a failover to a
    fresh node; ``persistent``: an append-only file synced on every write, so even a SIGKILL loses nothing
    and a restart comes back with every counter."""

    def __init__(
        self, directory: Path, *, persistent: bool = False, extra_args: tuple[str, ...] = ()
    ) -> None:
        self.directory = directory
        self.persistent = persistent
        self.extra_args = extra_args
        """More ``redis-server`` arguments (e.g. ``--enable-debug-command local`` for ``DEBUG SLEEP``)."""
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._stats: redis.Redis | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, decode_responses=True, socket_timeout=5, socket_connect_timeout=5)

    def conf(self, **overrides: Any) -> dict[str, Any]:
        """The plugin's ``redis`` record for this server (short timeouts: tests kill it)."""
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "connect_timeout": 500,
            "read_timeout": 500,
            **overrides,
        }

    def start(self) -> None:
        self._stats = None
        self.directory.mkdir(parents=True, exist_ok=True)
        argv = [
            os.environ.get("REDIS_SERVER", "redis-server"),
            *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
            *(
                ("--appendonly", "yes", "--appendfsync", "always")
                if self.persistent
                else ("--appendonly", "no")
            ),
            *("--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")),
            *self.extra_args,
        ]
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        poll_until(self._answers, deadline_s=REDIS_START_DEADLINE_S, what=f"redis-server on {self.port}")

    def _answers(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        """SIGKILL, as a crash: connections are reset, the port refuses until restart."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait(timeout=10)

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections but nothing answers (a hung server)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._stats is not None:
            self._stats.close()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
        process, self.process = self.process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def _commandstats(self) -> dict[str, Any]:
        # One long-lived connection: a new one would add its own handshake (HELLO...) to the statistics.
        if self._stats is None:
            self._stats = self.client()
        try:
            return dict(self._stats.info("commandstats"))
        except redis.ConnectionError:
            self._stats = self.client()
            return dict(self._stats.info("commandstats"))

    def script_calls(self) -> int:
        """EVALSHA + EVAL calls so far (INFO commandstats): the limiter's Redis round trips."""
        stats = self._commandstats()
        return sum(int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in ("evalsha", "eval"))

    def client_commands(self) -> dict[str, int]:
        """Calls per command name (INFO commandstats), to see what else than the script was sent."""
        stats = self._commandstats()
        return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}


@dataclass
class LimitedRoute:
    """A route with the resolver and the limiter; ``namespace`` is this route's alone."""

    route: RouteUnderTest
    namespace: str
    redis: RestartableRedis | None
    plugin: str = PLUGIN
    config: dict[str, Any] = field(default_factory=dict)

    def send(
        self,
        body: dict[str, Any] | None = None,
        *,
        tenant: str | None = "acme",
        headers: dict[str, str] | None = None,
        suffix: str = "",
        timeout: float = 30,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if tenant is not None:
            sent["X-Tenant-ID"] = tenant
        proxy = self.route.gateway.proxy
        return proxy.post(
            self.route.url(suffix), json=chat() if body is None else body, headers=sent, timeout=timeout
        )

    def counters(self, tenant: str | None = None) -> list[CounterReport]:
        assert self.redis is not None
        with self.redis.client() as client:
            return read_counters(client, self.namespace, tenant)

    def used(self, metric: str, scope: str = "tenant", tenant: str | None = None) -> float:
        """Current usage of this route's ``metric`` counter(s) of ``scope`` (summed over subjects)."""
        return sum(
            report.used
            for report in self.counters(tenant)
            if report.metric == metric and report.scope == scope and report.share_of is None
        )


@dataclass
class LimiterEnv:
    """What the tests need: the gateway, a route factory, and the private Redis."""

    gateway: GatewayUnderTest
    make_route: Callable[..., RouteUnderTest]
    redis: RestartableRedis

    def route(
        self,
        limits: list[dict[str, Any]] | None = None,
        *,
        plugin: str = PLUGIN,
        upstream: str = "/v1/chat/completions",
        resolver: bool = True,
        before: list[tuple[str, dict[str, Any]]] | None = None,
        redis_conf: dict[str, Any] | None = None,
        namespace: str | None = None,
        route_fields: dict[str, Any] | None = None,
        **config: Any,
    ) -> LimitedRoute:
        """A fresh route: ``before`` plugins, the resolver (header source), then ``plugin`` with ``config``
        (``strategy: redis`` on the private Redis unless the config says otherwise)."""
        route = self.make_route(upstream, **(route_fields or {}))
        for name, plugin_config in before or []:
            route.add_plugin(name, plugin_config)
        if resolver:
            route.add_plugin(RESOLVER, RESOLVER_CONFIG)
        namespace = namespace or f"t{uuid.uuid4().hex[:12]}"
        full: dict[str, Any] = {"namespace": namespace, "strategy": "redis", **config}
        if limits is not None:
            full["limits"] = limits
        if full["strategy"] == "redis":
            full.setdefault("redis", redis_conf or self.redis.conf())
        route.add_plugin(plugin, full)
        return LimitedRoute(
            route, namespace, self.redis if full["strategy"] == "redis" else None, plugin, full
        )


def limit(
    metric: str, value: float, window: str = "60", scope: str = "tenant", **extra: Any
) -> dict[str, Any]:
    return {"metric": metric, "limit": value, "window": window, "scope": scope, **extra}
