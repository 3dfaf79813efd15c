"""kong.response.* and kong.service.response.* as Kong 3.9 runs them for an external plugin
(kong/pdk/response.lua, service/response.lua; log-phase overrides from runloop/plugin_servers/plugin.lua)."""

from __future__ import annotations

from typing import Any

from harness.kong_request import (
    DEFAULT_MAX_ARGS,
    DEFAULT_MAX_HEADERS,
    EXITED,
    MP_RPC,
    PHASE_BITS,
    PLUGIN_LUA,
    KongRequest,
    lookup_header_table,
    normalize_multi_header,
    phase_mask,
)
from harness.lua import CjsonError, LuaError, cjson_encode, is_table, lua_type, table_items
from harness.pdk_dispatch import Call, override, pdk
from harness.pdk_request import check_max, decode_body, fail, is_number, validate_header, validate_headers

HEADER_BODY_LOG = phase_mask("response", "header_filter", "body_filter", "log", "error", "admin_api")
REWRITE_ACCESS_HEADER = phase_mask(
    "rewrite", "access", "response", "balancer", "header_filter", "error", "admin_api"
)
SERVICE_HEADER_BODY_LOG = phase_mask("response", "header_filter", "body_filter", "log")
BODY_FILTER = phase_mask("body_filter")
RESPONSE_LUA = "kong/pdk/response.lua"
SERVICE_RESPONSE_LUA = "kong/pdk/service/response.lua"
_NO_BUFFERING = (
    "service body is only available with buffered proxying "
    "(see: kong.service.request.enable_buffering function)"
)


# ====================================================================================== kong.response getters


def _status(c: Call, location: str) -> Any:
    c.req.check_phase(HEADER_BODY_LOG, location)
    c.req.ngx_api(f"{RESPONSE_LUA}:205")
    return c.req.status


@pdk("kong.response.get_status")
def get_status(c: Call, *_: Any) -> Any:
    return _status(c, MP_RPC)


@override("kong.response.get_status")
def get_status_override(c: Call, *_: Any) -> Any:
    if c.req.in_log_timer() and c.req.saved is not None:
        return c.req.saved["response_status"]
    return _status(c, f"{PLUGIN_LUA}:109")


def _headers(c: Call, max_headers: Any, location: str) -> Any:
    c.req.check_phase(HEADER_BODY_LOG, location)
    if max_headers is not None:
        check_max(max_headers, 1, 1000, "max_headers")
    c.req.ngx_api(None)
    return c.req.resp_get_headers(DEFAULT_MAX_HEADERS if max_headers is None else int(max_headers))


@pdk("kong.response.get_headers")
def get_headers(c: Call, max_headers: Any = None, *_: Any) -> Any:
    return _headers(c, max_headers, MP_RPC)


@override("kong.response.get_headers")
def get_headers_override(c: Call, max_headers: Any = None, *_: Any) -> Any:
    if c.req.in_log_timer() and c.req.saved is not None:
        return c.req.saved["response_headers"]
    return _headers(c, max_headers, f"{PLUGIN_LUA}:114")


@pdk("kong.response.get_header")
def get_header(c: Call, name: Any = None, *_: Any) -> Any:
    c.req.check_phase(HEADER_BODY_LOG)
    if not isinstance(name, str):
        raise fail("header name must be a string")
    value = lookup_header_table(_headers(c, None, f"{RESPONSE_LUA}:247"), name)
    return value[0] if isinstance(value, list) else value


@override("kong.response.get_header")
def get_header_override(c: Call, name: Any = None, *_: Any) -> Any:
    if not (c.req.in_log_timer() and c.req.saved is not None):
        return get_header(c, name)
    headers = c.req.saved["response_headers"]
    value = lookup_header_table(headers, name) if isinstance(name, str) and headers else None
    return value[0] if isinstance(value, list) else value


def _source(c: Call, ctx: Any) -> Any:
    if ctx is None:
        c.req.check_phase(HEADER_BODY_LOG)
        ctx = c.req.ctx
    return c.req.response_source(ctx if isinstance(ctx, dict) else {})


@pdk("kong.response.get_source")
def get_source(c: Call, ctx: Any = None, *_: Any) -> Any:
    return _source(c, ctx)


@override("kong.response.get_source")
def get_source_override(c: Call, *_: Any) -> Any:
    saved = c.req.saved if c.req.in_log_timer() else None
    return _source(c, saved["ngx_ctx"] if saved is not None else None)


# ====================================================================================== kong.response setters


@pdk("kong.response.set_status")
def set_status(c: Call, status: Any = None, *_: Any) -> Any:
    c.req.check_phase(REWRITE_ACCESS_HEADER)
    if not is_number(status):
        raise fail("code must be a number")
    if status < 100 or status > 599:
        raise fail("code must be a number between 100 and 599")
    c.req.status = int(status)


def _is_transfer_encoding(name: str) -> bool:
    return name.lower() in ("transfer-encoding", "transfer_encoding")


@pdk("kong.response.set_header")
def set_header(c: Call, name: Any = None, value: Any = None, *_: Any) -> Any:
    c.req.check_phase(REWRITE_ACCESS_HEADER)
    validate_header(name, value)
    if _is_transfer_encoding(name):
        c.req.kong_log(c.plugin, "warn", "manually setting Transfer-Encoding. Ignored.", "response.lua:430")
        return None
    c.req.set_response_header(name, normalize_multi_header(value))
    return None


@pdk("kong.response.add_header")
def add_header(c: Call, name: Any = None, value: Any = None, *_: Any) -> Any:
    c.req.check_phase(REWRITE_ACCESS_HEADER)
    validate_header(name, value)
    c.req.add_response_header(name, normalize_multi_header(value))


@pdk("kong.response.clear_header")
def clear_header(c: Call, name: Any = None, *_: Any) -> Any:
    c.req.check_phase(REWRITE_ACCESS_HEADER)
    if not isinstance(name, str):
        raise fail("header name must be a string")
    c.req.clear_response_header(name)


@pdk("kong.response.set_headers")
def set_headers(c: Call, headers: Any = None, *_: Any) -> Any:
    c.req.check_phase(REWRITE_ACCESS_HEADER)
    validate_headers(headers)
    for name, value in table_items(headers):
        if _is_transfer_encoding(name):
            c.req.kong_log(
                c.plugin, "warn", "manually setting Transfer-Encoding. Ignored.", "response.lua:543"
            )
        else:
            c.req.set_response_header(name, normalize_multi_header(value))


@pdk("kong.response.get_raw_body")
def get_raw_body(c: Call, *_: Any) -> Any:
    c.req.check_phase(BODY_FILTER)


@pdk("kong.response.set_raw_body")
def set_raw_body(c: Call, *_: Any) -> Any:
    c.req.check_phase(BODY_FILTER)


# =============================================================================================== exit / error


def _deliver(c: Call, status: int, body: Any, headers: Any) -> Any:
    """Delayed (access: flushed after the access loop) or sent at once (``ngx.exit``); same response here.
    A body cjson cannot encode throws at once outside access; in access it fails during the flush, outside
    the plugin's coroutine: nginx's 500 error page."""
    req = c.req
    req.ctx["KONG_EXITED"] = True
    delayed = req.current_phase_bit() == PHASE_BITS["access"]
    try:
        req.send(status, body, headers, plugin=c.plugin)
    except LuaError as exc:
        if not delayed:
            raise
        req.log("error", f"lua entry thread aborted: runtime error: {exc}")
        req.upstream_failed(500)
    return EXITED


@pdk("kong.response.exit")
def exit_(c: Call, status: Any = None, body: Any = None, headers: Any = None, *_: Any) -> Any:
    c.req.check_phase(REWRITE_ACCESS_HEADER)
    if not is_number(status):
        raise fail("code must be a number")
    if status < 100 or status > 599:
        raise fail("code must be a number between 100 and 599")
    if body is not None and not isinstance(body, str) and not is_table(body):
        raise fail("body must be a nil, string or table")
    if headers is not None and not is_table(headers):
        raise fail("headers must be a nil or table")
    if headers is not None:
        validate_headers(headers)
    if is_table(body):
        try:
            cjson_encode(body)
        except CjsonError as exc:
            if c.req.current_phase_bit() != PHASE_BITS["access"]:
                raise fail(f"body encoding failed while flushing response: {exc}") from None
    return _deliver(c, int(status), body, headers)


@pdk("kong.response.error")
def error(c: Call, status: Any = None, message: Any = None, headers: Any = None, *_: Any) -> Any:
    c.req.check_phase(REWRITE_ACCESS_HEADER)
    if not is_number(status):
        raise fail("code must be a number")
    if status < 400 or status > 599:
        raise fail("code must be a number between 400 and 599")
    if message is not None:
        if is_table(message):
            try:
                message = cjson_encode(message)
            except CjsonError as exc:
                raise fail(f"could not JSON encode the error message: {exc}") from None
        if not isinstance(message, str):
            raise fail("message must be a nil, a string or a table")
    if headers is not None and not is_table(headers):
        raise fail("headers must be a nil or table")
    if headers is not None:
        validate_headers(headers)
    body, full_headers = c.req.kong_error_body(int(status), message, headers)
    return _deliver(c, int(status), body, full_headers)


# ====================================================================================== kong.service.response


def buffered_header_lookup(headers: dict[str, Any], name: str, max_headers: int = DEFAULT_MAX_HEADERS) -> Any:
    """service/response.lua ``attach_buffered_headers_mt`` ``__index``."""
    if name in headers:
        return headers[name]
    lowered = name.lower()
    if lowered in headers:
        return headers[lowered]
    dashed = lowered.replace("-", "_")
    if dashed in headers:
        return headers[dashed]
    for index, (key, value) in enumerate(headers.items(), start=1):
        if index > max_headers:
            return None
        if key.lower().replace("-", "_") == dashed:
            return value
    return None


def _ctx(req: KongRequest) -> dict[Any, Any]:
    return req.saved["ngx_ctx"] if req.in_log_timer() and req.saved is not None else req.ctx


@pdk("kong.service.response.get_status")
def service_get_status(c: Call, *_: Any) -> Any:
    c.req.check_phase(SERVICE_HEADER_BODY_LOG)
    ctx = _ctx(c.req)
    if ctx.get("buffered_status"):
        return ctx["buffered_status"]
    c.req.ngx_api(f"{SERVICE_RESPONSE_LUA}:161")
    status = c.req._upstream_status or ""
    return int(status[-3:]) if status[-3:].isdigit() else None


@pdk("kong.service.response.get_headers")
def service_get_headers(c: Call, max_headers: Any = None, *_: Any) -> Any:
    c.req.check_phase(SERVICE_HEADER_BODY_LOG)
    ctx = _ctx(c.req)
    if max_headers is not None:
        check_max(max_headers, 1, 1000, "max_headers")
    if isinstance(ctx.get("buffered_headers"), dict):
        return {}  # a proxy table: fix_mmap's pairs() sees nothing (kong-protocol.md section 4)
    c.req.ngx_api(None)
    return c.req.resp_get_headers()


@pdk("kong.service.response.get_header")
def service_get_header(c: Call, name: Any = None, *_: Any) -> Any:
    c.req.check_phase(SERVICE_HEADER_BODY_LOG)
    if not isinstance(name, str):
        raise fail("name must be a string")
    ctx = _ctx(c.req)
    buffered = ctx.get("buffered_headers")
    if isinstance(buffered, dict):
        value = buffered_header_lookup(buffered, name)
    else:
        c.req.ngx_api(None)
        upstream = c.req._upstream_headers
        if upstream is None or upstream.first(name.replace("_", "-")) is None:
            value = None
        else:
            value = lookup_header_table(c.req.resp_get_headers(), name)
    return value[0] if isinstance(value, list) else value


def _service_raw_body(c: Call) -> Any:
    c.req.check_phase(SERVICE_HEADER_BODY_LOG)
    ctx = _ctx(c.req)
    if not ctx.get("buffered_proxying"):
        raise fail(_NO_BUFFERING)
    return ctx.get("buffered_body") or ""


@pdk("kong.service.response.get_raw_body")
def service_get_raw_body(c: Call, *_: Any) -> Any:
    return _service_raw_body(c)


@pdk("kong.service.response.get_body")
def service_get_body(c: Call, mimetype: Any = None, max_args: Any = None, *_: Any) -> Any:
    c.req.check_phase(SERVICE_HEADER_BODY_LOG)
    if not _ctx(c.req).get("buffered_proxying"):
        raise fail(_NO_BUFFERING)
    content_type = mimetype if mimetype not in (None, False) else service_get_header(c, "Content-Type")
    if content_type is None:
        return None
    if not isinstance(content_type, str):
        raise fail(
            f"bad argument #1 to 'lower' (string expected, got {lua_type(content_type)})",
            f"{SERVICE_RESPONSE_LUA}:326",
        )
    return decode_body(
        c,
        content_type,
        lambda: _service_raw_body(c),
        max_args,
        DEFAULT_MAX_ARGS,
        lambda: _service_raw_body(c),
    )


__all__ = ["buffered_header_lookup"]
