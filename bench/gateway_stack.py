"""The emulated Kong stack the chain bench talks to over HTTP: mock LLM, gateway, plugin servers.

Why separate processes (as ``scripts/pongo up`` runs them) rather than a Gateway inside the bench: the bench's
HTTP client would otherwise share a GIL with the gateway it is timing. Everything is generated in a temporary
directory: a kong.conf that wires our plugin server the way kong/kong.conf does (one ``pluginserver_names``
entry per plugin, one shared socket, ``--no-lua-style``), plus the stock kong-pdk dedicated server for the toy
``wire_probe_resp`` plugin (the one plugin with a ``response`` handler, for the buffering measurement), and a
deck file with one route per benchmarked plugin chain. Ports are ephemeral, everything binds 127.0.0.1, and
:meth:`GatewayStack.close` stops every process the stack caused, plugin servers included.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from bench_processes import REPO_ROOT, BackgroundProcess, ProcessSet, python, python_env, stop_pids

from kong_plugins.server.registry import PLUGIN_MODULES

MOCK_LLM = REPO_ROOT / "scripts" / "mock_llm.py"
DEFAULT_WIRE_PLUGINS = REPO_ROOT / "tests" / "fixtures" / "wire_plugins"
RESPONSE_PLUGIN = "wire_probe_resp"
OUR_SOCKET_NAME = "kong-ai.sock"
STOCK_SERVER = REPO_ROOT / "scripts" / "stock-pluginserver"
#: The stock kong-pdk server's modes: ``threads`` (its default) and ``gevent`` (``-g``).
STOCK_MODES = ("threads", "gevent")
MAX_ROUTES = 32
MAX_PLUGINS_PER_ROUTE = 32
MAX_ROUTES_FILE_BYTES = 1024 * 1024
_ROUTE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class RoutesError(ValueError):
    """The routes file does not describe routes the bench can build."""


@dataclass(frozen=True)
class PluginUse:
    """A plugin on a route, with its configuration (Kong applies the schema defaults)."""

    name: str
    config: Mapping[str, Any]


@dataclass(frozen=True)
class RouteSpec:
    """One benchmarked route: a plugin chain and the request headers it needs (a tenant id, a key...)."""

    name: str
    plugins: tuple[PluginUse, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The route's path prefix; Kong strips it, so the upstream still sees /v1/chat/completions."""
        return f"/r/{self.name}"


def parse_routes(document: Any) -> list[RouteSpec]:
    """``{"routes": [{"name", "plugins": [{"name", "config"}], "headers": {...}}]}``, validated, bounded."""
    if not isinstance(document, dict) or not isinstance(document.get("routes"), list):
        raise RoutesError('expected {"routes": [...]}')
    items = document["routes"]
    if not 1 <= len(items) <= MAX_ROUTES:
        raise RoutesError(f"between 1 and {MAX_ROUTES} routes")
    routes: list[RouteSpec] = []
    for index, item in enumerate(items):
        where = f"routes[{index}]"
        if not isinstance(item, dict):
            raise RoutesError(f"{where}: not an object")
        name = item.get("name")
        if not isinstance(name, str) or not _ROUTE_NAME_RE.match(name):
            raise RoutesError(f"{where}.name: lower-case letters, digits and '-', at most 63")
        plugins = item.get("plugins", [])
        if not isinstance(plugins, list) or len(plugins) > MAX_PLUGINS_PER_ROUTE:
            raise RoutesError(f"{where}.plugins: a list of at most {MAX_PLUGINS_PER_ROUTE}")
        uses: list[PluginUse] = []
        for plugin in plugins:
            if not isinstance(plugin, dict) or not isinstance(plugin.get("name"), str):
                raise RoutesError(f"{where}.plugins: each entry needs a name")
            config = plugin.get("config", {})
            if not isinstance(config, dict):
                raise RoutesError(f"{where}.plugins[{plugin['name']}].config: not an object")
            uses.append(PluginUse(plugin["name"], config))
        headers = item.get("headers", {})
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and _HEADER_NAME_RE.match(k) and isinstance(v, str) and len(v) <= 1024
            for k, v in headers.items()
        ):
            raise RoutesError(f"{where}.headers: an object of header name -> string")
        routes.append(RouteSpec(name, tuple(uses), dict(headers)))
    if len({route.name for route in routes}) != len(routes):
        raise RoutesError("route names must be unique")
    return routes


def load_routes(path: str | Path) -> list[RouteSpec]:
    text = Path(path).read_bytes()
    if len(text) > MAX_ROUTES_FILE_BYTES:
        raise RoutesError(f"{path}: larger than {MAX_ROUTES_FILE_BYTES} bytes")
    try:
        return parse_routes(json.loads(text))
    except ValueError as exc:
        raise RoutesError(f"{path}: {exc}") from None


def our_plugins_in(routes: Sequence[RouteSpec]) -> dict[str, str]:
    """Plugins of ours the routes use (name -> module): they are served by kong-ai-pluginserver."""
    names = {use.name for route in routes for use in route.plugins}
    return {name: module for name, module in PLUGIN_MODULES.items() if name in names}


def kong_conf_text(
    prefix: Path,
    ours: Mapping[str, str],
    wire_plugins: Path | None,
    *,
    runtime: str | None = None,
    per_plugin: bool = False,
    stock: str | None = None,
) -> str:
    """A kong.conf wired like kong/kong.conf (3.9: one entry per plugin, first entry starts the server).

    ``per_plugin``: one plugin-server process per plugin instead, each with its own socket and start command
    (Kong 3.9's one-server-per-plugin layout, which spreads the plugins over the cores). ``runtime``: the
    plugin server's ``--runtime`` (the bench's environment has no ``KONG_*`` variable to carry it).
    ``stock``: serve the plugins with the stock kong-pdk server instead (``threads`` or ``gevent``), started
    through scripts/stock-pluginserver as ``KONG_AI_PLUGINSERVER=stock scripts/pongo up`` does."""
    py = shlex.quote(python())
    server = f"{py} -m kong_plugins.server.cli"
    runtime_flag = f" --runtime {shlex.quote(runtime)}" if runtime else ""
    if stock is not None:
        if stock not in STOCK_MODES or per_plugin:
            raise ValueError(f"stock: one of {STOCK_MODES}, shared layout only")
        server = f"{py} {shlex.quote(str(STOCK_SERVER))}"
        runtime_flag = " -g" if stock == "gevent" else ""
    plugin_flags = " ".join(f"--plugin {shlex.quote(f'{n}={m}')}" for n, m in ours.items())
    names = list(ours)
    lines = [f"prefix = {prefix}", "client_body_buffer_size = 1m"]
    socket = prefix / OUR_SOCKET_NAME
    for index, (name, module) in enumerate(ours.items()):
        key = name.lower().replace("-", "_")
        if per_plugin:
            own_flag = f"--plugin {shlex.quote(f'{name}={module}')}"
            lines.append(f"pluginserver_{key}_socket = {prefix / (name + '.sock')}")
            lines.append(
                f"pluginserver_{key}_start_cmd = {server} -p {shlex.quote(str(prefix))} "
                f"--socket-name {name}.sock --no-lua-style {own_flag}{runtime_flag}"
            )
            lines.append(f"pluginserver_{key}_query_cmd = {server} {own_flag} --dump {shlex.quote(name)}")
            continue
        lines.append(f"pluginserver_{key}_socket = {socket}")
        if index == 0:
            lines.append(
                f"pluginserver_{key}_start_cmd = {server} -p {shlex.quote(str(prefix))} "
                f"--socket-name {OUR_SOCKET_NAME} --no-lua-style {plugin_flags}{runtime_flag}"
            )
        lines.append(f"pluginserver_{key}_query_cmd = {server} {plugin_flags} --dump {shlex.quote(name)}")
    if wire_plugins is not None:
        script = shlex.quote(str(wire_plugins / f"{RESPONSE_PLUGIN}.py"))
        names.append(RESPONSE_PLUGIN)
        lines.append(f"pluginserver_{RESPONSE_PLUGIN}_socket = {prefix / (RESPONSE_PLUGIN + '.sock')}")
        lines.append(
            f"pluginserver_{RESPONSE_PLUGIN}_start_cmd = {py} {script} -p {shlex.quote(str(prefix))}"
        )
        lines.append(f"pluginserver_{RESPONSE_PLUGIN}_query_cmd = {py} {script} --dump")
    lines.insert(0, f"plugins = {','.join(['bundled', *names])}")
    if names:
        lines.insert(1, f"pluginserver_names = {','.join(names)}")
    for line in lines:
        if "#" in line or "\n" in line:
            raise ValueError(f"cannot write this path into kong.conf: {line!r}")
    return "\n".join(lines) + "\n"


def deck_config(routes: Sequence[RouteSpec], upstream_port: int) -> dict[str, Any]:
    """A deck file: one service (the mock LLM) and one stripped-prefix route per RouteSpec."""
    return {
        "_format_version": "3.0",
        "services": [
            {
                "name": "mock-llm",
                "url": f"http://127.0.0.1:{upstream_port}",
                "routes": [
                    {
                        "name": route.name,
                        "paths": [route.path],
                        "strip_path": True,
                        "plugins": [{"name": use.name, "config": dict(use.config)} for use in route.plugins],
                    }
                    for route in routes
                ],
            }
        ],
    }


def gateway_env() -> dict[str, str]:
    """The gateway's environment without ``KONG_*`` variables: Kong (and the emulator) read them as kong.conf
    overrides, and the bench's generated kong.conf must be the whole configuration (``scripts/pongo run``
    exports ``KONG_PROXY_URL`` and friends for the test suite)."""
    env = python_env(REPO_ROOT / "tests")
    return {name: value for name, value in env.items() if not name.startswith("KONG_")}


class GatewayStack:
    """Starts mock LLM + emulated gateway (which starts the plugin servers); a context manager."""

    def __init__(
        self,
        workdir: Path,
        routes: Sequence[RouteSpec],
        wire_plugins: Path | None,
        *,
        runtime: str | None = None,
        per_plugin: bool = False,
        stock: str | None = None,
    ) -> None:
        self.workdir = workdir
        self.runtime = runtime
        self.per_plugin = per_plugin
        self.stock = stock
        self.routes = list(routes)
        self.wire_plugins = wire_plugins
        self.processes = ProcessSet(workdir)
        self.proxy_port = 0
        self.admin_port = 0
        self.gateway: BackgroundProcess | None = None
        self.plugin_server_pids: list[int] = []

    def start(self) -> None:
        mock = self.processes.spawn(
            "mock_llm", [python(), str(MOCK_LLM), "--host", "127.0.0.1", "--port", "0", "--quiet"]
        )
        upstream_port = int(mock.wait_for_log_match(r"listening on 127\.0\.0\.1:(\d+)").group(1))
        prefix = self.workdir / "kong"
        prefix.mkdir()
        conf = self.workdir / "kong.conf"
        conf.write_text(
            kong_conf_text(
                prefix,
                our_plugins_in(self.routes),
                self.wire_plugins,
                runtime=self.runtime,
                per_plugin=self.per_plugin,
                stock=self.stock,
            )
        )
        deck = self.workdir / "kong.json"
        deck.write_text(json.dumps(deck_config(self.routes, upstream_port), indent=2))
        ready = self.workdir / "gateway.ready"
        self.gateway = self.processes.spawn(
            "gateway",
            [
                python(),
                "-m",
                "harness.gateway",
                "--conf",
                str(conf),
                "--declarative",
                str(deck),
                "--prefix",
                str(prefix),
                "--proxy-listen",
                "127.0.0.1:0",
                "--admin-listen",
                "127.0.0.1:0",
                "--ready-file",
                str(ready),
            ],
            gateway_env(),
        )
        self.gateway.wait_until(lambda: ready.exists() and ready.read_text().strip() != "", "ready file", 60)
        self.proxy_port, self.admin_port = (int(part) for part in ready.read_text().split())
        self.plugin_server_pids = self._current_plugin_server_pids()

    def _current_plugin_server_pids(self) -> list[int]:
        servers = self.admin_get("/_emulator/pluginservers").get("data", [])
        return [int(s["pid"]) for s in servers if s.get("pid")]

    def admin_get(self, path: str) -> Any:
        """GET on the emulator's Admin API (JSON)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return json.loads(response.read())
        finally:
            conn.close()

    def log_tail(self) -> str:
        return self.gateway.log_tail() if self.gateway else ""

    def close(self) -> list[int]:
        """Stop everything; returns plugin-server pids that outlived the gateway and had to be killed."""
        if self.gateway is not None and self.gateway.alive() and self.admin_port:
            # The gateway respawns a plugin server that dies: ask again which pids are current.
            with contextlib.suppress(OSError, ValueError, http.client.HTTPException):
                self.plugin_server_pids = sorted(
                    set(self.plugin_server_pids) | set(self._current_plugin_server_pids())
                )
        self.processes.stop_all()
        return stop_pids(self.plugin_server_pids)

    def __enter__(self) -> GatewayStack:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
