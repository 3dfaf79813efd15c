"""kong.request.*, kong.service.request.* and kong.service.* as Kong 3.9 runs them for an external plugin
(kong/pdk/request.lua, service/request.lua, service.lua; overrides from runloop/plugin_servers/plugin.lua).

Error texts carry Lua's position prefix: ``kong/runloop/plugin_servers/rpc/mp_rpc.lua:127`` for a function
called directly by the bridge (or through a tail call), ``kong/runloop/plugin_servers/plugin.lua:<line>`` when
an override calls it in a non-tail position, ``kong/pdk/request.lua:<line>`` for ``ngx.var`` use in the log
timer.
"""

from __future__ import annotations

import math
import random
from typing import Any

from harness.kong_request import (
    DEFAULT_MAX_ARGS,
    MP_RPC,
    PHASES_REQUEST,
    PLUGIN_LUA,
    KongRequest,
    capture_wrap,
    lookup_header_table,
    lua_tonumber10,
    normalize_multi_header,
    phase_mask,
)
from harness.lua import (
    CjsonError,
    LuaError,
    cjson_decode,
    cjson_encode,
    ipairs,
    is_table,
    lua_quote,
    lua_string_bytes,
    lua_tostring,
    lua_type,
    table_items,
)
from harness.nginx_text import decode_args, encode_args, kong_escape, kong_normalize, search_remove
from harness.pdk_dispatch import Call, override, pdk

BEFORE_CONTENT = phase_mask("rewrite", "access", "response", "error", "admin_api")
ACCESS_AND_REWRITE = phase_mask("rewrite", "access")
ACCESS_REWRITE_BALANCER = phase_mask("rewrite", "access", "balancer")
ACCESS_ONLY = phase_mask("access")
SERVICE_TARGET_PHASES = phase_mask("rewrite", "access", "balancer", "preread")
REQUEST_LUA = "kong/pdk/request.lua"
CLIENT_LUA = "kong/pdk/client.lua"
CHECKS_LUA = "kong/pdk/private/checks.lua"
_ACCEPTED_METHODS = frozenset(
    {
        "GET",
        "HEAD",
        "PUT",
        "POST",
        "DELETE",
        "OPTIONS",
        "MKCOL",
        "COPY",
        "MOVE",
        "PROPFIND",
        "PROPPATCH",
        "LOCK",
        "UNLOCK",
        "PATCH",
        "TRACE",
    }
)


def fail(message: str, location: str = MP_RPC) -> LuaError:
    return LuaError(f"{location}: {message}")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_max(value: Any, low: int, high: int, label: str) -> None:
    """The ``max_*`` argument checks of the PDK (type, then bounds)."""
    if not is_number(value):
        raise fail(f"{label} must be a number")
    if value < low:
        raise fail(f"{label} must be >= {low}")
    if value > high:
        raise fail(f"{label} must be <= {high}")


def client_ip(req: KongRequest) -> str:
    """kong.client.get_ip (ngx.var in client.lua:62)."""
    req.ngx_api(f"{CLIENT_LUA}:62")
    return req.realip_remote_addr


def trusted_client(req: KongRequest) -> bool:
    return req.is_trusted(client_ip(req))


# =============================================================================================== kong.request


@pdk("kong.request.get_scheme")
def get_scheme(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    c.req.ngx_api(f"{REQUEST_LUA}:101")
    return c.req.client.scheme


@pdk("kong.request.get_host")
def get_host(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    c.req.ngx_api(f"{REQUEST_LUA}:119")
    return c.req.host()


@pdk("kong.request.get_port")
def get_port(c: Call, *_: Any) -> Any:
    c.req.ngx_api(f"{REQUEST_LUA}:137")
    return c.req.client.server_port


@pdk("kong.request.get_forwarded_scheme")
def get_forwarded_scheme(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    if trusted_client(c.req):
        scheme = c.req.http_header("X-Forwarded-Proto")
        if scheme:
            return scheme.lower()
    return get_scheme(c)


@pdk("kong.request.get_forwarded_host")
def get_forwarded_host(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    if trusted_client(c.req):
        host = c.req.http_header("X-Forwarded-Host")
        if host:
            host = host.split("@", 1)[1] if "@" in host else host
            return host.split(":", 1)[0].lower()
    return get_host(c)


@pdk("kong.request.get_forwarded_port")
def get_forwarded_port(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    if trusted_client(c.req):
        port = lua_tonumber10(c.req.http_header("X-Forwarded-Port"))
        if port is not None and 1 <= port <= 65535:
            return port
        host = c.req.http_header("X-Forwarded-Host")
        if host:
            host = host.split("@", 1)[1] if "@" in host else host
            if ":" in host:
                port = lua_tonumber10(host.split(":", 1)[1])
                if port is not None and 1 <= port <= 65535:
                    return port
    return get_port(c)


@pdk("kong.request.get_forwarded_path")
def get_forwarded_path(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    if trusted_client(c.req):
        path = c.req.http_header("X-Forwarded-Path")
        if path:
            return path
    return get_path(c)


@pdk("kong.request.get_forwarded_prefix")
def get_forwarded_prefix(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    if trusted_client(c.req):
        prefix = c.req.http_header("X-Forwarded-Prefix")
        if prefix:
            return prefix
    c.req.ngx_api(f"{REQUEST_LUA}:351")
    return c.req.vars.get("upstream_x_forwarded_prefix")


@pdk("kong.request.get_http_version")
def get_http_version(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    c.req.ngx_api(MP_RPC)
    return c.req.client.http_version


@pdk("kong.request.get_method")
def get_method(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    if c.req.ctx.get("KONG_UNEXPECTED"):
        c.req.ngx_api(f"{REQUEST_LUA}:384")
    c.req.ngx_api(MP_RPC)
    return c.req.current_method()


@pdk("kong.request.get_path")
def get_path(c: Call, *_: Any) -> Any:
    return kong_normalize(get_raw_path(c), True)


@pdk("kong.request.get_raw_path")
def get_raw_path(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    c.req.ngx_api(f"{REQUEST_LUA}:440")
    return c.req.raw_path()


@pdk("kong.request.get_path_with_query")
def get_path_with_query(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    c.req.ngx_api(f"{REQUEST_LUA}:459")
    return c.req.request_uri


@pdk("kong.request.get_raw_query")
def get_raw_query(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    c.req.ngx_api(f"{REQUEST_LUA}:478")
    return c.req.args or ""


@pdk("kong.request.get_query_arg")
def get_query_arg(c: Call, name: Any = None, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    if not isinstance(name, str):
        raise fail("query argument name must be a string")
    value = get_query(c).get(name)
    if isinstance(value, list):
        return value[0]
    return value


@pdk("kong.request.get_query")
def get_query(c: Call, max_args: Any = None, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    if max_args is not None:
        check_max(max_args, 1, 1000, "max_args")
    c.req.ngx_api(f"{REQUEST_LUA}:586")
    return c.req.uri_args_table(DEFAULT_MAX_ARGS if max_args is None else max_args)


@pdk("kong.request.get_header")
def get_header(c: Call, name: Any = None, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    if not isinstance(name, str):
        raise fail("header name must be a string")
    c.req.ngx_api("kong/tools/http.lua:555")
    return c.req.http_header(name)


@override("kong.request.get_header")
def get_header_override(c: Call, name: Any = None, *_: Any) -> Any:
    saved = c.req.saved if c.req.in_log_timer() else None
    if saved is None:
        return get_header(c, name)
    value = lookup_header_table(saved["request_headers"], name) if isinstance(name, str) else None
    if isinstance(value, list):
        return value[0]
    return value


def _get_headers(c: Call, max_headers: Any, location: str) -> Any:
    c.req.check_phase(PHASES_REQUEST, location)
    if max_headers is not None:
        check_max(max_headers, 1, 1000, "max_headers")
    c.req.ngx_api(None)
    return c.req.request_header_table(None if max_headers is None else int(max_headers), c.plugin)


@pdk("kong.request.get_headers")
def get_headers(c: Call, max_headers: Any = None, *_: Any) -> Any:
    return _get_headers(c, max_headers, MP_RPC)


@override("kong.request.get_headers")
def get_headers_override(c: Call, max_headers: Any = None, *_: Any) -> Any:
    if c.req.in_log_timer() and c.req.saved is not None:
        return c.req.saved["request_headers"]
    if max_headers is not None and not is_number(max_headers):
        raise fail("max_headers must be a number", f"{PLUGIN_LUA}:84")
    if max_headers is not None and (max_headers < 1 or max_headers > 1000):
        bound = ">= 1" if max_headers < 1 else "<= 1000"
        raise fail(f"max_headers must be {bound}", f"{PLUGIN_LUA}:84")
    return _get_headers(c, max_headers, f"{PLUGIN_LUA}:84")


def raw_body(c: Call, max_allowed_file_size: Any = None) -> Any:
    """request.lua ``get_raw_body`` (first return value)."""
    c.req.check_phase(BEFORE_CONTENT)
    c.req.ngx_api(None)
    c.req.read_body()
    body = c.req.body_in_memory()
    if body is not None:
        return body
    if not c.req.body:
        return ""
    if max_allowed_file_size is None or max_allowed_file_size is False:
        return None
    if not is_number(max_allowed_file_size):
        raise fail(f"attempt to compare {lua_type(max_allowed_file_size)} with number", f"{REQUEST_LUA}:726")
    if max_allowed_file_size < 0:
        return None
    if max_allowed_file_size > 0 and len(c.req.body) > max_allowed_file_size:
        return None
    return c.req.body.decode("utf-8", "surrogateescape")


@pdk("kong.request.get_raw_body")
def get_raw_body(c: Call, max_allowed_file_size: Any = None, *_: Any) -> Any:
    return raw_body(c, max_allowed_file_size)


def parse_multipart(body: str, content_type: str) -> dict[str, Any] | None:
    """lua-multipart ``get_all_with_arrays``: part name -> value (repeats as lists); None if unparsable."""
    boundary = None
    for param in content_type.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip().strip('"')
    if not boundary:
        return None
    raw = lua_string_bytes(body)
    delimiter = b"--" + lua_string_bytes(boundary)
    result: dict[str, Any] = {}
    for part in raw.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        part = part[2:] if part.startswith(b"\r\n") else part.lstrip(b"\n")
        head, sep, value = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        if value.endswith(b"\r\n"):
            value = value[:-2]
        name = None
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-disposition:"):
                for item in line.split(b";")[1:]:
                    key, _, val = item.strip().partition(b"=")
                    if key.lower() == b"name":
                        name = val.strip(b'"').decode("utf-8", "surrogateescape")
        if name is None:
            continue
        text = value.decode("utf-8", "surrogateescape")
        if name in result:
            existing = result[name]
            result[name] = [*existing, text] if isinstance(existing, list) else [existing, text]
        else:
            result[name] = text
    return result


def decode_body(
    c: Call, content_type: str, body_getter: Any, max_args: Any, form_default: int, form_in_memory: Any
) -> Any:
    """The dispatch shared by kong.request.get_body and kong.service.response.get_body."""
    lowered = content_type.lower().split(";", 1)[0]
    if lowered.startswith("application/x-www-form-urlencoded"):
        if max_args is not None:
            check_max(max_args, 1, 1000, "max_args")
        body = form_in_memory()
        if body is None:
            return None
        return decode_args(body, form_default if max_args is None else max_args)[0]
    if lowered.startswith("application/json"):
        body = body_getter()
        if body is None:
            return None
        try:
            decoded = cjson_decode(body)
        except CjsonError:
            return None
        return decoded if is_table(decoded) else None
    if lowered.startswith("multipart/form-data"):
        body = body_getter()
        if body is None:
            return None
        return parse_multipart(body, content_type)
    return None


@pdk("kong.request.get_body")
def get_body(
    c: Call, mimetype: Any = None, max_args: Any = None, max_allowed_file_size: Any = None, *_: Any
) -> Any:
    c.req.check_phase(BEFORE_CONTENT)
    content_type = mimetype if mimetype not in (None, False) else get_header(c, "Content-Type")
    if content_type is None:
        return None
    if not isinstance(content_type, str):
        raise fail(
            f"bad argument #1 to 'lower' (string expected, got {lua_type(content_type)})",
            f"{REQUEST_LUA}:829",
        )

    def form_in_memory() -> Any:
        c.req.read_body()
        return c.req.body_in_memory() if c.req.body else ""

    return decode_body(
        c,
        content_type,
        lambda: raw_body(c, max_allowed_file_size),
        max_args,
        DEFAULT_MAX_ARGS,
        form_in_memory,
    )


@pdk("kong.request.get_start_time")
def get_start_time(c: Call, *_: Any) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    return c.req.ctx.get("KONG_PROCESSING_START") or int(c.req.start_time * 1000)


def _uri_captures(c: Call, ctx: dict[Any, Any]) -> Any:
    c.req.check_phase(PHASES_REQUEST)
    matches = ctx.get("router_matches")
    captures = matches.get("uri_captures") if isinstance(matches, dict) else None
    return capture_wrap(captures if isinstance(captures, dict) else None)


@pdk("kong.request.get_uri_captures")
def get_uri_captures(c: Call, ctx: Any = None, *_: Any) -> Any:
    return _uri_captures(c, ctx if isinstance(ctx, dict) else c.req.ctx)


@override("kong.request.get_uri_captures")
def get_uri_captures_override(c: Call, *_: Any) -> Any:
    saved = c.req.saved if c.req.in_log_timer() else None
    return _uri_captures(c, saved["ngx_ctx"] if saved is not None else c.req.ctx)


# ======================================================================================= kong.service.request


def validate_header(name: Any, value: Any) -> None:
    """private/checks.lua ``validate_header`` (error level 3: the bridge)."""
    if not isinstance(name, str):
        raise fail(f"invalid header name {_quote(name, 48)}: got {lua_type(name)}, expected string")
    if isinstance(value, str):
        return
    if is_table(value):
        for item in ipairs(value):
            if not isinstance(item, str):
                raise fail(
                    f"invalid header value in array {lua_quote(name)}: got {lua_type(item)}, expected string"
                )
    elif not (isinstance(value, bool) or is_number(value)):
        raise fail(
            f"invalid header value for {lua_quote(name)}: got {lua_type(value)}, expected array of "
            "string, string, number or boolean"
        )


def validate_headers(headers: Any) -> None:
    """private/checks.lua ``validate_headers``."""
    if not is_table(headers):
        raise fail("headers must be a table")
    for key, value in table_items(headers):
        if not isinstance(key, str):
            raise fail(f"invalid header name {_quote(key, 81)}: got {lua_type(key)}, expected string")
        if isinstance(value, str):
            continue
        if is_table(value):
            for item in ipairs(value):
                if not isinstance(item, str):
                    raise fail(
                        f"invalid header value in array {lua_quote(key)}: got {lua_type(item)}, "
                        "expected string"
                    )
        elif not (isinstance(value, bool) or is_number(value)):
            raise fail(
                f"invalid header value for {lua_quote(key)}: got {lua_type(value)}, expected string, "
                "number, boolean or array of strings"
            )


def _quote(value: Any, line: int) -> str:
    try:
        return lua_quote(value)
    except LuaError as exc:
        raise fail(str(exc), f"{CHECKS_LUA}:{line}") from None


def _host_value(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return value if isinstance(value, str) else lua_tostring(value)


@pdk("kong.service.request.enable_buffering")
def enable_buffering(c: Call, *_: Any) -> Any:
    c.req.check_phase(ACCESS_REWRITE_BALANCER)
    c.req.ctx["buffered_proxying"] = True


@pdk("kong.service.request.set_scheme")
def set_scheme(c: Call, scheme: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_REWRITE_BALANCER)
    if not isinstance(scheme, str):
        raise fail("scheme must be a string")
    if scheme not in ("http", "https"):
        raise fail(f"invalid scheme: {scheme}")
    c.req.vars["upstream_scheme"] = scheme


@pdk("kong.service.request.set_path")
def set_path(c: Call, path: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_REWRITE_BALANCER)
    if not isinstance(path, str):
        raise fail("path must be a string")
    if not path.startswith("/"):
        raise fail("path must start with /")
    c.req.vars["upstream_uri"] = kong_escape(path)


@pdk("kong.service.request.set_raw_query")
def set_raw_query(c: Call, query: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_AND_REWRITE)
    if not isinstance(query, str):
        raise fail("query must be a string")
    c.req.args = query


@pdk("kong.service.request.set_method")
def set_method(c: Call, method: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_AND_REWRITE)
    if not isinstance(method, str):
        raise fail("method must be a string")
    if method not in _ACCEPTED_METHODS:
        raise fail(f"invalid method: {method}")
    c.req.method = method


def make_ordered_args(args: Any, location: str = MP_RPC) -> str:
    """service/request.lua ``make_ordered_args``: each key encoded alone, sorted bytewise, joined by '&'."""
    out: list[str] = []
    for key, value in table_items(args):
        if not isinstance(key, str):
            raise fail("arg keys must be strings", location)
        try:
            out.append(encode_args({key: value}))
        except LuaError as exc:
            raise fail(str(exc), location) from None
    out.sort(key=lua_string_bytes)
    return "&".join(out)


@pdk("kong.service.request.set_query")
def set_query(c: Call, args: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_AND_REWRITE)
    if not is_table(args):
        raise fail("args must be a table")
    c.req.args = make_ordered_args(args)


@pdk("kong.service.request.clear_query_arg")
def clear_query_arg(c: Call, name: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_AND_REWRITE)
    if not isinstance(name, str):
        raise fail("query argument name must be a string")
    if c.req.args:
        c.req.args = search_remove(c.req.args, name)


@pdk("kong.service.request.set_header")
def set_header(c: Call, header: Any = None, value: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_REWRITE_BALANCER)
    validate_header(header, value)
    if header.lower() == "host":
        c.req.vars["upstream_host"] = _host_value(value)
    if header.lower() == ":authority":
        return None  # nil, "cannot set :authority pseudo-header on non-grpc requests"
    c.req.set_request_header(header, normalize_multi_header(value))
    return None


@pdk("kong.service.request.add_header")
def add_header(c: Call, header: Any = None, value: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_AND_REWRITE)
    validate_header(header, value)
    if header.lower() == "host":
        c.req.vars["upstream_host"] = _host_value(value)
    existing = lookup_header_table(c.req.request_header_table(), header)
    values = list(existing) if isinstance(existing, list) else ([existing] if existing is not None else [])
    values.extend(normalize_multi_header(value))
    c.req.set_request_header(header, values)


@pdk("kong.service.request.clear_header")
def clear_header(c: Call, header: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_AND_REWRITE)
    if not isinstance(header, str):
        raise fail("header must be a string")
    c.req.set_request_header(header, [])


@pdk("kong.service.request.set_headers")
def set_headers(c: Call, headers: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_AND_REWRITE)
    if not is_table(headers):
        raise fail("headers must be a table")
    validate_headers(headers)
    for key, value in table_items(headers):
        if key.lower() == "host":
            c.req.vars["upstream_host"] = _host_value(value)
        c.req.set_request_header(key, normalize_multi_header(value))


@pdk("kong.service.request.set_raw_body")
def set_raw_body(c: Call, body: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_REWRITE_BALANCER)
    if not isinstance(body, str):
        raise fail("body must be a string")
    c.req.read_body()
    c.req.set_body_data(body)


def _multipart(args: Any, mime: str) -> tuple[str, str]:
    boundary = None
    at = mime.find("boundary=")
    if at >= 0:
        at += 9
        if mime[at : at + 1] == '"':
            till = mime.find('"', at + 1)
            boundary = mime[at + 1 : till if till >= 0 else len(mime)]
        else:
            boundary = mime[at:]
    keys: list[str] = []
    for key, value in table_items(args):
        if not isinstance(key, str):
            raise fail(
                f"invalid key {lua_quote(key) if is_number(key) else key}: got {lua_type(key)}, "
                "expected string"
            )
        if not (isinstance(value, (str, bool)) or is_number(value)):
            raise fail(
                f"invalid value {lua_quote(key)}: got {lua_type(value)}, expected string, number or boolean"
            )
        keys.append(key)
    while boundary is None or any(f"\n--{boundary}" in lua_tostring(v) for _, v in table_items(args)):
        boundary = str(random.randint(1, 10**10))
    out = []
    values = dict(table_items(args))
    for key in sorted(keys, key=lua_string_bytes):
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
            f"{lua_tostring(values[key])}\r\n"
        )
    out.append(f"--{boundary}--\r\n")
    return "".join(out), f"multipart/form-data; boundary={boundary}"


@pdk("kong.service.request.set_body")
def set_body(c: Call, args: Any = None, mime: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_AND_REWRITE)
    if not is_table(args):
        raise fail("args must be a table")
    if mime is not None and mime is not False and not isinstance(mime, str):
        raise fail("mime must be a string")
    if not mime:
        found = lookup_header_table(c.req.request_header_table(), "Content-Type")
        mime = found[0] if isinstance(found, list) else found
        if mime is None:
            return None
    boundaryless = mime.split(";", 1)[0]
    if boundaryless == "application/x-www-form-urlencoded":
        body, content_type = make_ordered_args(args), mime
    elif boundaryless == "application/json":
        try:
            body, content_type = cjson_encode(args), mime
        except CjsonError as exc:
            raise fail(str(exc)) from None
    elif boundaryless == "multipart/form-data":
        body, content_type = _multipart(args, mime)
    else:
        raise fail(f"unsupported content type {mime}")
    c.req.read_body()
    c.req.set_body_data(body)
    c.req.set_request_header("Content-Type", [content_type])
    return True


# =============================================================================================== kong.service


def _require_integer(value: Any, label: str) -> None:
    if not is_number(value) or math.floor(value) != value:
        raise fail(f"{label} must be an integer")


@pdk("kong.service.set_upstream")
def set_upstream(c: Call, host: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_ONLY)
    if not isinstance(host, str):
        raise fail("host must be a string")
    if c.req.upstreams(host) is None:
        return None  # nil, "could not find an Upstream named '<host>'"
    if c.req.balancer_data is not None:
        c.req.balancer_data["host"] = host
    return True


@pdk("kong.service.set_target")
def set_target(c: Call, host: Any = None, port: Any = None, *_: Any) -> Any:
    c.req.check_phase(SERVICE_TARGET_PHASES)
    if not isinstance(host, str):
        raise fail("host must be a string")
    _require_integer(port, "port")
    if port < 0 or port > 65535:
        raise fail(f"port must be an integer between 0 and 65535: given {lua_tostring(port)}")
    c.req.vars["upstream_host"] = host
    if c.req.balancer_data is None:
        raise fail("attempt to index field 'balancer_data' (a nil value)", "kong/pdk/service.lua:106")
    c.req.balancer_data["host"] = host
    c.req.balancer_data["port"] = int(port)


@pdk("kong.service.set_retries")
def set_retries(c: Call, retries: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_ONLY)
    _require_integer(retries, "retries")
    if retries < 0 or retries > 32767:
        raise fail(f"retries must be an integer between 0 and 32767: given {lua_tostring(retries)}")
    if c.req.balancer_data is not None:
        c.req.balancer_data["retries"] = int(retries)


@pdk("kong.service.set_timeouts")
def set_timeouts(c: Call, connect: Any = None, write: Any = None, read: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_ONLY)
    for value, label in ((connect, "connect_timeout"), (write, "write_timeout"), (read, "read_timeout")):
        _require_integer(value, label)
        if value < 1 or value > 2147483646:
            raise fail(f"{label} must be an integer between 1 and 2147483646: given {lua_tostring(value)}")
    if c.req.balancer_data is not None:
        c.req.balancer_data.update(
            connect_timeout=int(connect), send_timeout=int(write), read_timeout=int(read)
        )


@pdk("kong.service.set_target_retry_callback")
def set_target_retry_callback(c: Call, callback: Any = None, *_: Any) -> Any:
    c.req.check_phase(ACCESS_ONLY)
    raise fail("retry_callback must be a function")  # a function cannot cross msgpack


__all__ = [
    "decode_body",
    "make_ordered_args",
    "parse_multipart",
    "raw_body",
    "validate_header",
    "validate_headers",
]
