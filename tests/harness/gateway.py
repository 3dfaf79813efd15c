"""The emulated Kong gateway: proxy listener, Admin API listener, plugin servers, one process.

Run: ``python -m harness.gateway --conf kong/kong.conf --declarative declarative/kong.yaml --prefix DIR``
(``scripts/pongo up`` does this). It reads the same kong.conf and deck file a real Kong would use;
harness-only substitutions (``--path-map /usr/local/kong=DIR``) are explicit and logged. Harness-only
endpoints live under ``/_emulator/`` on the Admin port; everything else answers as Kong does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from harness import declarative, router
from harness.admin import AdminApi
from harness.bundled_plugins import make_bundled
from harness.conf import KongConf, PluginServerConf, load_kong_conf
from harness.http11 import (
    ConnectionStats,
    HttpRequest,
    HttpResponse,
    HttpServer,
    UpstreamError,
    upstream_call,
)
from harness.kong_request import ClientRequest, KongRequest, PluginRef, RouteMatch
from harness.lua import to_wire
from harness.lua_plugins import load_lua_plugins
from harness.pluginservers import ManagedProcess, PluginInfoError, load_all, wait_for_socket
from harness.rpc import DEFAULT_READ_TIMEOUT, RpcClient
from harness.runner import EventOutcome, PluginConfig, PluginRuntime, RequestStats, sort_plugins
from harness.store import EDITIONS, Store

KONG_VERSION_STRING = "3.9.1"
PDK_COUNT_HEADER = "X-Emulator-Pdk-Calls"
STATS_KEPT = 2000


class KongLog:
    """Kong's error.log: lines kept in memory (for /_emulator/log) and written under <prefix>/logs/."""

    LEVELS = ("debug", "info", "notice", "warn", "err", "error", "crit")

    def __init__(self, path: Path | None, echo: bool) -> None:
        self.lines: list[str] = []
        self.dropped = 0  # lines let go from the front of ``lines``: ``dropped + len(lines)`` were logged
        self.path = path
        self.echo = echo
        self._file = path.open("a", buffering=1) if path else None

    @property
    def total(self) -> int:
        """How many lines were logged so far: a mark that later reads can start from (``since``)."""
        return self.dropped + len(self.lines)

    def since(self, mark: int) -> list[str]:
        """The lines logged after ``mark`` (a :attr:`total` read earlier), the newest 2000 at most."""
        start = max(0, mark - self.dropped)
        return self.lines[start:][-2000:]

    def __call__(self, level: str, line: str) -> None:
        level = "error" if level == "err" else level
        entry = f"{time.strftime('%Y/%m/%d %H:%M:%S')} [{level}] {line}"
        self.lines.append(entry)
        if len(self.lines) > 20000:
            del self.lines[:10000]
            self.dropped += 10000
        if self._file:
            self._file.write(entry + "\n")
        if self.echo:
            print(entry, file=sys.stderr, flush=True)


def _map_path(value: str | None, path_map: list[tuple[str, str]]) -> str | None:
    if value is None:
        return None
    for old, new in path_map:
        value = value.replace(old, new)
    return value


class Gateway:
    """Everything Kong does that our plugins can observe, in one asyncio process."""

    def __init__(
        self,
        conf: KongConf,
        *,
        declarative_path: str | None,
        path_map: list[tuple[str, str]],
        kong_version: tuple[int, int] = (3, 9),
        edition: str = "oss",
        rpc_read_timeout: float = DEFAULT_READ_TIMEOUT,
        pdk_count_header: bool = True,
        echo_log: bool = True,
    ) -> None:
        self.conf = conf
        self.kong_version = kong_version
        self.path_map = path_map
        self.declarative_path = declarative_path
        self.pdk_count_header = pdk_count_header
        # Real Kong sends Via and X-Kong-Request-Id upstream unless its `headers` setting turns them off.
        self.upstream_kong_headers = "off" not in conf.headers
        prefix = Path(conf.prefix)
        (prefix / "logs").mkdir(parents=True, exist_ok=True)
        self.log = KongLog(prefix / "logs" / "error.log", echo_log)
        self.node_id = str(uuid.uuid4())
        self.workspace_id = "99999999-8888-4777-8666-555555555555"
        self.servers = [
            PluginServerConf(
                s.name,
                _map_path(s.socket, path_map) or s.socket,
                _map_path(s.start_cmd, path_map),
                _map_path(s.query_cmd, path_map),
            )
            for s in conf.pluginservers
        ]
        self.processes: list[ManagedProcess] = []
        self.catalog: dict[str, Any] = {}
        self.store = Store(workspace_id=self.workspace_id, kong_version=kong_version, edition=edition)
        self.rpc_read_timeout = rpc_read_timeout
        self.clients: dict[str, RpcClient] = {}
        self.runtime: PluginRuntime | None = None
        self.stats: OrderedDict[str, RequestStats] = OrderedDict()
        self.proxy: HttpServer | None = None
        self.admin: HttpServer | None = None
        self.admin_api: AdminApi | None = None
        self._log_tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------------------------------- start-up
    async def start(self, proxy_addr: tuple[str, int], admin_addr: tuple[str, int]) -> None:
        env = dict(os.environ)
        for server in self.servers:
            if server.start_cmd:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(server.socket)
                proc = ManagedProcess(server, self.log, env)
                await proc.start()
                self.processes.append(proc)
            else:
                self.log(
                    "notice",
                    f"no start_cmd for plugin server {server.name}: assuming external process management",
                )
        # Kong queries plugin info before cosockets exist (io.popen), then connects lazily.
        external = await asyncio.to_thread(
            load_all, KongConf(pluginservers=self.servers), self.kong_version, self.log, env
        )
        enabled = set(self.conf.plugins)
        for name, plugin in external.items():
            if name in enabled:
                self.catalog[name] = plugin
            else:
                self.log("warn", f"plugin {name} is served but not in 'plugins'; not loaded")
        bundled = make_bundled(self.store)
        if "bundled" in enabled or enabled & set(bundled):
            for name, plugin in bundled.items():
                if "bundled" in enabled or name in enabled:
                    self.catalog[name] = plugin
        # Our Lua plugins (kong/plugins/<name>), found as Kong finds kong.plugins.<name>.handler on its path.
        unserved = [name for name in self.conf.plugins if name != "bundled" and name not in self.catalog]
        self.catalog.update(load_lua_plugins(unserved))
        # dao/plugins.lua load_plugin_schemas: an enabled plugin nobody provides stops Kong from starting.
        missing = [name for name in self.conf.plugins if name != "bundled" and name not in self.catalog]
        if missing:
            raise PluginInfoError(
                "error loading plugin schemas: "
                + "; ".join(
                    f"on plugin '{name}': {name} plugin is enabled but not installed;\nno plugin found"
                    for name in missing
                )
            )
        for server in self.servers:
            if server.start_cmd:
                await wait_for_socket(server.socket)
            self.clients.setdefault(
                server.socket,
                RpcClient(
                    server.socket, read_timeout=self.rpc_read_timeout, on_notification=self._notification
                ),
            )
        self.runtime = PluginRuntime(self.clients, self.log, self.kong_version)
        if self.declarative_path:
            declarative.load_file(self.store, self.declarative_path, self.catalog)
        connections = ConnectionStats()  # one set of counters for every listener, as nginx keeps
        self.admin_api = AdminApi(
            self.store, self.catalog, node_id=self.node_id, log=self.log, statistics=connections.as_kong
        )
        self.proxy = HttpServer(self.handle_proxy, *proxy_addr, stats=connections)
        self.admin = HttpServer(self.handle_admin, *admin_addr, stats=connections)
        await self.proxy.start()
        await self.admin.start()
        self.log(
            "notice",
            f"emulated Kong {KONG_VERSION_STRING} proxy on {proxy_addr[0]}:{self.proxy.port}, "
            f"admin on {admin_addr[0]}:{self.admin.port}, plugins: {sorted(self.catalog)}",
        )

    def _notification(self, label: str, arg: Any) -> None:
        if label == "serverPid" and self.runtime:
            self.runtime.reset_instances()

    async def stop(self) -> None:
        for closer in (self.proxy, self.admin):
            if closer:
                await closer.close()
        for task in list(self._log_tasks):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 5)
        for client in self.clients.values():
            client.close()
        for proc in self.processes:
            await proc.stop()

    # ------------------------------------------------------------------------------------------- proxy
    def _plugin_config(self, entity: dict[str, Any]) -> PluginConfig:
        full = self.store.instance_config(entity)
        extras = {k: v for k, v in full.items() if k in PluginConfig.EXTRA_KEYS}
        config = {k: v for k, v in full.items() if k not in PluginConfig.EXTRA_KEYS}
        return PluginConfig(entity["id"], entity["name"], config, extras)

    async def _run(
        self, req: KongRequest, plugin: Any, cfg: PluginConfig, phase: str, stats: RequestStats
    ) -> EventOutcome:
        if getattr(plugin, "is_external", False):
            assert self.runtime
            outcome = await self.runtime.run_event(req, plugin, cfg, phase, stats)
        else:
            outcome = EventOutcome(plugin.run(phase, req, cfg.config, PluginRef(plugin.name, cfg.id)))
        stats.events.append((plugin.name, phase, outcome.value))
        return outcome

    async def handle_proxy(self, hreq: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        request_id = uuid.uuid4().hex
        stats = RequestStats(request_id)
        self._remember(stats)
        raw_path, _, raw_query = hreq.target.partition("?")
        host = next((v.decode("latin-1") for n, v in hreq.headers if n.lower() == "host"), "")
        matched = router.match(self.store, hreq.method, host, raw_path, hreq.headers)
        if matched is None:
            return self._no_route(request_id, started)
        client = ClientRequest(
            method=hreq.method,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=hreq.headers,
            body=hreq.body,
            client_ip=hreq.client_ip,
            client_port=hreq.client_port,
            server_port=hreq.server_port,
            http_version=float(hreq.http_version),
        )
        req = KongRequest(
            client,
            RouteMatch(
                route=matched.route,
                service=matched.service,
                upstream_path=matched.upstream_path,
                uri_captures=matched.uri_captures,
                prefix=matched.prefix,
            ),
            node_id=self.node_id,
            request_id=request_id if "x-kong-request-id" in self.conf.headers else "",
            workspace_id=self.workspace_id,
            client_body_buffer_size=self.conf.client_body_buffer_size,
            max_req_headers=self.conf.lua_max_req_headers,
            trusted_ips=self.conf.trusted_ips,
            real_ip_header=self.conf.real_ip_header,
            real_ip_recursive=self.conf.real_ip_recursive,
            kong_version=self.kong_version,
            upstreams=self.store.upstream_by_name,
            consumers=self.store.load_consumer,
            consumer_groups=self.store.consumer_groups_of if self.store.enterprise else None,
            log=self.log,
            upstream_kong_headers=self.upstream_kong_headers,
            prefix=self.conf.prefix,
        )
        ordered = sort_plugins(list(self.catalog.values()))
        collected: list[tuple[Any, PluginConfig]] = []
        decided = False  # the response is decided (exit or error); no upstream call

        # rewrite: global configurations only
        req.phase = "rewrite"
        for plugin in ordered:
            if "rewrite" not in plugin.phases:
                continue
            entity = self.store.global_plugin(plugin.name)
            if entity is None:
                continue
            outcome = await self._run(req, plugin, self._plugin_config(entity), "rewrite", stats)
            if outcome in (EventOutcome.EXIT, EventOutcome.THROWN):
                decided = True
                break
        log_plugins: list[tuple[Any, PluginConfig]]
        if decided:
            log_plugins = [
                (p, self._plugin_config(e))
                for p in ordered
                if (e := self.store.global_plugin(p.name)) is not None
            ]
        else:
            req.phase = "access"
            for plugin in ordered:
                entity = self.store.plugin_for(
                    plugin.name,
                    matched.route.get("id"),
                    matched.service.get("id") if matched.service else None,
                    (req.consumer or {}).get("id"),
                )
                if entity is None:
                    continue
                cfg = self._plugin_config(entity)
                collected.append((plugin, cfg))
                if "response" in plugin.phases:
                    req.enable_buffering()
                if decided or "access" not in plugin.phases:
                    continue
                outcome = await self._run(req, plugin, cfg, "access", stats)
                if outcome in (EventOutcome.EXIT, EventOutcome.THROWN):
                    decided = True
            log_plugins = collected

        body: bytes | AsyncIterator[bytes] = b""
        upstream_latency = 0.0
        up_req = None if decided else req.upstream_request()
        if up_req is None:
            decided = True  # Kong answered itself (exit, failure, no Service, no usable target)
        else:
            up_started = time.monotonic()
            service = matched.service or {}
            try:
                upstream = await upstream_call(
                    up_req.host,
                    up_req.port,
                    up_req.method,
                    up_req.target,
                    up_req.headers,
                    up_req.body,
                    connect_timeout=service.get("connect_timeout", 60000) / 1000,
                    read_timeout=service.get("read_timeout", 60000) / 1000,
                )
            except UpstreamError as exc:
                self.log("error", f"upstream error: {exc}")
                failed = 504 if exc.kind == "timeout" else 502
                if req.buffered:
                    # Kong.response (kong/init.lua): the buffered subrequest itself gets Kong's error page;
                    # it is not truncated, so the response plugins run on it.
                    await self._response_phase(req, collected, stats, *req.error_page_parts(failed))
                else:
                    req.upstream_failed(failed)
            else:
                upstream_latency = time.monotonic() - up_started
                if req.buffered:
                    try:
                        buffered_body = await upstream.read_all()
                    except UpstreamError:
                        req.upstream_failed(502)  # res.truncated: straight to the error handler
                        decided = True
                    else:
                        upstream_latency = time.monotonic() - up_started
                        await self._response_phase(
                            req, collected, stats, upstream.status, upstream.headers, buffered_body
                        )
                else:
                    req.set_service_response(upstream.status, upstream.headers, None)
                    body = _counted(upstream.body_iter, req)
        status, headers = req.response_head()
        decided_body = req.response_body()
        if decided_body is not None:
            body = decided_body
        headers = list(headers)
        kong_headers: list[tuple[str, bytes]] = []
        self._kong_headers(kong_headers, request_id, started, upstream_latency, decided)
        headers += kong_headers
        for name, value in kong_headers:  # set in ngx.header (runloop/handler.lua header_filter.after):
            req.set_response_header(name, [value.decode("latin-1")])  # the log snapshot sees them
        if self.pdk_count_header and stats.pdk_calls:
            headers.append((PDK_COUNT_HEADER, stats.header_value().encode()))

        async def log_phase() -> None:
            req.start_log_phase()
            req.phase = "log"
            tasks = [self._run(req, p, cfg, "log", stats) for p, cfg in log_plugins if "log" in p.phases]
            await asyncio.gather(*tasks, return_exceptions=True)
            stats.ctx_shared = _json_safe(to_wire(req.ctx_shared))
            stats.log_done = True

        return HttpResponse(status, headers, body, on_sent=log_phase)

    async def _response_phase(
        self,
        req: KongRequest,
        collected: list[tuple[Any, PluginConfig]],
        stats: RequestStats,
        status: int,
        headers: list[tuple[str, bytes]],
        body: bytes,
    ) -> None:
        """Buffered proxying: the service response is known; the collected response handlers run in order."""
        req.set_service_response(status, headers, body)
        req.phase = "response"
        for plugin, cfg in collected:
            if "response" not in plugin.phases:
                continue
            outcome = await self._run(req, plugin, cfg, "response", stats)
            if outcome in (EventOutcome.EXIT, EventOutcome.THROWN):
                break

    def _kong_headers(
        self,
        headers: list[tuple[str, bytes]],
        request_id: str,
        started: float,
        upstream_latency: float,
        decided: bool,
    ) -> None:
        """The headers Kong's header_filter adds, as the ``headers`` setting asks."""
        enabled = set(self.conf.headers)
        if "off" in enabled:
            return
        proxy_ms = int((time.monotonic() - started - upstream_latency) * 1000)
        if decided:
            if "server_tokens" in enabled or "server" in enabled:
                headers.append(("Server", f"kong/{KONG_VERSION_STRING}".encode()))
            if "latency_tokens" in enabled or "x-kong-response-latency" in enabled:
                headers.append(("X-Kong-Response-Latency", str(proxy_ms).encode()))
        else:
            if "server_tokens" in enabled or "via" in enabled:
                headers.append(("Via", f"1.1 kong/{KONG_VERSION_STRING}".encode()))
            if "latency_tokens" in enabled or "x-kong-upstream-latency" in enabled:
                headers.append(("X-Kong-Upstream-Latency", str(int(upstream_latency * 1000)).encode()))
                headers.append(("X-Kong-Proxy-Latency", str(max(proxy_ms, 0)).encode()))
        if "x-kong-request-id" in enabled:
            headers.append(("X-Kong-Request-Id", request_id.encode()))

    def _no_route(self, request_id: str, started: float) -> HttpResponse:
        """runloop/handler.lua ``access.before``: ``kong.response.error(404, ...)``; header_filter.after then
        adds what a response Kong made itself gets (``Server``, ``X-Kong-Response-Latency``, request id)."""
        body = {"message": "no Route matched with those values"}
        headers = [("Content-Type", b"application/json; charset=utf-8")]
        if "x-kong-request-id" in self.conf.headers:
            body["request_id"] = request_id
        self._kong_headers(headers, request_id, started, 0.0, decided=True)
        text = "{\n  " + ",\n  ".join(f'"{k}":{json.dumps(v)}' for k, v in body.items()) + "\n}"
        return HttpResponse(404, headers, text.encode())

    def _remember(self, stats: RequestStats) -> None:
        self.stats[stats.request_id] = stats
        while len(self.stats) > STATS_KEPT:
            self.stats.popitem(last=False)

    # ------------------------------------------------------------------------------------------- admin
    async def handle_admin(self, hreq: HttpRequest) -> HttpResponse:
        path, _, query = hreq.target.partition("?")
        if path.startswith("/_emulator/"):
            return self._emulator_endpoint(hreq.method, path, query)
        assert self.admin_api
        headers = {n.lower(): v.decode("latin-1") for n, v in hreq.headers}
        status, resp_headers, body = self.admin_api.handle(hreq.method, path, query, headers, hreq.body)
        return HttpResponse(status, [(n, v.encode("latin-1")) for n, v in resp_headers], body)

    def _emulator_endpoint(self, method: str, path: str, query: str) -> HttpResponse:
        def answer(status: int, payload: Any) -> HttpResponse:
            return HttpResponse(status, [("Content-Type", b"application/json")], json.dumps(payload).encode())

        parts = [p for p in path.split("/") if p][1:]
        if parts == ["requests"] and method == "GET":
            last = 20
            for item in query.split("&"):
                if item.startswith("last="):
                    with contextlib.suppress(ValueError):
                        last = max(1, min(int(item[5:]), STATS_KEPT))
            return answer(200, {"data": [s.as_json() for s in list(self.stats.values())[-last:]]})
        if len(parts) == 2 and parts[0] == "requests" and method == "GET":
            stats = self.stats.get(parts[1])
            return answer(200, stats.as_json()) if stats else answer(404, {"message": "Not found"})
        if parts == ["log"] and method == "GET":
            # ?since=N: the lines after mark N (``total`` of an earlier answer), so that a test can read just
            # what its own requests logged however long the log has grown
            since = None
            for item in query.split("&"):
                if item.startswith("since="):
                    with contextlib.suppress(ValueError):
                        since = max(0, int(item[6:]))
            lines = self.log.lines[-2000:] if since is None else self.log.since(since)
            return answer(200, {"lines": lines, "total": self.log.total})
        if parts == ["pluginservers"] and method == "GET":
            return answer(
                200,
                {
                    "data": [
                        {
                            "name": p.conf.name,
                            "pid": p.proc.pid if p.proc else None,
                            "starts": p.starts,
                            "socket": p.conf.socket,
                        }
                        for p in self.processes
                    ]
                },
            )
        if len(parts) == 3 and parts[0] == "pluginservers" and parts[2] == "kill" and method == "POST":
            for proc in self.processes:
                if proc.conf.name == parts[1] and proc.proc and proc.proc.returncode is None:
                    proc.proc.kill()
                    return answer(200, {"killed": proc.proc.pid})
            return answer(404, {"message": "Not found"})
        return answer(404, {"message": "Not found"})


async def _counted(chunks: AsyncIterator[bytes], req: KongRequest) -> AsyncIterator[bytes]:
    """The streamed upstream body, counted as it goes: nginx's ``$bytes_sent`` (``response.size`` in
    ``kong.log.serialize``, pdk/log.lua) includes every body byte of a proxied response, streamed or not."""
    async for chunk in chunks:
        req.streamed_body_bytes += len(chunk)
        yield chunk


def _json_safe(value: Any) -> Any:
    """A Lua-side value as JSON can carry it (bytes as text, keys as strings)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(_json_safe(k)): _json_safe(v) for k, v in value.items()}
    return value


def _parse_listen(value: str) -> tuple[str, int]:
    first = value.split(",")[0].strip().split()[0]
    host, _, port = first.rpartition(":")
    return (host or "127.0.0.1"), int(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Emulated Kong 3.x gateway for kong-ai-guard tests")
    parser.add_argument("--conf", help="kong.conf to read (KONG_* environment variables override it)")
    parser.add_argument("--declarative", help="deck file (declarative_config) to load")
    parser.add_argument("--prefix", help="Kong prefix (sockets, logs); overrides the conf")
    parser.add_argument(
        "--proxy-listen", default=None, help="host:port (default from conf or 127.0.0.1:8000)"
    )
    parser.add_argument(
        "--admin-listen", default=None, help="host:port (default from conf or 127.0.0.1:8001)"
    )
    parser.add_argument(
        "--path-map",
        action="append",
        default=[],
        metavar="FROM=TO",
        help="substitute FROM by TO in plugin server sockets and commands",
    )
    parser.add_argument(
        "--kong-version", default="3.9", help="Kong behaviour to emulate: 3.9 (default) or 3.8"
    )
    parser.add_argument(
        "--edition",
        choices=EDITIONS,
        default="oss",
        help="Kong OSS (default) or Kong Gateway Enterprise (adds consumer groups: docs/emulator.md)",
    )
    parser.add_argument("--rpc-read-timeout", type=float, default=DEFAULT_READ_TIMEOUT)
    parser.add_argument("--no-pdk-count-header", action="store_true")
    parser.add_argument("--ready-file", help="write 'proxy_port admin_port' here once listening")
    args = parser.parse_args(argv)

    conf = load_kong_conf(args.conf)
    if args.prefix:
        conf.prefix = args.prefix
    proxy = _parse_listen(args.proxy_listen or conf.get("proxy_listen") or "127.0.0.1:8000")
    admin = _parse_listen(args.admin_listen or conf.get("admin_listen") or "127.0.0.1:8001")
    for host in (proxy[0], admin[0]):
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"the emulator binds loopback only, not {host}")
    path_map = [tuple(item.split("=", 1)) for item in args.path_map]
    major, minor = (int(x) for x in args.kong_version.split(".")[:2])
    gateway = Gateway(
        conf,
        declarative_path=args.declarative or conf.declarative_config,
        path_map=path_map,
        kong_version=(major, minor),
        edition=args.edition,
        rpc_read_timeout=args.rpc_read_timeout,
        pdk_count_header=not args.no_pdk_count_header,
    )

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await gateway.start(proxy, admin)
            if args.ready_file:
                assert gateway.proxy and gateway.admin
                Path(args.ready_file).write_text(f"{gateway.proxy.port} {gateway.admin.port}\n")
            await stop.wait()
        finally:
            await gateway.stop()

    asyncio.run(run())
    return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
