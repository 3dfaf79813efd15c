"""Kong 3.9's side of one proxied request, as a pure in-memory model that answers PDK calls like Kong does.

The emulated gateway owns the IO (HTTP server, router, plugin-server RPC, upstream call). This model owns what
Kong's Lua would compute: ``ngx.var``/``ngx.ctx``/``ngx.req``/``ngx.header`` state, the PDK functions and
their phase checks (kong/pdk/*.lua), the external-plugin bridge (kong/runloop/plugin_servers/plugin.lua
``exposed_api`` overrides, rpc/mp_rpc.lua ``call_pdk_method``/``fix_mmap``/``fix_raw``/Step names), what Kong
sends upstream (kong/runloop/handler.lua access.before/after, the balancer, nginx_kong.lua
``proxy_set_header``), what the client gets (pdk/response.lua ``send``, kong/error_handlers.lua, nginx's
header filter) and the log-phase snapshot.

Lifecycle driven by the runner (see ``KongRequest``)::

    req = KongRequest(client, match, node_id=..., request_id=..., workspace_id=...)
    req.phase = "rewrite"      # global plugins; req.call(plugin, method, args) for every PDK call
    req.phase = "access"       # runs Kong's router side effects (X-Forwarded-*, $upstream_uri, balancer data)
    ...                        # req.enable_buffering() when a plugin with a response handler is collected
    up = req.upstream_request()          # None when Kong answered itself (exit, error, no peer)
    req.set_service_response(status, headers, body_or_None)
    req.phase = "response"     # buffered only
    status, headers = req.response_head(); body = req.response_body()   # None: stream the upstream body
    req.start_log_phase(); req.phase = "log"

Kong 3.9.1 source is the reference throughout; where the kong-wire recordings' glue differs from it (they
replace init.lua/router/balancer with ~150 lines), the default follows Kong and the difference is named.
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import re
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from harness import kong_templates
from harness.lua import (
    LUA_NULL,
    LuaArray,
    LuaError,
    cjson_encode,
    from_wire,
    is_table,
    lua_number,
    lua_string_bytes,
    lua_tostring,
    to_lua_string,
    to_wire,
)
from harness.nginx_text import decode_args, header_safe, kong_escape, token_list

KONG_VERSION = "3.9.1"
SERVER_HEADER = f"kong/{KONG_VERSION}"
NGINX_VERSION = "1.25.3"
MP_RPC = "kong/runloop/plugin_servers/rpc/mp_rpc.lua:127"  # call_pdk_method: ``method(unpack(args))``
PLUGIN_LUA = "kong/runloop/plugin_servers/plugin.lua"
API_DISABLED = "API disabled in the current context"
DEFAULT_MAX_HEADERS = 100  # lua_max_req_headers / lua_max_resp_headers
DEFAULT_MAX_ARGS = 100  # lua_max_uri_args / lua_max_post_args


class _Missing:
    """The Step frame carries no ``Data`` key (a Lua ``nil`` result)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

# kong/pdk/private/phases.lua
PHASE_BITS = {
    "init_worker": 0x1,
    "certificate": 0x2,
    "client_hello": 0x8,
    "rewrite": 0x10,
    "access": 0x20,
    "balancer": 0x40,
    "response": 0x80,
    "cluster_listener": 0x100,
    "header_filter": 0x200,
    "body_filter": 0x400,
    "log": 0x2000,
    "preread": 0x4000,
    "error": 0x1000000,
    "admin_api": 0x10000000,
}
_BIT_NAMES = {bit: name for name, bit in PHASE_BITS.items()}
RUNNER_PHASES = ("rewrite", "access", "response", "log")


def phase_mask(*names: str) -> int:
    mask = 0
    for name in names:
        mask |= PHASE_BITS[name]
    return mask


PHASES_REQUEST = phase_mask(
    "rewrite",
    "access",
    "balancer",
    "response",
    "header_filter",
    "body_filter",
    "log",
    "error",
    "admin_api",
    "cluster_listener",
)


def phase_names(mask: int) -> str:
    return ", ".join(_BIT_NAMES[bit] for bit in sorted(_BIT_NAMES) if mask & bit)


@dataclass
class ClientRequest:
    """The request as the client sent it (before any plugin)."""

    method: str
    raw_path: str  # request-line path before '?', undecoded, e.g. "/anything/a%20b/../c"
    raw_query: str  # after '?', "" when absent
    headers: list[tuple[str, bytes]]  # as sent, order kept, raw byte values
    body: bytes
    client_ip: str
    client_port: int
    server_port: int  # proxy listen port
    scheme: str = "http"
    http_version: float = 1.1
    server_addr: str = "127.0.0.1"
    request_target: str | None = None  # exact request-target if not raw_path[?raw_query] (e.g. "/p?")


@dataclass
class RouteMatch:
    """What the router matched (Kong's ``match_t``)."""

    route: dict[str, Any]  # as kong.router.get_route returns it (nulls dropped)
    service: dict[str, Any] | None  # the service entity (host, port, protocol, path, name, id, ...)
    upstream_path: (
        str  # path for upstream after strip_path/service.path joining (Kong escapes it again: no-op)
    )
    uri_captures: dict[str, Any] | None = None  # {"unnamed": [whole, g1, ...], "named": {...}}
    prefix: str | None = None  # the part strip_path removed (X-Forwarded-Prefix unless "/")


@dataclass(frozen=True)
class PluginRef:
    name: str  # log prefix "[name]"
    plugin_id: str  # kong.plugin.get_id()


@dataclass
class PdkOutcome:
    """How Kong answers one ``{Method, Args}`` from a plugin.

    ``value``: send ``step`` with ``{EventId, Data: data}`` (no ``Data`` key when ``data is MISSING``).
    ``exit``: kong.response.exit/error took over: Kong sends nothing more for this event.
    ``thrown``: a Lua error: nothing more is sent; ``error`` is the text Kong logs; call ``fail(phase)``.
    ``consumes_msgid``: the error came while packing the reply (``fix_raw(nil)``), after Kong had already
    taken the next msgid for the Step it never sent (recording 37).
    """

    kind: Literal["value", "exit", "thrown"]
    step: Any = "plugin.Step"
    data: Any = MISSING
    error: str | None = None
    consumes_msgid: bool = False


@dataclass
class UpstreamRequest:
    """What nginx sends to the service."""

    method: str
    scheme: str
    host: str  # address to connect to (target host/IP)
    port: int
    target: str  # request-target: escaped path plus "?args"
    headers: list[tuple[str, bytes]]
    body: bytes
    retries: int = 5
    connect_timeout: int = 60000  # ms
    write_timeout: int = 60000
    read_timeout: int = 60000
    upstream: str | None = None  # name of the Upstream entity balanced over, if any


class _ExitSignal:
    """Returned by a handler when kong.response.exit/error ended the event."""


EXITED = _ExitSignal()

# mp_rpc.lua get_step_method
STEP_BY_METHOD = {
    "kong.client.get_credential": "plugin.StepCredential",
    "kong.client.load_consumer": "plugin.StepConsumer",
    "kong.client.get_consumer": "plugin.StepConsumer",
    "kong.client.authenticate": "plugin.StepCredential",
    "kong.node.get_memory_stats": "plugin.StepMemoryStats",
    "kong.router.get_route": "plugin.StepRoute",
    "kong.router.get_service": "plugin.StepService",
    "kong.request.get_query": "plugin.StepMultiMap",
    "kong.request.get_headers": "plugin.StepMultiMap",
    "kong.response.get_headers": "plugin.StepMultiMap",
    "kong.service.response.get_headers": "plugin.StepMultiMap",
}
MUST_FIX_MMAP = frozenset(
    {
        "kong.request.get_query",
        "kong.request.get_headers",
        "kong.response.get_headers",
        "kong.service.response.get_headers",
    }
)
MUST_FIX_RAW = frozenset(
    {"kong.request.get_raw_body", "kong.response.get_raw_body", "kong.service.response.get_raw_body"}
)
_HOP_BY_HOP_RESPONSE = frozenset({"connection", "keep-alive", "transfer-encoding"})
_PROXY_SET_NAMES = (
    "te",
    "via",
    "host",
    "upgrade",
    "connection",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-forwarded-port",
    "x-forwarded-path",
    "x-forwarded-prefix",
    "x-real-ip",
)
_PROXY_DEFAULT_NAMES = ("content-length", "transfer-encoding", "keep-alive", "expect")
_IP_RE = re.compile(r"^[0-9.]+$|^\[?[0-9a-fA-F:.]+\]?$")
_TOKEN_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")
_LUA_NUMBER = re.compile(r"^\s*([+-]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))\s*$")
_balancer_counters: dict[str, itertools.count[int]] = {}


def _valid_header_name(name: str) -> bool:
    """nginx ``ignore_invalid_headers on`` + ``underscores_in_headers off``: other names are dropped."""
    return bool(_TOKEN_HEADER_NAME.match(name))


def lua_tonumber10(value: Any) -> int | float | None:
    """LuaJIT's ``tonumber(value, 10)`` (= ``tonumber(value)``): decimal, float or hex text, spaces around."""
    if not isinstance(value, str):
        return None
    match = _LUA_NUMBER.match(value)
    if not match:
        return None
    text = match.group(1)
    if text.lstrip("+-").lower().startswith("0x"):
        number: float = float(int(text, 16))
    else:
        number = float(text)
    return lua_number(number)


def _ip_host_type(host: str) -> str:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "name"
    return "ipv4" if address.version == 4 else "ipv6"


class HeaderList:
    """An ordered list of (name, value) Lua strings: nginx's headers_in / headers_out lists."""

    def __init__(self, items: Sequence[tuple[str, str]] = ()) -> None:
        self.items: list[list[str]] = [[n, v] for n, v in items]

    @staticmethod
    def _same(a: str, b: str) -> bool:
        return a.lower() == b.lower()

    def values(self, name: str) -> list[str]:
        return [v for n, v in self.items if self._same(n, name)]

    def first(self, name: str) -> str | None:
        found = self.values(name)
        return found[0] if found else None

    def remove(self, name: str) -> None:
        self.items = [item for item in self.items if not self._same(item[0], name)]

    def set(self, name: str, values: list[str]) -> None:
        """ngx_lua's set semantics: the first same-name header is replaced in place (keeps its spelling), the
        other ones removed, extra values appended; an empty list clears."""
        if not values:
            self.remove(name)
            return
        first, rest = values[0], values[1:]
        replaced = False
        kept: list[list[str]] = []
        for item in self.items:
            if self._same(item[0], name):
                if not replaced:
                    kept.append([item[0], first])
                    replaced = True
                continue
            kept.append(item)
        if not replaced:
            kept.append([name, first])
        kept.extend([name, v] for v in rest)
        self.items = kept

    def add(self, name: str, value: str) -> None:
        self.items.append([name, value])

    def lua_table(self, max_headers: int = DEFAULT_MAX_HEADERS, *, dash: bool = False) -> dict[str, Any]:
        """``ngx.req.get_headers()``: lower-cased names, lists for repeats, the first ``max`` lines."""
        table: dict[str, Any] = {}
        for index, (name, value) in enumerate(self.items):
            if max_headers > 0 and index >= max_headers:
                break
            key = name.lower().replace("_", "-") if dash else name.lower()
            if key in table:
                existing = table[key]
                if isinstance(existing, list):
                    existing.append(value)
                else:
                    table[key] = [existing, value]
            else:
                table[key] = value
        return table


def lookup_header_table(table: dict[str, Any], name: str) -> Any:
    """``__index`` of ngx.req/resp.get_headers() tables: exact key, then lower-case with ``_`` -> ``-``."""
    if name in table:
        return table[name]
    return table.get(name.lower().replace("_", "-"))


class KongRequest:
    """One request on Kong's side. See the module doc for the lifecycle; every PDK call goes through ``call``.

    Constructor options beyond the brief's:
    ``consumer_groups``: a consumer id's groups, given only when Kong Gateway Enterprise is emulated (the
    default None is Kong OSS: no ``kong.client.*consumer_group*`` functions, see :attr:`enterprise`).
    ``trusted_ips``: Kong's ``trusted_ips`` (CIDRs; "0.0.0.0/0"/"::/0" trust all) for the forwarded getters,
    X-Forwarded-* pass-through and the realip module (``real_ip_header``, default X-Real-IP).
    ``full_kong_headers``: also send what real Kong adds but the recordings' glue does not: ``Via`` and
    ``X-Kong-Request-Id`` upstream, and the header_filter headers to the client (``Via``/``Server``/
    ``X-Kong-*-Latency``/``X-Kong-Request-Id``). Off by default so the model replays the recordings.
    ``upstream_kong_headers``: only the upstream half of that (``None``: same as ``full_kong_headers``), for a
    runner that adds the client-side headers itself.
    ``log_level``: nginx ``error_log`` level (Kong's default ``notice``); lower kong.log calls are dropped.
    ``hostname``, ``nginx_request_id``, ``start_time`` (epoch seconds), ``error_default_type``,
    ``prefix`` (for the body temp-file path in logs).
    """

    def __init__(
        self,
        client: ClientRequest,
        match: RouteMatch,
        *,
        node_id: str,
        request_id: str,
        workspace_id: str,
        client_body_buffer_size: int = 8192,
        max_req_headers: int = DEFAULT_MAX_HEADERS,
        kong_version: tuple[int, int] = (3, 9),
        upstreams: Callable[[str], dict[str, Any] | None] = lambda name: None,
        consumers: Callable[[str, bool], dict[str, Any] | None] = lambda key, by_username: None,
        consumer_groups: Callable[[str], list[dict[str, Any]]] | None = None,
        log: Callable[[str, str], None] = lambda level, line: None,
        trusted_ips: Sequence[str] = (),
        real_ip_header: str = "X-Real-IP",
        real_ip_recursive: bool = False,
        full_kong_headers: bool = False,
        upstream_kong_headers: bool | None = None,
        log_level: str = "notice",
        hostname: str | None = None,
        nginx_request_id: str | None = None,
        start_time: float | None = None,
        error_default_type: str = "text/plain",
        workspace_name: str = "default",
        prefix: str = "/usr/local/kong",
    ) -> None:
        self.client = client
        self.match = match
        self.node_id = node_id
        self.request_id = request_id
        self.workspace_id = workspace_id
        self.workspace_name = workspace_name
        self.client_body_buffer_size = client_body_buffer_size
        self.max_req_headers = max_req_headers
        self.kong_version = kong_version
        self.upstreams = upstreams
        self.consumers = consumers
        self.consumer_groups = consumer_groups
        self._log_sink = log
        self.full_kong_headers = full_kong_headers
        self.upstream_kong_headers = (
            full_kong_headers if upstream_kong_headers is None else upstream_kong_headers
        )
        self.log_level = _LOG_LEVELS.get(log_level, _LOG_LEVELS["notice"])
        self.hostname = hostname if hostname is not None else socket.gethostname()
        self.nginx_request_id = nginx_request_id or request_id or "0" * 32
        self.start_time = start_time if start_time is not None else time.time()
        self.error_default_type = error_default_type
        self.prefix = prefix
        self._trusted = [ipaddress.ip_network(c, strict=False) for c in trusted_ips if _valid_cidr(c)]
        self._phase: str | None = None

        # ---- request (ngx.req / ngx.var)
        self._orig_method = client.method
        self.method = client.method
        self.headers_in = HeaderList(
            (n, to_lua_string(v)) for n, v in client.headers if _valid_header_name(n)
        )
        self._client_headers_snapshot = HeaderList(self.headers_in.items)
        target = client.request_target
        if target is None:
            target = client.raw_path + ("?" + client.raw_query if client.raw_query else "")
        self.request_uri = to_lua_string(target)
        query = target.partition("?")[2]
        self.args: str | None = to_lua_string(query) if query else None
        self.body = client.body
        self._body_in_file = len(client.body) > client_body_buffer_size
        self._body_read = False
        self._body_length_known = (
            self.headers_in.first("content-length") is not None
            or "chunked" in (self.headers_in.first("transfer-encoding") or "").lower()
        )
        self.remote_addr = client.client_ip
        self.remote_port = client.client_port
        self._apply_realip(real_ip_header, real_ip_recursive)
        self.vars: dict[str, str | None] = {
            "upstream_te": "",
            "upstream_via": "",
            "upstream_host": "",
            "upstream_upgrade": "",
            "upstream_connection": "",
            "upstream_scheme": "",
            "upstream_uri": "",
            "upstream_x_forwarded_for": "",
            "upstream_x_forwarded_proto": "",
            "upstream_x_forwarded_host": "",
            "upstream_x_forwarded_port": "",
            "upstream_x_forwarded_path": "",
            "upstream_x_forwarded_prefix": "",
            "kong_proxy_mode": "http",
            "ctx_ref": "",
        }

        # ---- ngx.ctx (what Lua code and kong.nginx.get_ctx see)
        self.ctx: dict[Any, Any] = {
            "KONG_PROCESSING_START": int(self.start_time * 1000),
            "workspace": workspace_id,
        }
        self.ctx_shared: dict[Any, Any] = {}  # kong.ctx.shared (Lua values)
        self.balancer_data: dict[str, Any] | None = None
        self._access_before_done = False
        self._access_after_done = False
        self._proxied = False

        # ---- response (ngx.status / ngx.header)
        self.status = 0
        self.content_type: str | None = None
        self.headers_out = HeaderList()
        self._answered = False  # Kong itself produced the response (exit, error page)
        self._response_body: bytes | None = None
        self._upstream_status: str | None = None
        self._upstream_headers: HeaderList | None = None
        self._upstream_body: bytes | None = None
        self.streamed_body_bytes = 0  # unbuffered: the upstream body bytes sent on (nginx's $bytes_sent)
        self._service_response_set = False
        self._header_filter_done = False
        self._chunked = False
        self.saved: dict[str, Any] | None = None  # the log-phase snapshot (plugin.lua build_phases)

    # ================================================================================ runner-facing API

    @property
    def phase(self) -> str | None:
        return self._phase

    @phase.setter
    def phase(self, value: str) -> None:
        """Set the phase Kong is in. ``access`` first runs Kong's router side effects (runloop
        access.before); ``response`` and ``log`` first finish access (access.after) if not done; ``log`` takes
        the snapshot."""
        if value not in RUNNER_PHASES:
            raise ValueError(f"unknown phase {value!r}")
        if value == "access" and not self._answered:
            self._access_before()
        elif value == "response":
            self._access_after()
        elif value == "log" and self.saved is None:
            self.start_log_phase()
        self._phase = value
        self.ctx["KONG_PHASE"] = PHASE_BITS[value]

    @property
    def answered(self) -> bool:
        """Kong produced the response itself (exit, error, failed plugin, no peer): no upstream call."""
        return self._answered

    @property
    def consumer(self) -> dict[str, Any] | None:
        """The authenticated consumer (``ngx.ctx.authenticated_consumer``) as plain Python."""
        value = self.ctx.get("authenticated_consumer")
        return to_wire(value) if isinstance(value, (dict, list)) else None

    @property
    def credential(self) -> dict[str, Any] | None:
        value = self.ctx.get("authenticated_credential")
        return to_wire(value) if isinstance(value, (dict, list)) else None

    def set_authenticated(self, consumer: dict[str, Any] | None, credential: dict[str, Any] | None) -> None:
        """What ``kong.client.authenticate`` does, for emulated Lua auth plugins."""
        self._store_ctx("authenticated_consumer", from_wire(consumer) if consumer is not None else None)
        self._store_ctx("authenticated_credential", from_wire(credential) if credential is not None else None)

    def enable_buffering(self) -> None:
        """``ngx.ctx.buffered_proxying = true``: a collected plugin has a response handler."""
        self.ctx["buffered_proxying"] = True

    @property
    def buffered(self) -> bool:
        """Whether Kong proxies with buffering (after Kong.access turned it off for upgrades)."""
        if not self.ctx.get("buffered_proxying"):
            return False
        if self.vars.get("upstream_upgrade"):
            return False
        return not (self.kong_version < (3, 9) and self.client.http_version >= 2)

    def log(self, level: str, line: str) -> None:
        """A line in Kong's error.log (``level``: debug/info/notice/warn/err(or)/crit/alert/emerg)."""
        level = "error" if level == "err" else level
        if _LOG_LEVELS.get(level, 0) <= self.log_level:
            self._log_sink(level, line)

    def call(self, plugin: PluginRef, method: str, args: Any) -> PdkOutcome:
        """Answer one PDK call as Kong's ``bridge_loop`` does (see ``PdkOutcome``)."""
        from harness import pdk_dispatch

        return pdk_dispatch.dispatch(self, plugin, method, args)

    def upstream_request(self) -> UpstreamRequest | None:
        """Finish access (access.after: args, balancer, Host) and describe the proxied request.
        ``None`` when Kong answered itself (exit/error/failure, no Service, no peer)."""
        self._access_after()
        if self._answered or self.balancer_data is None:
            return None
        data = self.balancer_data
        uri = self.vars.get("upstream_uri") or "/"
        return UpstreamRequest(
            method=self.method,
            scheme=self.vars.get("upstream_scheme") or "http",
            host=str(data.get("ip") or data.get("host")),
            port=int(data.get("port") or 80),
            target=uri,
            headers=[(n, lua_string_bytes(v)) for n, v in self._upstream_headers_list()],
            body=self.body,
            retries=int(data.get("retries", 5)),
            connect_timeout=int(data.get("connect_timeout", 60000)),
            write_timeout=int(data.get("send_timeout", 60000)),
            read_timeout=int(data.get("read_timeout", 60000)),
            upstream=data.get("upstream_name"),
        )

    def set_service_response(
        self, status: int, headers: Sequence[tuple[str, bytes | str]], body: bytes | None
    ) -> None:
        """The upstream's answer. Buffered (``body`` given and buffering on): Kong.response takes it into
        ``ctx.buffered_*`` and copies status/headers with kong.response.set_status/set_headers; the response
        phase may follow. Otherwise nginx passes it through (``body None``: the runner streams it)."""
        self._access_after()
        upstream = HeaderList((n, to_lua_string(v)) for n, v in headers)
        self._upstream_headers = upstream
        self._upstream_status = str(status)
        self._service_response_set = True
        self.ctx["KONG_PROXIED"] = True
        if self.buffered:
            body = body if body is not None else b""
            self.ctx["buffered_status"] = status
            self.ctx["buffered_body"] = to_lua_string(body)
            self.ctx["buffered_headers"] = _capture_header_table(upstream)
            self._upstream_body = body
            self.status = status
            for name, value in self.ctx["buffered_headers"].items():
                if name.lower() == "transfer-encoding":
                    continue
                self.set_response_header(name, normalize_multi_header(value))
            self._phase = "response"
            self.ctx["KONG_PHASE"] = PHASE_BITS["response"]
            return
        self.status = status
        self._upstream_body = body
        for name, value in upstream.items:
            lowered = name.lower()
            if lowered in _HOP_BY_HOP_RESPONSE:
                continue
            if lowered == "content-type":
                self.content_type = header_safe(value)
                continue
            self.headers_out.add(name, value)

    def upstream_failed(self, status: int = 502) -> None:
        """The upstream could not be reached or answered badly: nginx's error page (error_handlers.lua)."""
        if self._answered:
            return
        self.status = status
        self._error_page(status)

    def fail(
        self, phase: str | None = None, error: str | None = None, plugin: PluginRef | None = None
    ) -> None:
        """A plugin failed with a thrown Lua error (or its instance could not start) in ``phase``:

        access: ``kong.log.err`` then ``kong.response.error(500)`` (Accept-negotiated template, headers set so
        far kept; later access plugins skipped); rewrite/response: nginx 500 -> kong/error_handlers.lua
        (Accept, else request Content-Type, else text/plain); log: only logged."""
        phase = phase or self._phase or "access"
        if error is not None:
            if phase == "access":
                name = f" [{plugin.name}]" if plugin else ""
                self.log("error", f"[kong] init.lua:406{name} {error}")
            else:
                self.log("error", f"lua entry thread aborted: runtime error: {error}")
        if phase == "log" or self._answered:
            return
        self.ctx["KONG_UNEXPECTED"] = True
        if phase == "access":
            self.ctx.pop("buffered_proxying", None)  # flush_delayed_response
            self._flush_kong_error(500, kong_templates.http_error_message(500), None)
        else:
            self.status = 500
            self._error_page(500)

    def response_head(self) -> tuple[int, list[tuple[str, bytes]]]:
        """Status and headers the client gets (nginx adds Date/Server/Connection and the framing itself;
        ``Content-Length`` is listed when Kong or the upstream set it)."""
        self._header_filter()
        headers: list[tuple[str, bytes]] = []
        if self.content_type is not None:
            headers.append(("Content-Type", lua_string_bytes(self.content_type)))
        headers.extend((n, lua_string_bytes(v)) for n, v in self.headers_out.items)
        return self.status, headers

    def response_body(self) -> bytes | None:
        """Kong's body (exit/error), the buffered upstream body, or ``None`` to stream the upstream's."""
        self._header_filter()
        if self._no_body_status() or self.client.method == "HEAD":
            return b""
        if self._answered:
            return self._response_body if self._response_body is not None else b""
        return self._upstream_body

    def start_log_phase(self) -> None:
        """Take Kong's log snapshot (plugin.lua build_phases): later calls in phase ``log`` answer from it and
        run as in an ``ngx.timer`` (ngx.var/ngx.req based functions raise "API disabled ...")."""
        if self.saved is not None:
            return
        self._header_filter()
        self.ctx["KONG_PHASE"] = PHASE_BITS["log"]
        serialized = self._serialize_table()
        self.saved = {
            "serialize_data": serialized,
            "ngx_ctx": dict(self.ctx),
            "ctx_shared": self.ctx_shared,
            "request_headers": self.headers_in.lua_table(self.max_req_headers),
            "response_headers": self.resp_get_headers(),
            "response_status": self.status,
            "req_start_time": self.start_time,
        }
        self._phase = "log"

    def serialize(self) -> dict[str, Any]:
        """``kong.log.serialize()`` as plain Python (the JSON an external plugin gets, decoded)."""
        table = self.saved["serialize_data"] if self.saved is not None else self._serialize_table()
        return to_wire(table)

    def serialize_json(self) -> str:
        """The exact JSON string ``kong.log.serialize`` gives an external plugin (cjson, '/' escaped)."""
        table = self.saved["serialize_data"] if self.saved is not None else self._serialize_table()
        return cjson_encode(table)

    # ================================================================================ request state helpers

    @property
    def enterprise(self) -> bool:
        """Kong Gateway Enterprise is emulated (its PDK has the consumer group functions Kong OSS lacks)."""
        return self.consumer_groups is not None

    def in_log_timer(self) -> bool:
        return self._phase == "log" and self.saved is not None

    def ngx_api(self, location: str | None) -> None:
        """Accessing ngx.var/ngx.req/ngx.resp from the log timer's fake request raises."""
        if self.in_log_timer():
            raise LuaError(f"{location}: {API_DISABLED}" if location else API_DISABLED)

    def current_phase_bit(self) -> int:
        return int(self.ctx.get("KONG_PHASE") or PHASE_BITS.get(self._phase or "rewrite", 0))

    def check_phase(self, accepted: int, location: str = MP_RPC) -> None:
        """kong/pdk/private/phases.lua ``check_phase`` (error level 3: the PDK function's caller)."""
        current = self.current_phase_bit()
        if current & accepted:
            return
        name = _BIT_NAMES.get(current, "'unknown phase'")
        raise LuaError(
            f"{location}: function cannot be called in {name} phase (only in: {phase_names(accepted)})"
        )

    def is_trusted(self, ip: Any) -> bool:
        if not self._trusted or not isinstance(ip, str):
            return False
        try:
            address = ipaddress.ip_address(ip.strip("[]"))
        except ValueError:
            return False
        return any(address in net for net in self._trusted)

    def http_header(self, name: str) -> str | None:
        """kong/tools/http.lua ``get_header(name)``: ``$http_<name>`` (repeats joined), the first value if
        that holds ", " (via ngx.req.get_headers)."""
        wanted = name.lower().replace("-", "_")
        matches = [v for n, v in self.headers_in.items if n.lower().replace("-", "_") == wanted]
        if not matches:
            return None
        joined = "; ".join(matches) if wanted == "cookie" else ", ".join(matches)
        if ", " not in joined:
            return joined
        value = lookup_header_table(self.headers_in.lua_table(), name)
        if isinstance(value, list):
            return value[0]
        return value

    def request_header_table(
        self, max_headers: int | None = None, plugin: PluginRef | None = None
    ) -> dict[str, Any]:
        """``ngx.req.get_headers(max)`` as Kong 3.x patches it (kong/globalpatches.lua): the default is
        kong.conf ``lua_max_req_headers``, and a truncated table logs a notice (the "truncated" second return
        value never reaches an external plugin: mp_rpc keeps the first one). The log snapshot and
        ``serialize`` read the same table without the notice (Kong logs it there too, once per log plugin)."""
        limit = self.max_req_headers if max_headers is None else max_headers
        if len(self.headers_in.items) > limit:
            self.kong_log(plugin, "notice", "request headers truncated", "globalpatches.lua:147")
        return self.headers_in.lua_table(limit)

    def set_request_header(self, name: str, values: list[str]) -> None:
        """``ngx.req.set_header`` (values already normalized by the caller)."""
        self.headers_in.set(header_safe(name), [header_safe(v) for v in values])

    def host(self) -> str:
        """nginx ``$host``: the Host header's host part, lower-cased, else the server name."""
        raw = self._client_headers_snapshot.first("host")
        if not raw:
            return "kong"
        raw = raw.strip()
        if raw.startswith("["):
            end = raw.find("]")
            return raw[: end + 1].lower() if end > 0 else raw.lower()
        return raw.split(":", 1)[0].lower()

    def raw_path(self) -> str:
        uri = self.request_uri
        index = uri.find("?", 1)
        return uri[:index] if index >= 0 else uri

    def read_body(self) -> None:
        """``ngx.req.read_body``: the first read logs nginx's temp-file warning for large bodies."""
        if self._body_read:
            return
        self._body_read = True
        if self._body_in_file:
            self.log(
                "warn",
                f"a client request body is buffered to a temporary file "
                f"{self.prefix}/client_body_temp/0000000001",
            )

    def body_in_memory(self) -> str | None:
        """``ngx.req.get_body_data()``: the body when in memory, ``None`` when in a file or absent."""
        if self._body_in_file or not self.body:
            return None
        return to_lua_string(self.body)

    def set_body_data(self, body: str) -> None:
        """``ngx.req.set_body_data``: in memory, Content-Length updated."""
        raw = lua_string_bytes(body)
        self.body = raw
        self._body_in_file = False
        self._body_read = True
        self._body_length_known = True
        self.headers_in.set("Content-Length", [str(len(raw))])

    def uri_args_table(self, max_args: float = DEFAULT_MAX_ARGS) -> dict[str, Any]:
        """``ngx.req.get_uri_args(max)`` on ``$args`` (or, after a failure, on the original request line)."""
        if self.ctx.get("KONG_UNEXPECTED") and self.client.http_version < 2:
            query = self.request_uri.partition("?")[2] if "?" in self.request_uri else None
            if query is None:
                return {}
            return decode_args(query, _int_max(max_args))[0]
        return decode_args(self.args or "", _int_max(max_args))[0]

    def current_method(self) -> str:
        if self.ctx.get("KONG_UNEXPECTED") and self.client.http_version < 2:
            return self._orig_method
        return self.method

    # ================================================================================ response helpers

    def set_response_header(self, name: str, values: list[str]) -> None:
        """``ngx.header[name] = value``: underscores become dashes; Content-Type is a single built-in."""
        name = header_safe(name.replace("_", "-"))
        values = [header_safe(v) for v in values]
        if name.lower() == "content-type":
            self.content_type = values[-1] if values else None
            return
        self.headers_out.set(name, values)

    def add_response_header(self, name: str, values: list[str]) -> None:
        """``ngx.resp.add_header``."""
        name = header_safe(name.replace("_", "-"))
        if name.lower() == "content-type":
            if values:
                self.content_type = header_safe(values[-1])
            return
        for value in values:
            self.headers_out.add(name, header_safe(value))

    def clear_response_header(self, name: str) -> None:
        self.set_response_header(name, [])

    def keepalive(self) -> bool:
        tokens = token_list(self._client_headers_snapshot.first("connection") or "")
        if self.client.http_version >= 1.1:
            return "close" not in tokens
        return "keep-alive" in tokens

    def resp_get_headers(self, max_headers: int = DEFAULT_MAX_HEADERS) -> dict[str, Any]:
        """``ngx.resp.get_headers()``: built-ins (content-type, connection, transfer-encoding once chunked)
        then the header list, lower-cased names, repeats as lists."""
        table: dict[str, Any] = {}
        if self.content_type is not None:
            table["content-type"] = self.content_type
        table["connection"] = (
            "upgrade" if self.status == 101 else ("keep-alive" if self.keepalive() else "close")
        )
        if self._chunked:
            table["transfer-encoding"] = "chunked"
        extra = self.headers_out.lua_table(max_headers)
        for key, value in extra.items():
            if key in table:
                existing = table[key]
                merged = existing if isinstance(existing, list) else [existing]
                merged.extend(value if isinstance(value, list) else [value])
                table[key] = merged
            else:
                table[key] = value
        return table

    def response_source(self, ctx: dict[Any, Any] | None = None) -> str:
        """``kong.response.get_source``."""
        ctx = ctx if ctx is not None else self.ctx
        if ctx.get("KONG_UNEXPECTED"):
            return "error"
        if ctx.get("KONG_EXITED"):
            return "exit"
        if ctx.get("KONG_PROXIED"):
            return "service"
        return "error"

    def send(
        self,
        status: int,
        body: Any,
        headers: Any,
        *,
        warn_location: str = "response.lua:667",
        plugin: PluginRef | None = None,
    ) -> None:
        """pdk/response.lua ``send``: status, headers over current ones, JSON for tables, Content-Length."""
        self.status = status
        has_content_type = False
        has_content_length = False
        if headers is not None:
            for name, value in _table_pairs(headers):
                lowered = name.lower()
                if lowered in ("transfer-encoding", "transfer_encoding"):
                    self.kong_log(
                        plugin, "warn", "manually setting Transfer-Encoding. Ignored.", warn_location
                    )
                else:
                    self.set_response_header(name, normalize_multi_header(value))
                if lowered in ("content-type", "content_type"):
                    has_content_type = True
                elif lowered in ("content-length", "content_length"):
                    has_content_length = True
        payload: str | None = None
        if is_table(body):
            try:
                payload = cjson_encode(body)
            except ValueError as exc:
                raise LuaError(f"{MP_RPC}: body encoding failed while flushing response: {exc}") from None
            if not has_content_type:
                self.set_response_header("Content-Type", ["application/json; charset=utf-8"])
        elif body is not None:
            payload = body
        if not has_content_length:
            length = len(lua_string_bytes(payload)) if payload is not None else 0
            self.set_response_header("Content-Length", [str(length)])
        self._response_body = lua_string_bytes(payload) if payload is not None else b""
        self._answered = True

    def kong_error_body(self, status: int, message: Any, headers: Any) -> tuple[str | None, dict[Any, Any]]:
        """``kong.response.error``'s body and headers (Content-Type negotiated from Accept)."""
        headers = (
            dict(headers)
            if isinstance(headers, dict)
            else ({i + 1: v for i, v in enumerate(headers)} if isinstance(headers, list) else {})
        )
        content_type_header = headers.get("Content-Type")
        if isinstance(content_type_header, list):
            content_type = content_type_header[0] if content_type_header else None
        else:
            content_type = content_type_header
        if content_type_header is None:
            accept = lookup_header_table(self.headers_in.lua_table(), "Accept")
            content_type = kong_templates.get_response_type(accept)
        headers["Content-Type"] = content_type
        body: str | None = None
        if content_type != kong_templates.MIME_GRPC:
            actual = message if message is not None else kong_templates.http_error_message(status)
            template = kong_templates.error_template(content_type) if isinstance(content_type, str) else None
            if template is None:
                raise LuaError(
                    "kong/pdk/response.lua:1160: bad argument #1 to 'format' (string expected, got nil)"
                )
            body = template.format(message=actual, rid=self.request_id)
        return body, headers

    def _flush_kong_error(self, status: int, message: str, headers: Any) -> None:
        body, headers = self.kong_error_body(status, message, headers)
        self.ctx["KONG_EXITED"] = True
        self.send(status, body, headers)

    def error_page_parts(self, status: int) -> tuple[int, list[tuple[str, bytes]], bytes]:
        """What kong/error_handlers.lua answers for ``status``, as a response (status, headers, body), without
        answering: with buffered proxying the ``/kong_buffered_http`` subrequest gets this page from a failed
        upstream, and Kong.response hands it to the response plugins (kong/init.lua)."""
        accept = self.http_header("Accept") or self.http_header("Content-Type") or self.error_default_type
        mime = kong_templates.get_response_type(accept)
        body = kong_templates.render_error(mime, kong_templates.error_page_message(status), self.request_id)
        return status, [("Content-Type", mime.encode())], body.encode()

    def _error_page(self, status: int) -> None:
        """kong/error_handlers.lua after an nginx error (phase error, KONG_UNEXPECTED)."""
        self.ctx["KONG_PHASE"] = PHASE_BITS["error"]
        self.ctx["KONG_UNEXPECTED"] = True
        accept = self.http_header("Accept")
        if accept is None:
            accept = self.http_header("Content-Type")
            if accept is None:
                accept = self.error_default_type
        message = kong_templates.error_page_message(status)
        if status == 494:
            status = 400
        headers: dict[str, Any] | None
        body: Any
        if accept.startswith("application/grpc"):
            body = {"message": message}
            headers = None
        else:
            mime = kong_templates.get_response_type(accept)
            body = kong_templates.render_error(mime, message, self.request_id)
            headers = {"Content-Type": mime}
        self.ctx.pop("buffered_proxying", None)
        self.ctx["KONG_EXITED"] = True
        self.send(status, body, headers)

    def kong_log(
        self, plugin: PluginRef | None, level: str, message: str, location: str = "mp_rpc.lua:127"
    ) -> None:
        name = f" [{plugin.name}]" if plugin is not None else ""
        self.log(level, f"[kong] {location}{name} {message}")

    def _no_body_status(self) -> bool:
        return self.status in (204, 304) or 100 <= self.status < 200

    # ================================================================================ Kong runloop

    def _apply_realip(self, header_name: str, recursive: bool = False) -> None:
        """nginx realip (``set_real_ip_from`` = trusted_ips): a trusted peer may set ``$remote_addr``.

        ``X-Forwarded-For`` is read as ngx_http_get_forwarded_addr does: every line of it, from the right;
        the last address, or with ``real_ip_recursive`` the last one that is not itself trusted. Another
        header: its first line, which must be one address (an optional port is dropped)."""
        self.realip_remote_addr = self.remote_addr
        self.realip_remote_port = self.remote_port
        if not self._trusted or not self.is_trusted(self.remote_addr):
            return
        if header_name.lower() == "x-forwarded-for":
            lines = [value for name, value in self.headers_in.items if name.lower() == "x-forwarded-for"]
            found = None
            for item in reversed(",".join(lines).split(",")):
                address = _forwarded_address(item.strip(" "))
                if address is None:
                    break
                found = address
                if not recursive or not self.is_trusted(address):
                    break
            if found is not None:
                self.remote_addr = found
            return
        value = self.headers_in.first(header_name)
        address = _forwarded_address(value.strip(" ")) if value else None
        if address is not None:
            self.remote_addr = address

    def _store_ctx(self, key: str, value: Any) -> None:
        if value is None:
            self.ctx.pop(key, None)
        else:
            self.ctx[key] = value

    def _access_before(self) -> None:
        """runloop/handler.lua access.before after a match: X-Forwarded-*, $upstream_*, balancer data."""
        if self._access_before_done:
            return
        self._access_before_done = True
        route = from_wire(self.match.route) if self.match.route else {}
        service = from_wire(self.match.service) if self.match.service else None
        self.ctx["scheme"] = self.client.scheme
        self.ctx["request_uri"] = self.request_uri
        self.ctx["workspace"] = (route.get("ws_id") if isinstance(route, dict) else None) or self.workspace_id
        cached = HeaderList(self.headers_in.items)
        self._access_headers = cached

        def cached_header(name: str) -> str | None:
            value = lookup_header_table(cached.lua_table(), name)
            return value[0] if isinstance(value, list) else value

        host = self.host()
        port = self.client.server_port
        trusted = self.is_trusted(self.realip_remote_addr)
        if trusted:
            forwarded_proto = cached_header("x_forwarded_proto") or self.client.scheme
            forwarded_host = cached_header("x_forwarded_host") or host
            forwarded_port: Any = cached_header("x_forwarded_port") or port
            forwarded_path = cached_header("x_forwarded_path")
            forwarded_prefix = cached_header("x_forwarded_prefix")
        else:
            forwarded_proto, forwarded_host, forwarded_port = self.client.scheme, host, port
            forwarded_path = forwarded_prefix = None
        if forwarded_path is None:
            forwarded_path = self.raw_path()
        if forwarded_prefix is None and self.match.prefix is not None and self.match.prefix != "/":
            forwarded_prefix = self.match.prefix

        service_host = str(service.get("host", "")) if isinstance(service, dict) else ""
        service_port = service.get("port") if isinstance(service, dict) else None
        protocol = str(service.get("protocol", "http")) if isinstance(service, dict) else "http"
        if service_port is None:
            service_port = 443 if protocol in ("https", "grpcs") else 80
        self.balancer_data = {
            "scheme": protocol,
            "type": _ip_host_type(service_host),
            "host": service_host,
            "port": service_port,
            "try_count": 0,
            "retries": service.get("retries", 5) if isinstance(service, dict) else 5,
            "connect_timeout": service.get("connect_timeout", 60000) if isinstance(service, dict) else 60000,
            "send_timeout": service.get("write_timeout", 60000) if isinstance(service, dict) else 60000,
            "read_timeout": service.get("read_timeout", 60000) if isinstance(service, dict) else 60000,
            "tries": [],
        }
        if service is not None:
            self.ctx["service"] = service
        self.ctx["route"] = route
        captures = _captures_table(self.match.uri_captures)
        self.ctx["router_matches"] = {"uri_captures": captures} if captures is not None else {}
        self.vars["upstream_scheme"] = protocol
        self.vars["upstream_uri"] = kong_escape(to_lua_string(self.match.upstream_path))
        if isinstance(route, dict) and route.get("preserve_host"):
            self.vars["upstream_host"] = cached_header("host") or ""
        upgrade = cached_header("upgrade")
        if upgrade and upgrade.lower() == "websocket":
            self.vars["upstream_connection"] = "keep-alive, Upgrade"
            self.vars["upstream_upgrade"] = "websocket"
        else:
            self.vars["upstream_connection"] = "keep-alive"
        xff = cached_header("x_forwarded_for")
        self.vars["upstream_x_forwarded_for"] = (
            f"{xff}, {self.realip_remote_addr}" if xff else self.remote_addr
        )
        self.vars["upstream_x_forwarded_proto"] = forwarded_proto
        self.vars["upstream_x_forwarded_host"] = forwarded_host
        self.vars["upstream_x_forwarded_port"] = lua_tostring(forwarded_port)
        self.vars["upstream_x_forwarded_path"] = forwarded_path
        self.vars["upstream_x_forwarded_prefix"] = forwarded_prefix
        if self.upstream_kong_headers:
            req_via = cached_header("via")
            inbound = f"{lua_tostring(self.client.http_version)} {SERVER_HEADER}"
            self.vars["upstream_via"] = f"{req_via}, {inbound}" if req_via else inbound

    def _access_after(self) -> None:
        """Kong.access after the plugins: no Service -> 503; runloop access.after (args, balancer, Host,
        hop-by-hop headers, TE); KONG_PROXIED; buffering off for upgrades."""
        if self._access_after_done or self._answered:
            return
        if not self._access_before_done:
            self._access_before()
        self._access_after_done = True
        self.read_body()  # proxy_request_buffering: nginx reads the whole body before proxying
        if self.balancer_data is None or "service" not in self.ctx:
            self.ctx.pop("buffered_proxying", None)
            self._flush_kong_error(503, "no Service found with those values", None)
            return
        if self.request_uri.endswith("?") or self.args:
            self.vars["upstream_uri"] = f"{self.vars.get('upstream_uri') or ''}?{self.args or ''}"
        data = self.balancer_data
        data["scheme"] = self.vars.get("upstream_scheme")
        upstream_host = self.vars.get("upstream_host") or ""
        if upstream_host:
            data["preserve_host"] = True
        failure = self._balance(data)
        if failure is not None:
            self._flush_kong_error(failure[0], failure[1], None)
            return
        if not data.get("preserve_host"):
            new_host = str(data.get("hostname"))
            port = data.get("port")
            scheme = self.vars.get("upstream_scheme")
            if (
                port not in (80, 443)
                or (port == 80 and scheme not in ("http", "grpc"))
                or (port == 443 and scheme not in ("https", "grpcs"))
            ):
                new_host = f"{new_host}:{lua_tostring(port)}"
            self.vars["upstream_host"] = new_host
        connection = (self._access_headers.first("connection") or "").strip()
        if connection and connection.lower() not in ("keep-alive", "close", "upgrade"):
            for name in token_list(connection):
                if name == "upgrade" and self.vars.get("upstream_connection") != "keep-alive":
                    continue
                self.headers_in.remove(name)
        te = self._access_headers.first("te")
        if te and (te == "trailers" or "trailers" in token_list(te)):
            self.vars["upstream_te"] = "trailers"
        now = int(time.time() * 1000)
        data["tries"].append(
            {
                "balancer_start": now,
                "balancer_start_ns": now * 1_000_000,
                "ip": data.get("ip"),
                "port": data.get("port"),
                "balancer_latency": 0,
                "balancer_latency_ns": 0,
            }
        )
        self.ctx["KONG_PROXIED"] = True
        self._proxied = True
        if self.ctx.get("buffered_proxying") and self.vars.get("upstream_upgrade"):
            self.log(
                "notice",
                f"response buffering was turned off: connection upgrade "
                f"({self.vars.get('upstream_upgrade')})",
            )
            self.ctx.pop("buffered_proxying", None)

    def _balance(self, data: dict[str, Any]) -> tuple[int, str] | None:
        """runloop/balancer ``execute``: an Upstream's targets (weighted round robin), else the host."""
        if data.get("type") != "name":
            data["ip"] = data["host"]
            data["port"] = data.get("port") or 80
            data["hostname"] = data["host"]
            return None
        upstream = self.upstreams(str(data["host"]))
        if upstream is None:
            data["ip"] = data["host"]
            data["hostname"] = data["host"]
            return None
        targets = [t for t in upstream.get("targets") or [] if (t.get("weight") or 0) > 0]
        if not targets:
            return 503, "failure to get a peer from the ring-balancer"
        weights = [int(t.get("weight") or 0) for t in targets]
        divisor = math.gcd(*weights)
        ring = [t for t, w in zip(targets, weights, strict=True) for _ in range(w // divisor)]
        key = str(upstream.get("id") or upstream.get("name"))
        counter = _balancer_counters.setdefault(key, itertools.count())
        chosen = ring[next(counter) % len(ring)]
        host, port = _split_target(str(chosen.get("target", "")))
        data["ip"] = host
        data["port"] = port
        data["upstream_name"] = upstream.get("name")
        host_header = upstream.get("host_header")
        data["hostname"] = host_header if host_header else host
        return None

    def _upstream_headers_list(self) -> list[tuple[str, str]]:
        """nginx_kong.lua ``proxy_set_header`` (non-empty ones, in order), nginx's own Content-Length, then
        the client's headers not replaced by those (current values after plugins)."""
        out: list[tuple[str, str]] = []
        v = self.vars
        for name, value in (
            ("TE", v.get("upstream_te")),
            ("Via", v.get("upstream_via")),
            ("Host", v.get("upstream_host")),
            ("Upgrade", v.get("upstream_upgrade")),
            ("Connection", v.get("upstream_connection")),
            ("X-Forwarded-For", v.get("upstream_x_forwarded_for")),
            ("X-Forwarded-Proto", v.get("upstream_x_forwarded_proto")),
            ("X-Forwarded-Host", v.get("upstream_x_forwarded_host")),
            ("X-Forwarded-Port", v.get("upstream_x_forwarded_port")),
            ("X-Forwarded-Path", v.get("upstream_x_forwarded_path")),
            ("X-Forwarded-Prefix", v.get("upstream_x_forwarded_prefix")),
            ("X-Real-IP", self.remote_addr),
        ):
            if value:
                out.append((name, value))
        skipped = set(_PROXY_SET_NAMES) | set(_PROXY_DEFAULT_NAMES)
        if self.upstream_kong_headers:
            skipped.add("x-kong-request-id")
            if self.request_id:
                out.append(("X-Kong-Request-Id", self.request_id))
        if self._body_length_known or self.body:
            out.append(("Content-Length", str(len(self.body))))
        out.extend((n, val) for n, val in self.headers_in.items if n.lower() not in skipped)
        return out

    def _header_filter(self) -> None:
        """What nginx/Kong's header_filter does once before sending: upstream hop-by-hop headers, 204 rules,
        chunked framing, Kong's own headers when ``full_kong_headers``."""
        if self._header_filter_done:
            return
        self._header_filter_done = True
        if self.ctx.get("KONG_PROXIED") and self._upstream_headers is not None:
            connection = self._upstream_headers.first("connection") or ""
            if connection.lower() not in ("keep-alive", "close", "upgrade", ""):
                for name in token_list(connection):
                    if name not in ("close", "upgrade", "keep-alive"):
                        self.clear_response_header(name)
            upgrade = self._upstream_headers.first("upgrade")
            if upgrade and upgrade.lower() != (self.vars.get("upstream_upgrade") or "").lower():
                self.clear_response_header("Upgrade")
            if not self.vars.get("upstream_te") and self._upstream_headers.first("trailer") is not None:
                self.clear_response_header("Trailer")
        if self.full_kong_headers:
            if self.ctx.get("KONG_PROXIED"):
                self.set_response_header("X-Kong-Upstream-Latency", ["0"])
                self.set_response_header("X-Kong-Proxy-Latency", ["0"])
                self.set_response_header("Via", [f"1.1 {SERVER_HEADER}"])
                if self.headers_out.first("server") is None:
                    self.set_response_header("Server", [SERVER_HEADER])
            else:
                self.set_response_header("X-Kong-Response-Latency", ["0"])
                self.set_response_header("Server", [SERVER_HEADER])
            if self.request_id:
                self.set_response_header("X-Kong-Request-Id", [self.request_id])
        if self.status == 204:
            self.content_type = None
            self.headers_out.remove("content-length")
        has_length = self.headers_out.first("content-length") is not None
        self._chunked = (
            not has_length
            and not self._no_body_status()
            and self.client.method != "HEAD"
            and self.client.http_version >= 1.1
            and self.status != 0
        )

    # ================================================================================ kong.log.serialize

    def _serialize_table(self) -> dict[str, Any]:
        """pdk/log.lua ``serialize`` (http) as a Lua table."""
        ctx = self.ctx
        request_uri = ctx.get("request_uri") or self.request_uri
        upstream_uri = self.vars.get("upstream_uri") or ""
        if upstream_uri and "?" not in upstream_uri:
            if request_uri.endswith("?"):
                upstream_uri += "?"
            elif self.args:
                upstream_uri += "?" + self.args
        request_headers = self.headers_in.lua_table(self.max_req_headers)
        if request_headers.get("authorization") is not None:
            request_headers["authorization"] = "REDACTED"
        if request_headers.get("proxy-authorization") is not None:
            request_headers["proxy-authorization"] = "REDACTED"
        url = f"{self.client.scheme}://{self.host()}:{self.client.server_port}{request_uri}"
        if self._upstream_status is not None and not self.ctx.get("buffered_status"):
            upstream_status: Any = self._upstream_status
        else:
            upstream_status = ctx.get("buffered_status") or ""
        root: dict[str, Any] = {
            "request": {
                "id": self.request_id,
                "uri": request_uri,
                "url": url,
                "querystring": self.uri_args_table(),
                "method": self.current_method(),
                "headers": request_headers,
                "size": self._request_length(),
            },
            "upstream_uri": upstream_uri,
            "upstream_status": upstream_status,
            "response": {
                "status": self.status,
                "headers": self.resp_get_headers(),
                "size": self._bytes_sent(),
            },
            "latencies": {
                "kong": 0,
                "proxy": 0 if ctx.get("KONG_PROXIED") and not self._answered else -1,
                "request": 0,
                "receive": 0,
            },
            "client_ip": self.remote_addr,
            "started_at": ctx.get("KONG_PROCESSING_START"),
            "source": {"error": "kong", "exit": "kong", "service": "upstream"}[self.response_source()],
            "workspace": ctx.get("workspace"),
            "workspace_name": self.workspace_name,
        }
        if self.balancer_data is not None and self.balancer_data.get("tries"):
            root["tries"] = LuaArray(dict(t) for t in self.balancer_data["tries"])
        credential = ctx.get("authenticated_credential")
        if isinstance(credential, dict):
            consumer_id = credential.get("consumer_id")
            if consumer_id is None and isinstance(ctx.get("authenticate_consumer"), dict):
                consumer_id = ctx["authenticate_consumer"].get("id")  # sic: Kong 3.9 reads this (typo) key
            entity = {"id": credential.get("id")}
            if consumer_id is not None:
                entity["consumer_id"] = consumer_id
            root["authenticated_entity"] = {k: v for k, v in entity.items() if v is not None}
        for key, source in (
            ("route", "route"),
            ("service", "service"),
            ("consumer", "authenticated_consumer"),
        ):
            if ctx.get(source) is not None:
                root[key] = _deep_copy(ctx[source])
        for item in ctx.get("serialize_values") or []:
            _edit_serialize(root, item, self)
        return root

    def _request_length(self) -> int:
        line = f"{self._orig_method} {self.request_uri} HTTP/{lua_tostring(self.client.http_version)}\r\n"
        size = len(lua_string_bytes(line)) + 2
        for name, value in self.client.headers:
            size += len(name) + 2 + len(value) + 2
        return size + len(self.client.body)

    def _bytes_sent(self) -> int:
        status, headers = self.status, []
        if self.content_type is not None:
            headers.append(("Content-Type", self.content_type))
        headers.extend((n, v) for n, v in self.headers_out.items)
        size = len(f"HTTP/1.1 {status} \r\n") + 2
        for name, value in headers:
            size += len(name) + 2 + len(lua_string_bytes(value)) + 2
        body = self.response_body()
        return size + (len(body) if body else self.streamed_body_bytes)


# ================================================================================================ helpers

_LOG_LEVELS = {
    "emerg": 1,
    "alert": 2,
    "crit": 3,
    "error": 4,
    "err": 4,
    "warn": 5,
    "notice": 6,
    "info": 7,
    "debug": 8,
}


def _valid_cidr(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _forwarded_address(text: str) -> str | None:
    """ngx_parse_addr_port: ``1.2.3.4``, ``1.2.3.4:80``, ``::1``, ``[::1]:80`` → the address, else None."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            return None
        text = host
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
        if not port.isdigit():
            return None
        text = host
    return str(ipaddress.ip_address(text)) if _valid_ip(text) else None


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _int_max(value: float) -> int:
    if isinstance(value, float) and not value.is_integer():
        return 0  # ``++count == max`` never holds: no limit
    return int(value)


def _split_target(target: str) -> tuple[str, int]:
    """A Target's ``host:port`` (default port 8000, Kong's target default)."""
    if target.startswith("["):
        end = target.find("]")
        host = target[: end + 1]
        rest = target[end + 1 :]
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else 8000
    host, _, port = target.rpartition(":")
    if host and port.isdigit():
        return host, int(port)
    return target, 8000


def _captures_table(captures: dict[str, Any] | None) -> dict[Any, Any] | None:
    """``router_matches.uri_captures`` ({0: whole, 1: ..., name: ...}) or None when the regex had no group."""
    if not captures:
        return None
    table: dict[Any, Any] = {}
    for index, value in enumerate(captures.get("unnamed") or []):
        if value is not None:
            table[index] = to_lua_string(value) if isinstance(value, (str, bytes)) else value
    for name, value in (captures.get("named") or {}).items():
        if value is not None:
            table[str(name)] = to_lua_string(value) if isinstance(value, (str, bytes)) else value
    if len(table) < 2:
        return None
    return table


def capture_wrap(captures: dict[Any, Any] | None) -> dict[str, Any]:
    """pdk/request.lua ``capture_wrap``: numeric keys into ``unnamed`` (array_mt), strings into ``named``."""
    unnamed: dict[Any, Any] = {}
    named: dict[Any, Any] = {}
    for key, value in (captures or {}).items():
        if isinstance(key, (int, float)) and not isinstance(key, bool):
            unnamed[key] = value
        elif isinstance(key, str):
            named[key] = value
    unnamed_table: Any = unnamed if unnamed else LuaArray()
    return {"unnamed": unnamed_table, "named": named}


def _capture_header_table(headers: HeaderList) -> dict[str, Any]:
    """``res.header`` of ngx.location.capture: original spelling, repeats as lists, hop-by-hop left out."""
    table: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for name, value in headers.items:
        lowered = name.lower()
        if lowered in ("connection", "keep-alive", "transfer-encoding"):
            continue
        key = spelled.setdefault(lowered, name)
        if key in table:
            existing = table[key]
            if isinstance(existing, list):
                existing.append(value)
            else:
                table[key] = [existing, value]
        else:
            table[key] = value
    return table


def _table_pairs(table: Any) -> list[tuple[Any, Any]]:
    if isinstance(table, dict):
        return list(table.items())
    if isinstance(table, list):
        return [(i + 1, v) for i, v in enumerate(table)]
    return []


def normalize_multi_header(value: Any) -> list[str]:
    """kong/pdk/private/checks.lua ``normalize_multi_header`` as a list of values ("" becomes " ")."""
    if isinstance(value, str):
        return [" " if value == "" else value]
    if isinstance(value, (dict, list)):
        from harness.lua import ipairs

        return [" " if v == "" else (v if isinstance(v, str) else lua_tostring(v)) for v in ipairs(value)]
    return [lua_tostring(value)]


def _deep_copy(value: Any) -> Any:
    if isinstance(value, LuaArray):
        return LuaArray(_deep_copy(v) for v in value)
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    return value


def _edit_serialize(root: dict[str, Any], item: dict[str, Any], req: KongRequest) -> None:
    """pdk/log.lua ``edit_result`` for one set_serialize_value entry (dotted keys create sub-tables)."""
    key, value, mode = item["key"], item.get("value"), item["mode"]
    node: Any = root
    start = 0
    for i in range(1, len(key)):
        if key[i] == ".":
            subkey = key[start:i]
            start = i + 1
            if node.get(subkey) is None:
                if mode in ("set", "add"):
                    node[subkey] = {}
                else:
                    node = None
                    break
            elif not isinstance(node[subkey], dict):
                req.log(
                    "error",
                    f"The key '{key}' could not be used as a serialize value. Subkey '{subkey}' is "
                    f"not a table. It's {lua_tostring(node[subkey])}",
                )
                return
            node = node[subkey]
    if isinstance(node, dict):
        last = key[start:]
        existing = node.get(last)
        if (
            mode == "set"
            or (mode == "add" and existing is None)
            or (mode == "replace" and existing is not None)
        ):
            if value is None:
                node.pop(last, None)
            else:
                node[last] = value


__all__ = [
    "LUA_NULL",
    "MISSING",
    "ClientRequest",
    "KongRequest",
    "PdkOutcome",
    "PluginRef",
    "RouteMatch",
    "UpstreamRequest",
    "capture_wrap",
]
