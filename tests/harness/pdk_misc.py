"""kong.client, router, node, nginx, ctx, log, plugin, ip, table: Kong 3.9 PDK functions and the plugin-server
overrides (kong/pdk/*.lua, kong/runloop/plugin_servers/plugin.lua)."""

from __future__ import annotations

import ipaddress
import math
import os
import time
from typing import Any

from harness.kong_request import NGINX_VERSION, PLUGIN_LUA, phase_mask
from harness.lua import (
    CjsonError,
    LuaError,
    cjson_encode,
    is_table,
    lua_tostring,
    lua_type,
    table_get,
    table_items,
    to_lua_string,
)
from harness.nginx_text import nginx_uri
from harness.pdk_dispatch import Call, enterprise_only, override, pdk
from harness.pdk_request import CLIENT_LUA, client_ip, fail, is_number

AUTH_AND_LATER = phase_mask("access", "header_filter", "response", "body_filter", "log")
PHASES_WITH_CTX = phase_mask("rewrite", "access", "header_filter", "response", "body_filter", "log")
LOG_ONLY = phase_mask("log")
ACCESS_ONLY = phase_mask("access")
_UUID_CHARS = frozenset("0123456789abcdefABCDEF")


def is_valid_uuid(value: Any) -> bool:
    """kong/tools/uuid.lua ``is_valid_uuid`` (case-insensitive 8-4-4-4-12 hex)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    parts = value.split("-")
    return [len(p) for p in parts] == [8, 4, 4, 4, 12] and all(set(p) <= _UUID_CHARS for p in parts)


# =============================================================================================== kong.client


@pdk("kong.client.get_ip")
def get_ip(c: Call, *_: Any) -> Any:
    return client_ip(c.req)


@pdk("kong.client.get_forwarded_ip")
def get_forwarded_ip(c: Call, *_: Any) -> Any:
    c.req.ngx_api(f"{CLIENT_LUA}:95")
    return c.req.remote_addr


@pdk("kong.client.get_port")
def get_port(c: Call, *_: Any) -> Any:
    c.req.ngx_api(f"{CLIENT_LUA}:120")
    return c.req.realip_remote_port


@pdk("kong.client.get_forwarded_port")
def get_forwarded_port(c: Call, *_: Any) -> Any:
    c.req.ngx_api(f"{CLIENT_LUA}:146")
    return c.req.remote_port


def _ctx(c: Call) -> dict[Any, Any]:
    return c.req.saved["ngx_ctx"] if c.req.in_log_timer() and c.req.saved is not None else c.req.ctx


@pdk("kong.client.get_credential")
def get_credential(c: Call, *_: Any) -> Any:
    c.req.check_phase(AUTH_AND_LATER)
    return _ctx(c).get("authenticated_credential")


@pdk("kong.client.get_consumer")
def get_consumer(c: Call, *_: Any) -> Any:
    c.req.check_phase(AUTH_AND_LATER)
    return _ctx(c).get("authenticated_consumer")


@pdk("kong.client.load_consumer")
def load_consumer(c: Call, consumer_id: Any = None, search_by_username: Any = None, *_: Any) -> Any:
    c.req.check_phase(AUTH_AND_LATER)
    if not isinstance(consumer_id, str):
        raise fail("consumer_id must be a string")
    by_username = search_by_username not in (None, False)
    if not is_valid_uuid(consumer_id) and not by_username:
        raise fail("cannot load a consumer with an id that is not a uuid")
    found = c.req.consumers(consumer_id, by_username)
    if found is None:
        return None
    from harness.lua import from_wire

    return from_wire(found)


@pdk("kong.client.authenticate")
def authenticate(c: Call, consumer: Any = None, credential: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_ONLY)
    if consumer is not None and not is_table(consumer):
        raise fail("consumer must be a table or nil")
    if credential is not None and not is_table(credential):
        raise fail("credential must be a table or nil")
    if consumer is None and credential is None:
        raise fail("either credential or consumer must be provided")
    c.req._store_ctx("authenticated_consumer", consumer)
    c.req._store_ctx("authenticated_credential", credential)


# Kong Gateway Enterprise's consumer groups (Kong/kong 3.9 OSS has no such functions: on OSS the dispatcher
# answers them as missing methods): the authentication plugins call
# ``authenticate_consumer_group_by_consumer_id`` once they know the consumer, which keeps the consumer's
# groups in ``ngx.ctx.authenticated_consumer_groups``; ``get_consumer_groups`` returns them.
@pdk("kong.client.authenticate_consumer_group_by_consumer_id")
@enterprise_only
def authenticate_consumer_group_by_consumer_id(c: Call, consumer_id: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_ONLY)
    if not isinstance(consumer_id, str):
        raise fail("consumer_id must be a string")
    from harness.lua import from_wire

    assert c.req.consumer_groups is not None  # enterprise_only
    groups = from_wire(c.req.consumer_groups(consumer_id)) if is_valid_uuid(consumer_id) else None
    c.req._store_ctx("authenticated_consumer_groups", groups or None)
    return groups or None


@pdk("kong.client.get_consumer_groups")
@enterprise_only
def get_consumer_groups(c: Call, *_: Any) -> Any:
    c.req.check_phase(AUTH_AND_LATER)
    return _ctx(c).get("authenticated_consumer_groups")


@pdk("kong.client.get_protocol")
def get_protocol(c: Call, allow_terminated: Any = None, *_: Any) -> Any:
    c.req.check_phase(AUTH_AND_LATER)
    route = _ctx(c).get("route")
    if not isinstance(route, (dict, list)):
        return None
    protocols = table_get(route, "protocols")
    if is_table(protocols) and _length(protocols) == 1:
        return table_get(protocols, 1)
    trusted = c.req.is_trusted(client_ip(c.req))
    if c.req.client.scheme.lower() == "https":
        return "https"
    if allow_terminated in (None, False) or not trusted:
        return "http"
    proto = c.req.http_header("X-Forwarded-Proto")
    if not proto or "," in proto:
        return None if proto else "http"
    return "https" if proto.lower() == "https" else "http"


def _length(table: Any) -> int:
    if isinstance(table, list):
        return len(table)
    n = 0
    while (n + 1) in table:
        n += 1
    return n


# =============================================================================================== kong.router

ROUTER_PHASES = AUTH_AND_LATER


@pdk("kong.router.get_route")
def get_route(c: Call, *_: Any) -> Any:
    c.req.check_phase(ROUTER_PHASES)
    return _ctx(c).get("route")


@pdk("kong.router.get_service")
def get_service(c: Call, *_: Any) -> Any:
    c.req.check_phase(ROUTER_PHASES)
    return _ctx(c).get("service")


# =============================================================================================== kong.node


@pdk("kong.node.get_id")
def get_id(c: Call, *_: Any) -> Any:
    return c.req.node_id


@pdk("kong.node.get_hostname")
def get_hostname(c: Call, *_: Any) -> Any:
    return c.req.hostname


def bytes_to_str(value: float, unit: Any, scale: Any) -> Any:
    """kong/tools/string.lua ``bytes_to_str`` (raises the message without position, as under pcall)."""
    if unit is None or unit is False:
        u = ""
    elif isinstance(unit, str) or is_number(unit):
        u = lua_tostring(unit).lower()
    else:
        raise LuaError(f"bad argument #1 to 'lower' (string expected, got {lua_type(unit)})")
    if u in ("", "b"):
        return math.floor(value)
    scale = 2 if scale is None or scale is False else scale
    if not is_number(scale) or scale < 0:
        raise LuaError("scale must be equal or greater than 0")
    divisor = {"k": (2**10, "KiB"), "m": (2**20, "MiB"), "g": (2**30, "GiB")}.get(u)
    if divisor is None:
        raise LuaError(f"invalid unit '{lua_tostring(unit)}' (expected 'k/K', 'm/M', or 'g/G')")
    return f"{value / divisor[0]:.{int(scale)}f} {divisor[1]}"


@pdk("kong.node.get_memory_stats")
def get_memory_stats(c: Call, unit: Any = None, scale: Any = None, *_: Any) -> Any:
    try:
        bytes_to_str(0, unit, scale)
    except LuaError as exc:
        raise fail(str(exc)) from None
    shms = {"kong": 5 * 2**20, "kong_db_cache": 128 * 2**20, "kong_locks": 8 * 2**20}
    return {
        "workers_lua_vms": [{"http_allocated_gc": bytes_to_str(40 * 2**20, unit, scale), "pid": os.getpid()}],
        "lua_shared_dicts": {
            name: {
                "capacity": bytes_to_str(cap, unit, scale),
                "allocated_slabs": bytes_to_str(cap // 16, unit, scale),
            }
            for name, cap in shms.items()
        },
    }


# =============================================================================================== kong.nginx


@pdk("kong.nginx.get_subsystem")
def get_subsystem(c: Call, *_: Any) -> Any:
    return "http"


@pdk("kong.nginx.get_statistics")
def get_statistics(c: Call, *_: Any) -> Any:
    return {
        "connections_active": 1,
        "connections_reading": 0,
        "connections_writing": 1,
        "connections_waiting": 0,
        "connections_accepted": 1,
        "connections_handled": 1,
        "total_requests": 1,
    }


@override("kong.nginx.get_tls1_version_str")
def get_tls1_version_str(c: Call, *_: Any) -> Any:
    return None  # plain http: no TLS connection


def _arg_value(args: str | None, name: str) -> str | None:
    for part in (args or "").split("&"):
        key, sep, value = part.partition("=")
        if sep and key.lower() == name.lower():
            return value
    return None


def _cookie_value(header: str | None, name: str) -> str | None:
    for part in (header or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value
    return None


def nginx_var(c: Call, name: Any) -> Any:
    """A sensible subset of nginx variables as ``ngx.var[name]`` returns them (strings or nil)."""
    req = c.req
    if not isinstance(name, str):
        return None
    name = name.lower()
    if name in req.vars:
        return req.vars[name]
    if name.startswith("http_"):
        wanted = name[5:]
        matches = [v for n, v in req.headers_in.items if n.lower().replace("-", "_") == wanted]
        if not matches:
            return None
        return "; ".join(matches) if wanted == "cookie" else ", ".join(matches)
    if name.startswith("arg_"):
        return _arg_value(req.args, name[4:])
    if name.startswith("cookie_"):
        return _cookie_value(req.http_header("Cookie"), name[7:])
    if name.startswith("sent_http_"):
        wanted = name[10:]
        table = req.resp_get_headers()
        value = next((v for k, v in table.items() if k.replace("-", "_") == wanted), None)
        return ", ".join(value) if isinstance(value, list) else value
    if name.startswith("upstream_http_"):
        if req._upstream_headers is None:
            return None
        wanted = name[14:]
        matches = [v for n, v in req._upstream_headers.items if n.lower().replace("-", "_") == wanted]
        return ", ".join(matches) if matches else None
    version = lua_tostring(req.client.http_version)
    started = req.start_time
    simple: dict[str, Any] = {
        "request_method": req.method,
        "request_uri": req.request_uri,
        "uri": nginx_uri(req.raw_path()),
        "document_uri": nginx_uri(req.raw_path()),
        "args": req.args,
        "query_string": req.args,
        "is_args": "?" if req.args else "",
        "host": req.host(),
        "hostname": req.hostname,
        "remote_addr": req.remote_addr,
        "remote_port": str(req.remote_port),
        "realip_remote_addr": req.realip_remote_addr,
        "realip_remote_port": str(req.realip_remote_port),
        "binary_remote_addr": _binary_ip(req.remote_addr),
        "server_addr": req.client.server_addr,
        "server_port": str(req.client.server_port),
        "server_name": "kong",
        "server_protocol": f"HTTP/{version}",
        "scheme": req.client.scheme,
        "https": "on" if req.client.scheme == "https" else "",
        "request": f"{req._orig_method} {req.request_uri} HTTP/{version}",
        "request_length": str(req._request_length()),
        "request_id": req.nginx_request_id,
        "kong_request_id": req.request_id,
        "content_type": req.headers_in.first("content-type"),
        "content_length": req.headers_in.first("content-length"),
        "request_body": req.body_in_memory() if req._body_read else None,
        "status": f"{req.status:03d}",
        "request_time": "0.000",
        "msec": f"{time.time():.3f}",
        "time_iso8601": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(started)),
        "time_local": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(started)),
        "nginx_version": NGINX_VERSION,
        "pid": str(os.getpid()),
        "connection": "1",
        "connection_requests": "1",
        "bytes_sent": "0",
        "body_bytes_sent": "0",
        "upstream_status": req._upstream_status,
        "upstream_addr": (
            f"{req.balancer_data.get('ip')}:{req.balancer_data.get('port')}"
            if req._service_response_set and req.balancer_data
            else None
        ),
    }
    return simple.get(name)


def _binary_ip(address: str) -> str | None:
    try:
        return to_lua_string(ipaddress.ip_address(address).packed)
    except ValueError:
        return None


@override("kong.nginx.get_var")
def get_var(c: Call, name: Any = None, *_: Any) -> Any:
    c.req.ngx_api(f"{PLUGIN_LUA}:53")
    return nginx_var(c, name)


def _saved_or(c: Call, key: str) -> dict[Any, Any]:
    if c.req.in_log_timer() and c.req.saved is not None:
        return c.req.saved[key]
    return c.req.ctx if key == "ngx_ctx" else c.req.ctx_shared


@override("kong.nginx.get_ctx")
def get_ctx(c: Call, key: Any = None, *_: Any) -> Any:
    if key is None:
        return None
    return _saved_or(c, "ngx_ctx").get(key)


@override("kong.nginx.set_ctx")
def set_ctx(c: Call, key: Any = None, value: Any = None, *_: Any) -> Any:
    if key is None:
        raise fail("table index is nil", f"{PLUGIN_LUA}:67")
    _store(_saved_or(c, "ngx_ctx"), key, value)


@override("kong.nginx.req_start_time")
def req_start_time(c: Call, *_: Any) -> Any:
    if c.req.in_log_timer() and c.req.saved is not None:
        return c.req.saved["req_start_time"]
    return c.req.start_time


def _store(table: dict[Any, Any], key: Any, value: Any) -> None:
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value


# ============================================================================================ kong.ctx.shared


@override("kong.ctx.shared.get")
def shared_get(c: Call, key: Any = None, *_: Any) -> Any:
    if key is None:
        return None
    return _saved_or(c, "ctx_shared").get(key)


@override("kong.ctx.shared.set")
def shared_set(c: Call, key: Any = None, value: Any = None, *_: Any) -> Any:
    if key is None:
        raise fail("table index is nil", f"{PLUGIN_LUA}:79")
    _store(_saved_or(c, "ctx_shared"), key, value)


# =============================================================================================== kong.log

_LEVEL_NAMES = {
    "debug": "debug",
    "info": "info",
    "notice": "notice",
    "warn": "warn",
    "err": "error",
    "crit": "crit",
    "alert": "alert",
    "emerg": "emerg",
}


def _make_logger(level: str) -> Any:
    def log(c: Call, *args: Any) -> Any:
        message = "".join(lua_tostring(a) for a in args)
        c.req.kong_log(c.plugin, _LEVEL_NAMES[level], message)

    return log


for _name in _LEVEL_NAMES:
    pdk(f"kong.log.{_name}")(_make_logger(_name))
pdk("kong.log#call")(_make_logger("notice"))
pdk("kong.log.deprecation#call")(_make_logger("warn"))


@pdk("kong.log.inspect#call")
def inspect(c: Call, *args: Any) -> Any:
    message = " ".join(_inspect(a) for a in args)
    c.req.kong_log(c.plugin, "notice", "\n" + message, "mp_rpc.lua:call_pdk_method:127")


def _inspect(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if is_table(value):
        inner = ", ".join(
            f"{k if isinstance(k, str) else '[' + lua_tostring(k) + ']'} = {_inspect(v)}"
            for k, v in table_items(value)
        )
        return "{ " + inner + " }" if inner else "{}"
    return lua_tostring(value)


@pdk("kong.log.set_serialize_value")
def set_serialize_value(c: Call, key: Any = None, value: Any = None, options: Any = None, *_: Any) -> Any:
    c.req.check_phase(PHASES_WITH_CTX)
    if not isinstance(key, str):
        raise fail("key must be a string")
    mode = table_get(options, "mode") if is_table(options) else None
    mode = "set" if mode in (None, False) else mode
    if mode not in ("set", "add", "replace"):
        raise fail("mode must be 'set', 'add' or 'replace'")
    ctx = _ctx(c)
    ctx.setdefault("serialize_values", []).append({"key": key, "value": value, "mode": mode})


@pdk("kong.log.serialize")
def serialize(c: Call, *_: Any) -> Any:
    c.req.check_phase(LOG_ONLY)
    return c.req._serialize_table()


@override("kong.log.serialize")
def serialize_override(c: Call, *_: Any) -> Any:
    if c.req.in_log_timer() and c.req.saved is not None:
        table = c.req.saved["serialize_data"]
    else:
        c.req.check_phase(LOG_ONLY, f"{PLUGIN_LUA}:49")
        table = c.req._serialize_table()
    try:
        return cjson_encode(table)
    except CjsonError:
        return None


# =================================================================================== kong.plugin / ip / table


@pdk("kong.plugin.get_id")
def plugin_get_id(c: Call, *_: Any) -> Any:
    return c.plugin.plugin_id


@pdk("kong.ip.is_trusted")
def is_trusted(c: Call, address: Any = None, *_: Any) -> Any:
    return c.req.is_trusted(address)


@pdk("kong.table.new")
def table_new(c: Call, *_: Any) -> Any:
    return {}


@pdk("kong.table.clear")
def table_clear(c: Call, table: Any = None, *_: Any) -> Any:
    if not is_table(table):
        raise fail(f"bad argument #1 to 'clear' (table expected, got {lua_type(table)})")


__all__ = ["bytes_to_str", "is_valid_uuid", "nginx_var"]
