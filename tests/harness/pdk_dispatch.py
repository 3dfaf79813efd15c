"""How Kong 3.9 turns one ``{Method, Args}`` into a PDK call and a Step (rpc/mp_rpc.lua ``call_pdk_method``,
``get_step_method``; plugin.lua ``exposed_api``; rpc/util.lua ``index_table``).

* Lookup: the exact name in the ``exposed_api`` overrides first, else a walk over ``\\w+`` segments from the
  ``kong`` global (so ``kong/request/get_method`` resolves too, and reaches the non-override function).
  Nothing found: error log "could not find pdk method: X" and a Step without Data.
* Call: ``method(unpack(args))`` (see ``harness.lua.unpack_args``); a Lua error is *thrown* (no Step).
* Result: the first return value only; ``fix_mmap``/``fix_raw`` for the seven methods; the Step name from the
  result's ``_method`` field, else the by-method table, else ``plugin.Step``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.lua import LuaError, fix_mmap, lua_string_bytes, to_wire, unpack_args

if TYPE_CHECKING:
    from harness.kong_request import KongRequest, PdkOutcome, PluginRef

Handler = Callable[..., Any]


@dataclass
class Call:
    """One PDK call in progress."""

    req: KongRequest
    plugin: PluginRef
    method: str


BASE: dict[str, Handler] = {}  # the kong global's functions, by dotted path
OVERRIDES: dict[str, Handler] = {}  # plugin.lua exposed_api, by exact method string
# Tables/values of the kong global that exist in Kong but are not modelled as callable here
_VALUES: dict[str, Any] = {
    "kong.version": "3.9.1",
    "kong.version_num": 3009001,
}
_TABLES = frozenset(
    {
        "kong",
        "kong.request",
        "kong.response",
        "kong.service",
        "kong.service.request",
        "kong.service.response",
        "kong.client",
        "kong.client.tls",
        "kong.router",
        "kong.node",
        "kong.nginx",
        "kong.ctx",
        "kong.ctx.shared",
        "kong.ctx.core",
        "kong.log",
        "kong.plugin",
        "kong.ip",
        "kong.table",
        "kong.configuration",
        "kong.db",
        "kong.dns",
        "kong.cache",
        "kong.core_cache",
        "kong.worker_events",
        "kong.cluster_events",
        "kong.vault",
        "kong.tracing",
        "kong.telemetry",
        "kong.timer",
        "kong.log.inspect",
        "kong.log.deprecation",
    }
)
_CALLABLE_TABLES = frozenset({"kong.log", "kong.log.inspect", "kong.log.deprecation"})
_UNMODELLED = (
    "kong.db.",
    "kong.dns.",
    "kong.cache.",
    "kong.core_cache.",
    "kong.worker_events.",
    "kong.cluster_events.",
    "kong.vault.",
    "kong.tracing.",
    "kong.telemetry.",
    "kong.timer.",
    "kong.client.tls.",
    "kong.service.set_tls",
    "kong.cluster.",
)
_SEGMENT = re.compile(r"\w+", re.ASCII)
MP_RPC = "kong/runloop/plugin_servers/rpc/mp_rpc.lua:127"


def pdk(*names: str) -> Callable[[Handler], Handler]:
    """Register a kong-global function under its dotted path(s)."""

    def register(fn: Handler) -> Handler:
        for name in names:
            BASE[name] = fn
        return fn

    return register


ENTERPRISE_ONLY: set[Handler] = set()


def enterprise_only(fn: Handler) -> Handler:
    """A Kong Gateway Enterprise PDK function: on Kong OSS (``req.enterprise`` false) it does not exist, and
    a plugin server's call of it is answered as any missing method (nil, ``could not find pdk method``)."""
    ENTERPRISE_ONLY.add(fn)
    return fn


def override(*names: str) -> Callable[[Handler], Handler]:
    """Register an ``exposed_api`` override under its exact method string(s)."""

    def register(fn: Handler) -> Handler:
        for name in names:
            OVERRIDES[name] = fn
        return fn

    return register


def _resolve(method: str) -> tuple[str, Any]:
    """``("handler", fn)``, ``("value", v)`` (a table or scalar of the kong global), or ``("missing",
    None)``."""
    if method in OVERRIDES:
        return "handler", OVERRIDES[method]
    if method == "get_saved_req_data":
        return "saved", None
    path = ""
    for segment in _SEGMENT.findall(method):
        path = f"{path}.{segment}" if path else segment
        if path in BASE:
            continue
        if path in _TABLES or path in _VALUES or _has_children(path):
            continue
        parent = path.rpartition(".")[0]
        if parent in BASE:
            # indexing a function value
            raise LuaError(
                "kong/runloop/plugin_servers/rpc/util.lua:8: attempt to index local 'res' (a function value)"
            )
        if isinstance(_VALUES.get(parent), (int, float)):
            raise LuaError(
                "kong/runloop/plugin_servers/rpc/util.lua:8: attempt to index local 'res' (a number value)"
            )
        return "missing", None
    if not path:
        return "missing", None
    if path in BASE:
        return "handler", BASE[path]
    if path in _CALLABLE_TABLES:
        return "handler", BASE[path + "#call"]
    if path in _VALUES:
        return "value", _VALUES[path]
    return "value", {}


def _has_children(path: str) -> bool:
    prefix = path + "."
    return any(name.startswith(prefix) for name in BASE)


def _lua_type_name(value: Any) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, (int, float)):
        return "number"
    return "table"


def dispatch(req: KongRequest, plugin: PluginRef, method: Any, args: Any) -> PdkOutcome:
    """Answer one ``{Method, Args}`` (see module doc)."""
    from harness.kong_request import EXITED, MISSING, STEP_BY_METHOD, PdkOutcome

    method = method if isinstance(method, str) else str(method)
    try:
        kind, target = _resolve(method)
    except LuaError as exc:
        return PdkOutcome("thrown", error=str(exc))
    if kind == "handler" and target in ENTERPRISE_ONLY and not req.enterprise:
        kind = "missing"
    if kind == "missing" or (kind == "saved" and not req.in_log_timer()):
        if kind == "missing":
            req.kong_log(plugin, "error", f"could not find pdk method: {method}", "mp_rpc.lua:116")
            if method.startswith(_UNMODELLED):
                req.log("notice", f"[harness] {method} exists in Kong but is not modelled by the harness")
        return PdkOutcome("value", step=STEP_BY_METHOD.get(method, "plugin.Step"))
    if kind == "saved":
        return PdkOutcome("thrown", error="pack 'userdata' is unimplemented")
    if kind == "value":
        return PdkOutcome(
            "thrown", error=f"{MP_RPC}: attempt to call local 'method' (a {_lua_type_name(target)} value)"
        )
    try:
        lua_args = unpack_args(args)
    except (ValueError, TypeError) as exc:
        return PdkOutcome("thrown", error=f"MessagePack.lua: {exc}")
    call = Call(req, plugin, method)
    try:
        result = target(call, *lua_args)
    except LuaError as exc:
        return PdkOutcome("thrown", error=str(exc))
    if result is EXITED:
        return PdkOutcome("exit")
    if method in MUST_FIX_RAW_NAMES:
        if not isinstance(result, str):
            # fix_raw(nil): the packer fails on #nil after Rpc:call took the msgid (recording 37)
            return PdkOutcome(
                "thrown",
                consumes_msgid=True,
                error="MessagePack.lua:126: attempt to get length of local 'str' (a nil value)",
            )
        data: Any = lua_string_bytes(result)
        return PdkOutcome("value", step=STEP_BY_METHOD.get(method, "plugin.Step"), data=data)
    step: Any = STEP_BY_METHOD.get(method, "plugin.Step")
    if method in MUST_FIX_MMAP_NAMES:
        data = fix_mmap(result)
    else:
        try:
            data = MISSING if result is None else to_wire(result)
        except LuaError as exc:
            return PdkOutcome("thrown", consumes_msgid=True, error=str(exc))
    marker = data if method in MUST_FIX_MMAP_NAMES else result
    if isinstance(marker, dict) and marker.get("_method") not in (None, False):
        step = marker["_method"] if marker is data else to_wire(marker["_method"])
    if data is None:
        data = MISSING
    return PdkOutcome("value", step=step, data=data)


MUST_FIX_MMAP_NAMES = frozenset(
    {
        "kong.request.get_query",
        "kong.request.get_headers",
        "kong.response.get_headers",
        "kong.service.response.get_headers",
    }
)
MUST_FIX_RAW_NAMES = frozenset(
    {"kong.request.get_raw_body", "kong.response.get_raw_body", "kong.service.response.get_raw_body"}
)

# Register the handlers (they import the decorators above).
from harness import pdk_misc, pdk_request, pdk_response  # noqa: E402,F401
