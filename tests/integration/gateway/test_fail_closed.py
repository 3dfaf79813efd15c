"""ai-fail-closed: a dead plugin server no longer lets requests through unchecked.

Kong fails open once an external plugin's instance exists (rpc/mp_rpc.lua ``Rpc:call``: a connect failure,
"no data" or an error string is logged and the request goes on as if the plugin did nothing). Each of our
plugins marks the completion of its access handler in ``kong.ctx.shared``; the Lua plugin
kong/plugins/ai-fail-closed (run here from its real source in LuaJIT, tests/harness/lua_plugins.py) refuses
a request whose marks are missing. These tests run the emulated gateway with our real plugin server, kill it,
and look at what clients get: 503 on guarded routes, and - the reason the guard exists - the unchecked 200
on a route without it.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from harness.conf import KongConf, PluginServerConf
from harness.gateway import Gateway
from harness.http11 import HttpRequest, HttpResponse, HttpServer
from harness.wire_upstream import WireUpstream

RESOLVER = "ai-tenant-resolver"
INPUT_GUARD = "ai-input-guard"
GUARD = "ai-fail-closed"
RESPONSE_GUARD = "ai-fail-closed-response"
REDACTOR = "ai-output-redactor"
SCENARIO_TIMEOUT = 60.0
GUARD_MESSAGE = "The AI gateway is temporarily unable to check this request"
RESPONSE_MESSAGE = "The AI gateway is temporarily unable to check this answer"

RESOLVER_CONFIG = {"sources": ["header"], "tenants": [{"id": "acme", "tier": "pro"}]}
INPUT_CONFIG = {"format": "openai-chat", "allowed_models": ["gpt-4o"]}
GOOD = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}
FORBIDDEN_MODEL = {"model": "unlisted-model", "messages": [{"role": "user", "content": "hello"}]}
TENANT = {"X-Tenant-ID": "acme"}


def servers(prefix: Path, plugins: tuple[str, ...] = (RESOLVER, INPUT_GUARD)) -> list[PluginServerConf]:
    """Our server, one process and socket for all the plugins (kong/kong.conf's layout)."""
    py = shlex.quote(sys.executable)
    socket = str(prefix / "kong-ai.sock")
    start = f"{py} -m kong_plugins.server.cli -p {prefix} --socket-name kong-ai.sock --no-lua-style"
    return [
        PluginServerConf(
            name, socket, start if i == 0 else None, f"{py} -m kong_plugins.server.cli --dump {name}"
        )
        for i, name in enumerate(plugins)
    ]


def route(name: str, path: str, *plugins: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "paths": [path], "strip_path": False, "plugins": list(plugins)}


def marked(plugin: dict[str, Any]) -> dict[str, Any]:
    """``plugin`` with ``fail_closed_mark: true``: marks are opt-in, a guarded plugin must turn them on."""
    return {**plugin, "config": {**plugin["config"], "fail_closed_mark": True}}


def deck(upstream_port: int) -> dict[str, Any]:
    resolver = {"name": RESOLVER, "config": RESOLVER_CONFIG}
    input_guard = {"name": INPUT_GUARD, "config": INPUT_CONFIG}
    return {
        "_format_version": "3.0",
        "services": [
            {
                "name": "echo",
                "url": f"http://127.0.0.1:{upstream_port}",
                "routes": [
                    route(
                        "chat-guarded",
                        "/chat-guarded",
                        marked(resolver),
                        marked(input_guard),
                        {"name": GUARD, "config": {"marks": [RESOLVER, INPUT_GUARD]}},
                    ),
                    route("chat-open", "/chat-open", resolver, input_guard),
                    route(
                        "input-guarded",
                        "/input-guarded",
                        marked(input_guard),
                        {"name": GUARD, "config": {"marks": [INPUT_GUARD]}},
                    ),
                    route("input-open", "/input-open", input_guard),
                ],
            }
        ],
    }


class Stack:
    def __init__(self, gateway: Gateway, upstream: WireUpstream, client: httpx.AsyncClient) -> None:
        self.gateway = gateway
        self.upstream = upstream
        self.client = client

    async def post(
        self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.client.post(path, json=body, headers=headers or {})

    async def stop_plugin_server(self) -> None:
        """The plugin server dies and stays down (its socket gone): every RPC fails to connect."""
        for proc in self.gateway.processes:
            await proc.stop()
            Path(proc.conf.socket).unlink(missing_ok=True)

    def log_lines(self, fragment: str) -> list[str]:
        return [line for line in self.gateway.log.lines if fragment in line]


@asynccontextmanager
async def stack(
    rpc_read_timeout: float = 60.0,
    upstream: Any = None,
    deck_of: Callable[[int], dict[str, Any]] = deck,
    served: tuple[str, ...] = (RESOLVER, INPUT_GUARD),
) -> AsyncIterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="failclosed-") as tmp:
        prefix = Path(tmp)
        upstream = upstream or WireUpstream()
        await upstream.start()
        deck_file = prefix / "kong.yaml"
        deck_file.write_text(yaml.safe_dump(deck_of(upstream.port)))
        conf = KongConf(
            prefix=str(prefix),
            plugins=["bundled", *served, GUARD, RESPONSE_GUARD],
            pluginservers=servers(prefix, served),
            headers=["x-kong-request-id"],
        )
        gateway = Gateway(
            conf,
            declarative_path=str(deck_file),
            path_map=[],
            echo_log=False,
            rpc_read_timeout=rpc_read_timeout,
        )
        try:
            await gateway.start(("127.0.0.1", 0), ("127.0.0.1", 0))
            assert gateway.proxy and gateway.admin
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.proxy.port}") as client:
                yield Stack(gateway, upstream, client)
        finally:
            await gateway.stop()
            await upstream.close()


def run(body: Any) -> None:
    asyncio.run(asyncio.wait_for(body(), SCENARIO_TIMEOUT))


async def warm_up(s: Stack) -> None:
    """Every route served once (instances exist: from now on Kong fails open), every check seen working."""
    for path in ("/chat-guarded", "/chat-open"):
        assert (await s.post(path, GOOD, TENANT)).status_code == 200
        assert (await s.post(path, GOOD)).status_code == 401  # no tenant
        assert (await s.post(path, FORBIDDEN_MODEL, TENANT)).status_code in (400, 403)
    for path in ("/input-guarded", "/input-open"):
        assert (await s.post(path, GOOD)).status_code == 200
        assert (await s.post(path, FORBIDDEN_MODEL)).status_code in (400, 403)


def test_dead_plugin_server_gives_503_on_guarded_routes_and_fails_open_without_the_guard() -> None:
    async def body() -> None:
        async with stack() as s:
            await warm_up(s)
            await s.stop_plugin_server()
            reached = len(s.upstream.received)

            # Guarded: the resolver's and the input guard's checks did not run, so nothing passes.
            for path, payload, headers in (
                ("/chat-guarded", GOOD, {}),  # unauthenticated
                ("/chat-guarded", GOOD, TENANT),
                ("/chat-guarded", FORBIDDEN_MODEL, TENANT),
                ("/input-guarded", FORBIDDEN_MODEL, {}),
                ("/input-guarded", GOOD, {}),
            ):
                reply = await s.post(path, payload, headers)
                assert reply.status_code == 503, (path, reply.status_code, reply.text)
                assert reply.json() == {"message": GUARD_MESSAGE}
                assert reply.headers["content-type"].startswith("application/json")
            assert len(s.upstream.received) == reached  # the upstream never saw them
            refusals = s.log_lines(f"[{GUARD}] refusing the request: ")
            assert sum(RESOLVER in line for line in refusals) == 3
            assert sum(INPUT_GUARD in line for line in refusals) == 2

            # Without the guard: Kong's fail-open, an unauthenticated request and a forbidden model reach
            # the upstream. This is the bypass the guard closes.
            assert (await s.post("/chat-open", GOOD)).status_code == 200
            assert (await s.post("/input-open", FORBIDDEN_MODEL)).status_code == 200
            assert len(s.upstream.received) == reached + 2
            assert s.log_lines(f"[{RESOLVER}] ") and s.log_lines(
                f"[{INPUT_GUARD}] "
            )  # Kong logged the failures

    run(body)


def test_plugin_server_killed_mid_traffic_never_lets_an_unchecked_request_through() -> None:
    """SIGKILL while requests are in flight (the harness respawns the server as Kong does): every request
    that should be refused is refused - by our plugins (401/403/400) or by the guard (503) - never a 200."""

    async def body() -> None:
        async with stack() as s:
            await warm_up(s)

            async def traffic(rounds: int) -> list[int]:
                statuses = []
                for _ in range(rounds):
                    replies = await asyncio.gather(
                        s.post("/chat-guarded", GOOD),
                        s.post("/chat-guarded", FORBIDDEN_MODEL, TENANT),
                        s.post("/input-guarded", FORBIDDEN_MODEL),
                    )
                    statuses.extend(r.status_code for r in replies)
                return statuses

            async def kill_after_first_requests() -> None:
                await asyncio.sleep(0)  # let the first requests start
                for proc in s.gateway.processes:
                    assert proc.proc
                    proc.proc.kill()

            statuses, _ = await asyncio.gather(traffic(30), kill_after_first_requests())
            assert 200 not in statuses, statuses
            assert set(statuses) <= {400, 401, 403, 503}, statuses

    run(body)


async def stopped(pid: int, deadline_s: float = 10.0) -> None:
    """Wait until the kernel shows ``pid`` stopped: kill() returns before a busy process (on another core) has
    taken a SIGSTOP, and a request sent in between would still be answered."""
    loop = asyncio.get_running_loop()
    until = loop.time() + deadline_s
    while loop.time() < until:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state in ("T", "t"):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"plugin server {pid} did not stop within {deadline_s} s")


def test_a_plugin_server_that_stops_answering_times_out_into_503() -> None:
    """mp_rpc.lua: a read that times out is "no data", returned like a connect failure (fail-open). The
    server is frozen (SIGSTOP) - alive, its socket there, answering nothing - and Kong's read timeout (1 s
    here, 60 s in Kong) expires: the guard answers 503, the unguarded route lets the request through."""

    async def body() -> None:
        async with stack() as s:
            await warm_up(s)
            # the short read timeout only once warm: on a loaded machine the first instance (classifier and
            # tokenizer loaded) took over 1 s and warm_up's first request got 500 (the creation timed out)
            for client in s.gateway.clients.values():
                client.read_timeout = 1.0
            (proc,) = [p for p in s.gateway.processes if p.proc]
            assert proc.proc
            proc.proc.send_signal(signal.SIGSTOP)
            try:
                await stopped(proc.proc.pid)
                reply = await s.post("/chat-guarded", GOOD)
                assert (reply.status_code, reply.json()) == (503, {"message": GUARD_MESSAGE})
                assert (await s.post("/chat-open", GOOD)).status_code == 200
            finally:
                proc.proc.send_signal(signal.SIGCONT)

    run(body)


class HeldUpstream:
    """An OpenAI-style upstream whose answer (an email address in it) waits until the test releases it."""

    ANSWER = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "mail ann@example.com"}}]}

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.reached = asyncio.Event()
        self.server = HttpServer(self._handle, "127.0.0.1", 0)

    @property
    def port(self) -> int:
        return self.server.port

    async def start(self) -> None:
        await self.server.start()

    async def close(self) -> None:
        await self.server.close()

    async def _handle(self, request: HttpRequest) -> HttpResponse:
        self.reached.set()
        await self.release.wait()
        body = json.dumps(self.ANSWER).encode()
        return HttpResponse(200, [("Content-Type", b"application/json")], body)


def redactor_deck(upstream_port: int) -> dict[str, Any]:
    redactor = {"name": REDACTOR, "config": {}}
    return {
        "_format_version": "3.0",
        "services": [
            {
                "name": "llm",
                "url": f"http://127.0.0.1:{upstream_port}",
                "routes": [
                    route(
                        "redacted-guarded",
                        "/redacted-guarded",
                        marked(redactor),
                        {"name": GUARD, "config": {"marks": [REDACTOR]}},
                        {"name": RESPONSE_GUARD, "config": {"marks": [REDACTOR]}},
                    ),
                    route("redacted-open", "/redacted-open", redactor),
                ],
            }
        ],
    }


async def answer_after_the_server_died(s: Stack, upstream: HeldUpstream, path: str) -> httpx.Response:
    """Access runs (marks set), the upstream is reached, the plugin server dies, then the answer comes."""
    upstream.release.clear()
    upstream.reached.clear()
    pending = asyncio.create_task(s.post(path, GOOD))
    await upstream.reached.wait()
    await s.stop_plugin_server()
    upstream.release.set()
    return await pending


def test_a_response_plugin_lost_between_access_and_response_gives_503_with_the_response_guard() -> None:
    """The redactor's access completed, the server died while the model answered: Kong skips the failed
    response event and would send the answer unredacted. ai-fail-closed-response replaces it with 503."""

    async def body() -> None:
        upstream = HeldUpstream()
        upstream.release.set()
        async with stack(upstream=upstream, deck_of=redactor_deck, served=(REDACTOR,)) as s:
            for path in ("/redacted-guarded", "/redacted-open"):
                healthy = await s.post(path, GOOD)
                assert healthy.status_code == 200 and "ann@example.com" not in healthy.text
            guarded = await answer_after_the_server_died(s, upstream, "/redacted-guarded")
            assert (guarded.status_code, guarded.json()) == (503, {"message": RESPONSE_MESSAGE})
            assert "ann@example.com" not in guarded.text
            assert s.log_lines(f"[{RESPONSE_GUARD}] refusing the answer: {REDACTOR} did not complete")
            unguarded = await s.post("/redacted-open", GOOD)  # the server is down for good now
            assert unguarded.status_code == 200
            assert "ann@example.com" in unguarded.text  # Kong's fail-open: the answer left unredacted

    run(body)


def test_marks_are_set_by_completed_handlers_only() -> None:
    """A handler that refused the request answered it itself: the guard never runs after it (Kong skips the
    rest of access), and a request that passed every check carries every mark the guard asks for."""

    async def body() -> None:
        async with stack() as s:
            allowed = await s.post("/chat-guarded", GOOD, TENANT)
            assert allowed.status_code == 200
            refused = await s.post("/chat-guarded", GOOD)
            assert refused.status_code == 401
            assert not s.log_lines(f"[{GUARD}]")

    run(body)


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({}, "marks"),
        ({"marks": []}, "marks"),
        ({"marks": ["key-auth"]}, "expected one of"),
    ],
)
def test_admin_api_refuses_a_guard_without_valid_marks(config: dict[str, Any], fragment: str) -> None:
    """The schema is the real schema.lua: a guard that requires nothing, or a mark no plugin of ours sets
    (it would refuse every request), is refused with 400 when configured."""

    async def body() -> None:
        async with stack() as s:
            admin = s.gateway.admin
            assert admin
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{admin.port}") as client:
                reply = await client.post("/plugins", json={"name": GUARD, "config": config})
            assert reply.status_code == 400, reply.text
            assert fragment in reply.text

    run(body)
